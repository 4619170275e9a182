"""Import the slow modules on a background thread while a render starts.

scipy.signal and scipy.ndimage cost ~0.9 s to import and are first needed
at assembly; ONNX Runtime and piper ~0.3 s, first needed when a Piper turn
is synthesized. Importing them while the script is parsed and the cache
checked takes that time off a re-render. Python's import lock makes a later
``import`` wait for a background import in progress, so this is only ever
a head start (for a cast without Piper, the last two are spare work).
"""

from __future__ import annotations

import importlib
import threading

HEAVY_IMPORTS = ("scipy.signal", "scipy.ndimage", "pyloudnorm", "onnxruntime", "piper")


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the foreground import will report it properly
            return


def start(names: tuple[str, ...] = HEAVY_IMPORTS) -> threading.Thread:
    thread = threading.Thread(target=_import_all, args=(names,), name="render-warmup", daemon=True)
    thread.start()
    return thread
