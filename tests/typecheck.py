"""mypy started in the background as soon as the suite is collected (see :func:`pytest_collection_finish`).

One module, imported by ``conftest.py`` (which registers the hook) and by ``test_code.py``
(which reads the result), so both see the same stash key."""

from __future__ import annotations

import subprocess
import sys

import pytest

MYPY = pytest.StashKey[subprocess.Popen[str]]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the type check at once, at the lowest CPU priority, when its test is selected: mypy
    on a fresh clone (no cache) takes a minute of one core, which the suite's renders leave
    idle between their steps; ``test_mypy_is_clean_on_the_package`` then only collects it."""
    if any(item.name == "test_mypy_is_clean_on_the_package" for item in session.items):
        session.config.stash[MYPY] = subprocess.Popen(
            ["nice", "-n", "19", sys.executable, "-m", "mypy"], cwd=session.config.rootpath, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)


def mypy_result(config: pytest.Config) -> tuple[int, str]:
    """The background type check's exit code and output."""
    proc = config.stash[MYPY]
    out, _ = proc.communicate(timeout=600)
    return proc.returncode, out
