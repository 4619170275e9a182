"""Intro music: the user's ``music/intro.*`` or a short original cue made here.

The generated cue is a warm electric-piano chord progression over a soft
pad and a muted pulse, written from scratch in numpy so the project ships
no third-party audio and the cue is identical on every machine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from render.audio.dsp import RATE, fade, resample
from render.errors import RenderError

_EXTS = (".wav", ".flac", ".ogg", ".mp3", ".aiff")


def _note(freq: float, dur: float, rate: int, bright: float = 0.35) -> np.ndarray:
    t = np.arange(int(dur * rate), dtype=np.float64) / rate
    env = (1 - np.exp(-t / 0.008)) * np.exp(-t / (0.9 + 120 / freq))
    tone = (np.sin(2 * np.pi * freq * t) + bright * np.sin(2 * np.pi * 2 * freq * t) * np.exp(-t / 0.3)
            + 0.12 * np.sin(2 * np.pi * 3 * freq * t) * np.exp(-t / 0.15))
    return (tone * env).astype(np.float32)


def _pad(freqs: list[float], dur: float, rate: int) -> np.ndarray:
    t = np.arange(int(dur * rate), dtype=np.float64) / rate
    out = np.zeros_like(t)
    for f in freqs:
        for detune in (-0.6, 0.0, 0.6):
            out += np.sin(2 * np.pi * (f + detune) * t + detune)
    env = np.minimum(1, t / 0.8) * np.minimum(1, (dur - t) / 0.8)
    return (out * env / (3 * len(freqs))).astype(np.float32)


def _midi(n: int) -> float:
    return 440.0 * 2 ** ((n - 69) / 12)


def generate_intro(seconds: float = 12.0, rate: int = RATE) -> np.ndarray:
    """An original four-chord cue (Fmaj7 – Am7 – Dm9 – Bbmaj7), about ``seconds`` long."""
    chords = [[53, 57, 60, 64], [57, 60, 64, 67], [50, 57, 60, 64], [46, 53, 57, 62]]
    bar = seconds / len(chords)
    out = np.zeros(int(seconds * rate) + rate, dtype=np.float32)
    beat = bar / 4
    for i, chord in enumerate(chords):
        start = int(i * bar * rate)
        pad = _pad([_midi(n) for n in chord], bar + 0.6, rate) * 0.35
        out[start: start + len(pad)] += pad[: len(out) - start]
        for k in range(4):  # arpeggio on the beat
            note = chord[(k * 3 + i) % 4] + 12
            tone = _note(_midi(note), beat * 2.5, rate) * (0.28 if k == 0 else 0.2)
            s = start + int(k * beat * rate)
            out[s: s + len(tone)] += tone[: len(out) - s]
        bass = _note(_midi(chord[0] - 12), bar, rate, bright=0.1) * 0.45
        out[start: start + len(bass)] += bass[: len(out) - start]
        for k in range(8):  # muted pulse
            s = start + int(k * beat / 2 * rate)
            tick = _note(2400.0, 0.03, rate, 0.0) * (0.05 if k % 2 else 0.08)
            out[s: s + len(tick)] += tick[: len(out) - s]
    out = out[: int(seconds * rate)]
    out /= max(1e-9, float(np.max(np.abs(out)))) / 0.5
    return fade(out, rate, 0.05, 2.0)


def intro_candidates(music_dir: Path) -> list[Path]:
    """Where a user's intro may be (``music/intro.wav`` …), in order of preference."""
    return [music_dir / f"intro{ext}" for ext in _EXTS]


def load_intro(path: Path | None) -> tuple[np.ndarray, str]:
    """The user's intro at ``path`` (the first of :func:`intro_candidates` that exists), else
    the generated cue."""
    if path is None:
        return generate_intro(), "generated"
    try:
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise RenderError("intro music is not a readable audio file", path,
                          hint="use WAV, FLAC, OGG or MP3, or remove the file "
                               "to use the generated intro") from exc
    return resample(audio.mean(axis=1), rate), str(path)
