"""The code itself: lint and types, run the way CI runs them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    res = _run("ruff", "check", ".")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_is_clean_on_the_package() -> None:
    res = _run("mypy")  # files and settings: [tool.mypy] in pyproject.toml
    assert res.returncode == 0, res.stdout + res.stderr
