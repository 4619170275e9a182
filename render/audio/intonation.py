"""A question's rise, put on a synthesized sentence by pitch-synchronous overlap-add (PSOLA).

Neither default voice rises at the end of a yes/no question (measured with
``librosa.pyin``: Kokoro's tails fall 3–5 semitones, like its statements;
Piper's rise once in four), and Piper has no pitch input at all. So the
rise is made on the sentence's audio, the way a phonetician would in Praat:
the sentence's pitch contour is kept up to the start of its last stretch of
voicing, and from there it climbs to :data:`RISE_ST` semitones over the
median of the sentence before it (reached :data:`REACH` of the way along,
then held); Praat resynthesizes the sound on the new contour by
overlap-add, which moves pitch without touching the voice's timbre or
timing. A few tens of milliseconds a sentence; deterministic.

Emphasis (:func:`accent`) is the same tool on one word: its pitch raised in an arc that peaks
:data:`ACCENT_ST` semitones over the engine's own contour, and the word lengthened by
:data:`ACCENT_STRETCH`, the two cues English listeners hear as stress.

The rise starts where the last :data:`RISE_SHARE` (40 %) of the sentence's voiced
time begins (never less than 0.3 s): on these voices' pace that is the last
stressed syllable or the one before it, where English puts the start of a rise.
A fall covers the last :data:`FALL_SHARE` (30 %).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

RISE_ST = 5.0  # where the rise ends, in semitones over the median pitch before it
# The rise is put on this share of the sentence's voiced time (at least MIN_RISE_S). With joe
# drawing no noise (voices/joe.toml), a third of it rose +2 st by pyin in 75 % of the set's
# questions and 76 % held out; 0.4: 85 % and 88 %, DistillMOS −0.08 against −0.06 to −0.07;
# 0.5: 85 % and 96 %, −0.10 (docs/benchmarks.md, "Questions").
RISE_SHARE = 0.4
FALL_SHARE = 0.3  # ...and a fall on this share (wh-questions fall in 100 % with it)
# The new pitch is reached this far into the shaped stretch and held to its end. A glide over
# the whole stretch kept changing pitch inside every analysis frame, and pyin then heard Piper
# joe's final syllables as unvoiced: on 40 of his questions, +2 st was reached by pyin in 68 %
# with a glide, 90 % reaching the target at 40 % or 60 % (by Praat 98–100 % either way), and
# DistillMOS 3.79 (glide), 3.78 (40 %), 3.81 (60 %) against the engine's 3.88.
REACH = 0.6
MIN_RISE_S = 0.3
FALL_ST = 3.0  # a wh-question said with a rise is brought down to this far under its body...
FALL_KEEP_ST = -1.0  # ...unless its end already falls this far
PITCH_FLOOR, PITCH_CEILING = 60.0, 400.0  # Hz: both default voices, and most speaking voices
CROSSFADE_S = 0.04  # from the engine's samples into the resynthesized rise
SHAPING = 5  # in the turn key of every shaped sentence: bump it when the shaping changes its samples
ACCENT_ST = 4.0  # an emphasised word's pitch peak over the engine's contour there
ACCENT_STRETCH = 1.12  # ...and its length
_STEP = 0.01  # seconds between pitch points
_POINTS = 10  # on the rise


def _contour(audio: np.ndarray, rate: int) -> tuple[Any, np.ndarray, np.ndarray]:
    """``audio`` as a Praat sound, its pitch (Hz, 0 where unvoiced) and the pitch's times."""
    import parselmouth  # 0.4 s to import: only where a sentence is shaped, not at every start

    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=float(rate))
    pitch = sound.to_pitch(_STEP, PITCH_FLOOR, PITCH_CEILING)
    return sound, pitch.selected_array["frequency"], pitch.xs()


def _resynthesized(sound: Any, span: tuple[float, float], points: list[tuple[float, float]],
                   lengths: list[tuple[float, float]] | None = None) -> np.ndarray:
    """``sound`` resynthesized by overlap-add with its pitch within ``span`` replaced by
    ``points`` (time, Hz) and, with ``lengths`` (time, factor), its duration tier so."""
    from parselmouth.praat import call, run

    manipulation = call(sound, "To Manipulation", _STEP, PITCH_FLOOR, PITCH_CEILING)
    tier = call(manipulation, "Extract pitch tier")
    call(tier, "Remove points between", *span)
    for x, hz in points:
        call(tier, "Add point", x, hz)
    call([manipulation, tier], "Replace pitch tier")
    if lengths:
        durations = call(manipulation, "Extract duration tier")
        for x, k in lengths:
            call(durations, "Add point", x, k)
        call([manipulation, durations], "Replace duration tier")
    # Lengthening a stretch makes Praat's overlap-add pick periods at random: seeded, the same
    # sentence always gets the same samples (the lock keeps another thread's seed out between).
    with _PRAAT_RANDOM:
        run("random_initializeWithSeedUnsafelyButPredictably (26)")
        return call(manipulation, "Get resynthesis (overlap-add)").values[0].astype(np.float32)


_PRAAT_RANDOM = threading.Lock()  # Praat's random generator is one per process


