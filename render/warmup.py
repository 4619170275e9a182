"""Import the slow scientific modules on a background thread while a render starts.

scipy.signal and scipy.ndimage cost ~0.9 s to import and are first needed
at assembly, after parsing and synthesis; importing them meanwhile takes
that second off a re-render. Python's import lock makes a later ``import``
wait for a background import in progress, so this is only ever a head start.
"""

from __future__ import annotations

import atexit
import importlib
import sys
import threading

# No C++ runtimes here (ONNX Runtime half-imported when the process exits aborts it with
# "terminate called..."); and start() makes exit wait for the imports to finish.
HEAVY_IMPORTS = ("scipy.signal", "scipy.ndimage", "pyloudnorm")


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the foreground import will report it properly
            return


def start(names: tuple[str, ...] = HEAVY_IMPORTS) -> threading.Thread | None:
    """Import ``names`` on a helper thread, unless they are imported already (a series
    starts one per episode). Called where audio work begins, not at start-up: a command
    that needs no audio (``--help``, an up-to-date render) would otherwise wait for them
    at exit."""
    if all(name in sys.modules for name in names):
        return None
    thread = threading.Thread(target=_import_all, args=(names,), name="render-warmup", daemon=True)
    thread.start()
    # A command that fails at once must not exit mid-import (extension modules half loaded):
    # at exit, wait for the imports, which end within about a second.
    atexit.register(thread.join, 10.0)
    return thread
