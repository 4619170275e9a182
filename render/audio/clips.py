"""A synthesized turn as assembly takes it: its sentences as separate clips.

It lives in ``audio`` because assembly reads it; the turn cache
(:mod:`render.voices.cache`) stores it and synthesis produces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TurnAudio:
    """One turn's sentences as separate clips, kept apart so pauses stay adjustable.

    Conditioned clips are already trimmed, faded and at the episode rate,
    and ``peaks`` holds each one's true-peak envelope (float16): the state
    the cache stores, so a re-render does no per-turn DSP again.
    """

    sentences: list[np.ndarray]
    sample_rate: int
    peaks: list[np.ndarray] | None = None

    @property
    def seconds(self) -> float:
        return sum(len(s) for s in self.sentences) / self.sample_rate

    @property
    def conditioned(self) -> bool:
        return self.peaks is not None