def tail_st(f0: np.ndarray) -> float:
    """The pitch of the last fifth of the voiced frames over the rest's (medians, semitones):
    how far a sentence's end rises (> 0) or falls (< 0)."""
    v = f0[f0 > 0]
    n = max(1, len(v) // 5)
    return float(12 * np.log2(np.median(v[-n:]) / np.median(v[:-n]))) if len(v) > n else 0.0


def rise(audio: np.ndarray, rate: int, semitones: float = RISE_ST) -> np.ndarray:
    """``audio`` (one sentence) ending on a rise; unchanged when it has too little voicing
    to carry one."""
    return shape_end(audio, rate, semitones)


def fall(audio: np.ndarray, rate: int) -> np.ndarray:
    """``audio`` ending on a fall, if it does not already (a wh-question said with a rise)."""
    return shape_end(audio, rate, -FALL_ST, keep_below=FALL_KEEP_ST, share=FALL_SHARE)


def shape_end(audio: np.ndarray, rate: int, semitones: float, keep_below: float | None = None,
              share: float = RISE_SHARE) -> np.ndarray:
    """The end of ``audio`` moved to ``semitones`` over the median pitch before it; unchanged
    when it has too little voicing, or when its own end is already under ``keep_below``."""
    sound, f0, times = _contour(audio, rate)
    target = end_target(f0, times, semitones, share)
    if target is None or (keep_below is not None and tail_st(f0) <= keep_below):
        return audio
    points = [(float(x), target.hz(float(x))) for x in np.linspace(target.start, target.end, _POINTS)]
    shaped = _resynthesized(sound, (target.start, sound.duration), points)
    return spliced(audio, shaped, target.start, rate)


@dataclass(frozen=True)
class EndTarget:
    """Where a sentence's end is reshaped and to what: from ``start`` (s) the pitch climbs (or
    falls) in even semitone steps from ``from_hz`` to ``to_hz``, reached :data:`REACH` of the
    way to ``end`` (the last voiced frame), then held."""

    start: float
    end: float
    from_hz: float
    to_hz: float

    def hz(self, x: float) -> float:
        k = min(1.0, (x - self.start) / (self.end - self.start) / REACH) if self.end > self.start else 1.0
        return self.from_hz * (self.to_hz / self.from_hz) ** k


def end_target(f0: np.ndarray, times: np.ndarray, semitones: float, share: float = RISE_SHARE) -> EndTarget | None:
    """The reshaped end for pitch ``f0`` (Hz, 0 unvoiced; at ``times``): the last ``share`` of
    the voiced time (at least :data:`MIN_RISE_S`), moved to ``semitones`` over the median
    pitch before it. None when the sentence has too little voicing to carry it."""
    voiced = f0 > 0
    if voiced.sum() < 10:
        return None
    t_voiced = times[voiced]
    end = float(t_voiced[-1])
    start = max(float(t_voiced[0]), end - max(MIN_RISE_S, share * voiced.sum() * _STEP))
    before = f0[voiced & (times < start)]
    body = float(np.median(before if before.size else f0[voiced]))
    return EndTarget(start, end, float(np.interp(start, t_voiced, f0[voiced])), body * 2 ** (semitones / 12))


def spliced(audio: np.ndarray, shaped: np.ndarray, start: float, rate: int) -> np.ndarray:
    """``audio`` up to ``start`` (s), cross-faded over :data:`CROSSFADE_S` into ``shaped`` after it.

    Resynthesis costs some quality even where the pitch is unchanged (overlap-add: DistillMOS
    −0.24 on Kokoro over whole sentences), so the engine's own samples are kept up to the rise."""
    if len(shaped) < len(audio):
        shaped = np.pad(shaped, (0, len(audio) - len(shaped)))
    a = max(0, int((start - CROSSFADE_S) * rate))
    b = max(a + 1, int(start * rate))
    out = audio.astype(np.float32).copy()
    ramp = np.linspace(0.0, 1.0, b - a, dtype=np.float32)
    out[a:b] = out[a:b] * (1 - ramp) + shaped[a:b] * ramp
    out[b:] = shaped[b: len(audio)]
    return out


def accent(audio: np.ndarray, rate: int, start_s: float, end_s: float, semitones: float = ACCENT_ST,
           stretch: float = ACCENT_STRETCH) -> np.ndarray:
    """``audio`` with the word at ``start_s``..``end_s`` said with emphasis: its pitch raised
    in an arc peaking ``semitones`` over the engine's contour, and ``stretch`` times as long
    (the audio after it moves later by the difference). Only the word and
    :data:`CROSSFADE_S` either side are resynthesized; the rest keeps the engine's samples.
    Unchanged when the word carries too little voicing to move."""
    if end_s - start_s < 0.05:
        return audio
    sound, f0, times = _contour(audio, rate)
    voiced = f0 > 0
    if ((times >= start_s) & (times <= end_s) & voiced).sum() < 2:
        return audio
    points = []
    for x in np.linspace(start_s, end_s, _POINTS + 2):
        arc = max(0.0, float(np.sin(np.pi * (x - start_s) / (end_s - start_s)))) ** 0.7
        points.append((float(x), float(np.interp(x, times[voiced], f0[voiced])) * 2 ** (semitones * arc / 12)))
    lengths = [(max(0.0, start_s - 0.001), 1.0), (start_s, stretch), (end_s, stretch), (end_s + 0.001, 1.0)]
    shaped = _resynthesized(sound, (start_s, end_s), points, lengths)
    moved = round((stretch - 1) * (end_s - start_s) * rate)
    a0, a1 = max(0, int((start_s - CROSSFADE_S) * rate)), int(start_s * rate)
    b1 = min(len(audio), int(end_s * rate))
    b2 = min(len(audio), int((end_s + CROSSFADE_S) * rate), len(shaped) - moved)
    into = np.linspace(0.0, 1.0, a1 - a0, dtype=np.float32)
    back = np.linspace(0.0, 1.0, max(0, b2 - b1), dtype=np.float32)
    source = audio.astype(np.float32, copy=False)
    return np.concatenate([
        source[:a0],
        source[a0:a1] * (1 - into) + shaped[a0:a1] * into,
        shaped[a1:b1 + moved],
        shaped[b1 + moved:b2 + moved] * (1 - back) + source[b1:b2] * back,
        source[b2:],
    ]).astype(np.float32)
