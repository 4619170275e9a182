"""A question's rise and an emphasised word's accent, made inside Kokoro on the lengths, pitch
and energy it predicts (:mod:`render.voices.engines.kokoro_graph` opens them).

**The rise.**
Kokoro's jm_kumo says the end of every sentence as Japanese ends a phrase: the last vowel
devoiced, its predicted F0 near 0 Hz and its energy low (the "now" of "So it's generally
available now?" has F0 3 Hz and energy −4.6 against 7–8 on the vowels before it). Raising
that F0 alone changes nothing a listener hears, which is why an earlier per-phoneme pitch
input barely lifted the end (−4.9 → −2.5 st). So the last stressed syllable onward (or
from an earlier stressed syllable of the clause when the last is too short to carry it:
:data:`COVER`) is *voiced* again: each vowel and sonorant of it gets at least the energy of
the sentence's voiced frames (the very last tapering back down, so the sentence still ends), and its pitch
climbs from the median of the sentence before it to :data:`RISE_ST` semitones over it,
reached :data:`REACH` of the way along and held. Unvoiced consonants keep what the model
predicted. Measured on 20 questions (``benchmarks/prosody.py``): see docs/voices.md.

**The accent.** An emphasised word is made :data:`ACCENT_STRETCH` times as long (frames
added to its vowels), and its pitch is raised in an arc peaking
:data:`ACCENT_ST` semitones over the model's own contour (the figures PSOLA uses on Piper,
:mod:`render.audio.intonation`); the decoder then makes the sound from that contour, so no
overlap-add touches the samples.

Everything here is plain arithmetic on the model's own predictions: the model's predictor
(:func:`render.voices.engines.kokoro_graph.predictor`) gives them, and again for the
lengthened words, then the model speaks with the changes (:class:`render.voices.engines.kokoro.KokoroEngine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from render.audio.intonation import ACCENT_ST, ACCENT_STRETCH
from render.voices.engines.base import phoneme_words

RISE_ST = 5.0  # semitones over the median pitch before the rise
REACH = 0.4  # of the way along the rise where it reaches RISE_ST, then held
# Frames (25 ms each) added to the rising syllable's last vowel: question-final lengthening,
# which gives a vowel the model would devoice before a voiceless consonant ("hit?", "release?")
# time to carry the rise. Swept on 20 questions of prosody_sentences.tsv and 25 drawn from the
# show's scripts: 0 → 70 % / 64 % rise by pyin, 3 → 85 % / 76 %, 8 → 100 % / 76 % with
# DistillMOS −0.05 / −0.09, −0.10 / −0.08, −0.03 / −0.26 (docs/benchmarks.md, "Questions").
RISE_FRAMES = 3
LAST_FRAMES = 20  # the final sonorant voiced for at most this many F0 frames (250 ms)...
TAPER = 4  # ...its energy easing back to the model's over its last frames when the sentence ends there
VOICED_HZ = 40.0  # predicted F0 above this is a voiced frame
# The rise starts on an earlier stressed syllable of the same clause when the last one holds
# less than this share of the sentence's voiced frames: the model devoices a final syllable
# before a voiceless consonant ("adopt this?", "by what?", "off?"), and a rise on it alone is
# too short to hear. Swept on Alex's 20 rising questions of prosody_sentences.tsv and 25
# held out from the show's scripts (docs/benchmarks.md, "Questions"): 0 → 85 % / 76 % reach
# +2 st, 0.15 → 95 % / 88 %, 0.25 → 95 % / 92 %, 0.35 → 65 % / 84 % (the climb spread thinner).
COVER = 0.25
CLAUSE = ",;:.!?…"  # the rise never starts before one of these
# espeak-ng's IPA as Kokoro's vocabulary holds it: vowels (with the length mark), and the
# sonorants that carry a rise after them ("cards", "small", "run")
VOWELS = frozenset("aeiouæɑɒɔəɛɜɪʊʌɐɚᵻɨʉɘɵɤøœɯː")
SONORANTS = VOWELS | frozenset("ɹlnmŋwj")
ENDING = " ?.!,;:…"


@dataclass(frozen=True)
class Shaping:
    """What the model is fed, per F0 frame, to say a sentence with render's prosody: Hz to add
    to its pitch and values to add to its energy."""

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


def lengthened(phonemes: str, duration: np.ndarray, words: Sequence[int], rising: bool) -> np.ndarray:
    """The ``frames`` input for ``phonemes`` (frames added per token, pads included): each
    emphasised word (indices into the words espeak-ng made,
    :func:`render.voices.engines.base.phoneme_words`) :data:`ACCENT_STRETCH` times as long as
    the model's ``duration`` makes it, at least a frame longer, the frames given to its vowels
    in turn; when ``rising``, :data:`RISE_FRAMES` more on the rising syllable's last vowel."""
    extra = np.zeros(len(phonemes) + 2, np.float32)
    frames = np.asarray(duration).ravel()
    spans = phoneme_words(phonemes)
    for w in words:
        if not 0 <= w < len(spans) or len(frames) != len(extra):
            continue
        lo, hi = spans[w]
        vowels = [i for i in range(lo, hi) if phonemes[i] in VOWELS] or list(range(lo, hi))
        for k in range(max(1, round((ACCENT_STRETCH - 1) * float(frames[lo + 1:hi + 1].sum())))):
            extra[vowels[k % len(vowels)] + 1] += 1
    span = rising_span(phonemes) if rising else None
    if span is not None:
        vowels = [i for i in range(*span) if phonemes[i] in VOWELS and phonemes[i] != "ː"]  # not the length mark
        if vowels and len(frames) == len(extra):
            extra[vowels[-1] + 1] += RISE_FRAMES
    return extra


