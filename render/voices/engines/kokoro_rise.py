"""A question's rise made inside Kokoro, on the pitch and energy it predicts.

Kokoro's jm_kumo says the end of every sentence as Japanese ends a phrase: the last vowel
devoiced, its predicted F0 near 0 Hz and its energy low (the "now" of "So it's generally
available now?" has F0 3 Hz and energy −4.6 against 7–8 on the vowels before it). Raising
that F0 alone changes nothing a listener hears, which is why an earlier per-phoneme pitch
input barely lifted the end (−4.9 → −2.5 st). So the last stressed syllable onward is
*voiced* again: each vowel and sonorant of it gets at least the energy of the sentence's
voiced frames (the very last tapering back down, so the sentence still ends), and its pitch
climbs from the median of the sentence before it to :data:`RISE_ST` semitones over it,
reached :data:`REACH` of the way along and held. Unvoiced consonants keep what the model
predicted. Measured on 20 questions (``benchmarks/prosody.py``): see docs/voices.md.

Everything here is plain arithmetic on the model's own predictions; the model is run twice for
a rising sentence, once for its predictions alone (the encoder: ~10 % of the work) and once
to speak with the changes (:meth:`render.voices.engines.kokoro.KokoroEngine`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RISE_ST = 5.0  # semitones over the median pitch before the rise
REACH = 0.4  # of the way along the rise where it reaches RISE_ST, then held
LAST_FRAMES = 20  # the final sonorant voiced for at most this many F0 frames (250 ms)...
TAPER = 4  # ...its energy easing back to the model's over its last frames when the sentence ends there
VOICED_HZ = 40.0  # predicted F0 above this is a voiced frame
# espeak-ng's IPA as Kokoro's vocabulary holds it: vowels (with the length mark), and the
# sonorants that carry a rise after them ("cards", "small", "run")
VOWELS = frozenset("aeiouæɑɒɔəɛɜɪʊʌɐɚᵻɨʉɘɵɤøœɯː")
SONORANTS = VOWELS | frozenset("ɹlnmŋwj")
ENDING = " ?.!,;:…"


@dataclass(frozen=True)
class Shaping:
    """What the model is fed to say a sentence rising: per token (with the two pads) a length
    factor; per F0 frame Hz to add to the pitch and values to add to the energy."""

    stretch: np.ndarray
    pitch: np.ndarray
    loud: np.ndarray


def rising_span(phonemes: str) -> tuple[int, int] | None:
    """The tokens (indices into ``phonemes``, the characters the model reads) from the last
    primary stress to the last sonorant after the last vowel; None without a vowel there."""
    start = phonemes.rfind("ˈ")
    if start < 0:
        start = phonemes.rfind("ˌ")
    end = len(phonemes.rstrip(ENDING))
    if start < 0:
        start = phonemes[:end].rfind(" ") + 1
    vowels = [i for i in range(start, end) if phonemes[i] in VOWELS]
    if not vowels:
        return None
    last = vowels[-1]
    while last + 1 < end and phonemes[last + 1] in SONORANTS:
        last += 1
    return start, last + 1


def rise(phonemes: str, duration: np.ndarray, f0: np.ndarray, energy: np.ndarray) -> Shaping | None:
    """The changes that make the sentence ``phonemes`` end on a rise, from what the model
    predicted for it: ``duration`` (frames per token, pads included), ``f0`` and ``energy``
    (two values per frame). None when there is nothing to shape (no voiced frame, no vowel)."""
    span = rising_span(phonemes)
    f0, energy = np.asarray(f0, np.float32).ravel(), np.asarray(energy, np.float32).ravel()
    voiced = f0 > VOICED_HZ
    edges = np.concatenate([[0], np.cumsum(np.asarray(duration).ravel())]).astype(np.int64) * 2
    if span is None or not voiced.any() or len(edges) != len(phonemes) + 3 or edges[-1] != len(f0):
        return None
    start, end = span
    first = edges[start + 1]
    before = f0[:first][voiced[:first]]
    body = float(np.median(before if before.size else f0[voiced]))
    level = float(np.median(energy[voiced]))
    shaped = np.zeros(len(f0), bool)
    loud = np.zeros(len(f0), np.float32)
    last_token = end - 1
    sentence_ends = end >= len(phonemes.rstrip(ENDING))
    for i in range(start, end):
        lo, hi = int(edges[i + 1]), int(edges[i + 2])
        if phonemes[i] not in SONORANTS:
            shaped[lo:hi] = voiced[lo:hi]  # a consonant or stress mark keeps its own voicing
            continue
        if i == last_token:
            hi = min(hi, lo + LAST_FRAMES)
        want = np.full(hi - lo, level, np.float32)
        if i == last_token and sentence_ends and TAPER:
            k = min(TAPER, hi - lo)
            want[hi - lo - k:] = level - (level - energy[hi - k:hi]) * np.arange(1, k + 1) / (k + 1)
        loud[lo:hi] = np.maximum(0.0, want - energy[lo:hi])
        shaped[lo:hi] = True
    frames = np.nonzero(shaped)[0]
    if not frames.size:
        return None
    lo, hi = int(frames[0]), int(frames[-1]) + 1
    along = (np.arange(lo, hi) - lo) / max(1, hi - lo - 1)
    target = body * 2 ** (RISE_ST * np.clip(along / REACH, 0.0, 1.0) / 12)
    pitch = np.zeros(len(f0), np.float32)
    pitch[lo:hi] = np.where(shaped[lo:hi], target - f0[lo:hi], 0.0)
    return Shaping(np.ones(len(phonemes) + 2, np.float32), pitch, loud)
