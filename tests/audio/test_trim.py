"""Trimming a sentence's silence keeps its weak consonants (no voice needed: a built clip)."""

from __future__ import annotations

import numpy as np

from render.audio.dsp import trim

RATE = 24000


def _part(seconds: float, db: float, rng: np.random.Generator) -> np.ndarray:
    """Noise at ``db`` under full scale: silence, a fricative or a stop's release."""
    return (rng.standard_normal(int(seconds * RATE)) * 10 ** (db / 20)).astype(np.float32)


def test_a_weak_first_fricative_and_a_final_release_survive_the_trim() -> None:
    """ "Think … it": the "th" sits ~50 dB under the vowels, the release of the final "t"
    comes after a silent closure; a -45 dB threshold cut both (15-100 ms on Kokoro and Piper)."""
    rng = np.random.default_rng(7)
    t = np.arange(int(0.5 * RATE)) / RATE
    vowel = (0.5 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)  # peak -6 dB
    parts = [_part(0.1, -95, rng), _part(0.04, -58, rng), vowel, _part(0.03, -95, rng),
             _part(0.01, -56, rng), _part(0.1, -95, rng)]
    clip = np.concatenate(parts)
    out = trim(clip, RATE)
    fricative_at = len(parts[0])
    release_end = fricative_at + sum(len(p) for p in parts[1:5])
    start = next(i for i in range(len(clip)) if np.array_equal(clip[i:i + len(out)], out))
    assert start <= fricative_at  # the fricative is kept whole
    assert start + len(out) >= release_end  # and so is the release
    assert len(clip) - len(out) >= 0.16 * RATE  # the silence around them is cut, but for 20 ms each side
