"""Shared fixtures: the real repository, and small throwaway projects on disk."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.typecheck import pytest_collection_finish  # noqa: F401  (the hook that starts mypy early)

ROOT = Path(__file__).resolve().parents[1]
EPISODE = ROOT / "transcripts" / "00035-kubecon-2025-ai-native.md"
OUTLINE = ROOT / "transcripts" / "00035-kubecon-2025-ai-native.outline.md"

SHORT_SCRIPT = """---
title: "Test Episode"
target_length: "1-2 minutes"
---

# Test Episode

**Jordan**: Welcome back. Today we cover Kubernetes 1.34 and a $2.16 million lesson.

**Alex**: Thanks, Jordan. Forty percent of GPU spend can vanish.

**Jordan**: Wait. Hold on. Forty percent?

**Alex**: Yes. Measure before you optimize.
"""


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def make_project(base: Path, scripts: dict[str, str]) -> Path:
    """A project folder with the real voices and the given scripts."""
    shutil.copytree(ROOT / "voices", base / "voices")
    (base / "transcripts").mkdir()
    for name, text in scripts.items():
        (base / "transcripts" / name).write_text(text, encoding="utf-8")
    return base


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", {"00001-test.md": SHORT_SCRIPT})


def run_cli(*args: str, cwd: Path, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI the way a user does."""
    import os
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "render", *args], cwd=cwd, input=input,
                          capture_output=True, text=True, env=full_env, timeout=600)

