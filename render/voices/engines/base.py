"""The one small interface every TTS engine implements."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass
class Clip:
    """Mono float32 audio at its own sample rate."""

    audio: np.ndarray
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.audio) / self.sample_rate


class Engine(Protocol):
    """A loaded voice model. Built once per worker process, then reused."""

    sample_rate: int
    fingerprint: str

    def synthesize(self, text: str) -> Clip:
        """Speak one sentence of already-normalized text."""
        ...

    def close(self) -> None:
        """Release processes or sessions the engine holds."""
        ...


def as_float32(audio: np.ndarray) -> np.ndarray:
    """Engines return int16 or float64; the pipeline is float32 end to end."""
    a = np.asarray(audio)
    if a.dtype == np.int16:
        return (a.astype(np.float32) / 32768.0).reshape(-1)
    return a.astype(np.float32, copy=False).reshape(-1)


@lru_cache(maxsize=1)
def cpu_flags() -> str:
    """This CPU's feature flags line from /proc/cpuinfo (``flags`` on x86, ``Features`` on Arm),
    or "" where there is none: ONNX Runtime picks its kernels by them."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("flags", "Features")):
                return line
    return ""