def shape(phonemes: str, duration: np.ndarray, f0: np.ndarray, energy: np.ndarray, *,
          rising: bool, words: Sequence[int]) -> Shaping | None:
    """The pitch and energy that make ``phonemes`` say its emphasised ``words`` accented and,
    when ``rising``, end rising, from what the model predicted with the words already
    lengthened (:func:`lengthened`): ``duration`` (frames per token, pads included), ``f0`` and
    ``energy`` (two values a frame). None when the predictions do not fit the phonemes, or
    nothing is voiced."""
    f0, energy = np.asarray(f0, np.float32).ravel(), np.asarray(energy, np.float32).ravel()
    edges = np.concatenate([[0], np.cumsum(np.asarray(duration).ravel())]).astype(np.int64) * 2
    voiced = f0 > VOICED_HZ
    if len(edges) != len(phonemes) + 3 or edges[-1] != len(f0) or not voiced.any():
        return None
    pitch, loud = np.zeros(len(f0), np.float32), np.zeros(len(f0), np.float32)
    spans = phoneme_words(phonemes)
    for w in words:
        if 0 <= w < len(spans):
            _accent(pitch, f0, voiced, int(edges[spans[w][0] + 1]), int(edges[spans[w][1] + 1]))
    if rising:
        _rise(phonemes, edges, f0, energy, voiced, pitch, loud)
    return Shaping(pitch, loud)


def _cover_start(phonemes: str, edges: np.ndarray, voiced: np.ndarray, start: int, end: int) -> int:
    """``start`` (a token index) moved back, stressed syllable by stressed syllable within its
    clause, until the rise from there to ``end`` spans :data:`COVER` of the voiced frames."""
    need = COVER * int(voiced.sum())
    clause = max(phonemes.rfind(c, 0, start) for c in CLAUSE) + 1
    while int(voiced[edges[start + 1]:edges[end + 1]].sum()) < need:
        earlier = max(phonemes.rfind("ˈ", clause, start), phonemes.rfind("ˌ", clause, start))
        if earlier < 0:
            break
        start = earlier
    return start


def _accent(pitch: np.ndarray, f0: np.ndarray, voiced: np.ndarray, lo: int, hi: int) -> None:
    """Raise the voiced frames ``lo``..``hi`` (a word) in an arc peaking :data:`ACCENT_ST` over the model's F0."""
    if hi <= lo:
        return
    arc = np.clip(np.sin(np.pi * (np.arange(lo, hi) + 0.5 - lo) / (hi - lo)), 0.0, 1.0) ** 0.7
    pitch[lo:hi] += np.where(voiced[lo:hi], f0[lo:hi] * (2 ** (ACCENT_ST * arc / 12) - 1), 0.0)


def _rise(phonemes: str, edges: np.ndarray, f0: np.ndarray, energy: np.ndarray, voiced: np.ndarray,
          pitch: np.ndarray, loud: np.ndarray) -> None:
    """Voice the last stressed syllable onward again and make its pitch climb (the module's doc)."""
    span = rising_span(phonemes)
    if span is None:
        return
    start, end = span
    start = _cover_start(phonemes, edges, voiced, start, end)
    first = edges[start + 1]
    before = f0[:first][voiced[:first]]
    body = float(np.median(before if before.size else f0[voiced]))
    level = float(np.median(energy[voiced]))
    shaped = np.zeros(len(f0), bool)
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
        return
    lo, hi = int(frames[0]), int(frames[-1]) + 1
    along = (np.arange(lo, hi) - lo) / max(1, hi - lo - 1)
    target = body * 2 ** (RISE_ST * np.clip(along / REACH, 0.0, 1.0) / 12)
    pitch[lo:hi] = np.where(shaped[lo:hi], target - f0[lo:hi], pitch[lo:hi])
