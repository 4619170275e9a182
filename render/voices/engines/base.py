"""The one small interface every TTS engine implements."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from render.normalize.lexicon import LETTER_NAMES
from render.script.markup import PHONEME, RATE_MARK  # the script's markup: ``⟦word|ipa⟧``, ``⟪rate⟫``


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


_WORD = re.compile(r"\w")  # a phoneme group holding a letter is a word; one of punctuation is not


def word_spans(phonemes: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Where each word of a sentence is, in samples, from its phonemes' (phoneme, start, end):
    words are what espeak-ng's phonemes group between spaces (the same count as
    :func:`count_phoneme_words` gives); punctuation is no part of a word."""
    words: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for phoneme, start, end in phonemes:
        if _WORD.match(phoneme):
            current = (current[0] if current else start, end)
        elif phoneme == " " and current:
            words.append(current)
            current = None
    return [*words, current] if current else words


def phoneme_words(phonemes: str) -> list[tuple[int, int]]:
    """Where the words of espeak-ng's ``phonemes`` are (character spans): the groups between
    spaces that hold a letter (it joins some words: "was the" is one)."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", phonemes) if _WORD.search(m.group())]


def count_phoneme_words(phonemes: str) -> int:
    """How many words espeak-ng's ``phonemes`` hold (:func:`phoneme_words`)."""
    return len(phoneme_words(phonemes))


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


log = logging.getLogger(__name__)


_IPA_VOWELS = "aeiouyæɑɐɒɔəɚɛɜɝɪʊʌʏøœɯɤɨʉᵻ"
_STRESS = re.compile(rf"([ˈˌ])([^{_IPA_VOWELS}ˈˌ\s]+)(?=[{_IPA_VOWELS}])")


def espeak_ipa(ipa: str) -> str:
    """IPA as espeak-ng writes it, which is what Piper and Kokoro were trained on: a stress mark
    stands before the stressed vowel, not before its syllable (``ˌkuːbɚˈnɛtiːz`` becomes
    ``kˌuːbɚnˈɛtiːz``). Given the dictionary form, Piper put a vowel before the word
    (heard "the Kubernetes")."""
    return _STRESS.sub(lambda m: m.group(2) + m.group(1), ipa.strip().strip("/[]"))


def split_phonemes(text: str) -> list[tuple[str, bool]]:
    """``text`` as (part, is_ipa) pieces: plain text and the IPA of its phoneme spans (in
    espeak-ng's form, :func:`espeak_ipa`)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in PHONEME.finditer(text):
        out.append((text[pos:m.start()], False))
        out.append((espeak_ipa(m.group(2)), True))
        pos = m.end()
    out.append((text[pos:], False))
    return [(p, ipa) for p, ipa in out if p]


# espeak-ng reads a capital "A" that stands alone as the article (ɐ): "an A record" is "an uh
# record", "Plan A" "Plan uh", "quad-A" "quad-uh", and a spelled group after "for", "of" or "at"
# loses its first letter ("for A-W-S" is "for a W-S": Whisper heard "for WUS", "of the WS").
# "Eigh" is the letter's name to espeak-ng (the same in Piper's build and kokoro-onnx's), so the
# text an espeak-ng engine phonemizes names the letter there. Only the article's place keeps
# "A": first in a sentence (or after a dash, quote or bracket) and followed by a space, or before
# a word in capitals ("A REAL problem", said for stress or shouted; not a spelled "A-W-S").
ESPEAK_LETTER_A = "letter A as Eigh, not before capitals"  # in the espeak-ng engines' versions: it changes their audio
_LETTER_A = re.compile(r"(?<![\w'’])A(?![\w'’])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“‘(\[—–…])\s*$")
_A_NAMED = LETTER_NAMES["A"].capitalize()  # "Eigh": the lexicon's name for the letter, one place
_CAPS_WORD = re.compile(r" [A-Z]{2,}\b(?!-)")  # "A REAL problem", "WE HAVE A PROBLEM": words in capitals


# espeak-ng spells a word in capitals that its dictionary does not hold: "NAT" is N-A-T, "RAG"
# R-A-G, "MIG" M-I-G, "WAF" W-A-F, "SYN" S-Y-N (20 of the 53 such words in the show's scripts
# and test sets, 2026-12-07), against the normalizer, which keeps a run of capitals only where
# it is to be read as a word (one it means as letters is already "N-A-T"; AM and PM, two
# letters, stay). Such a word is given to the engine in lower case, which espeak-ng reads as
# a word. Only where espeak-ng reads the two differently: a word its dictionary holds is left
# as written, so "IBM's" keeps the dictionary's letters (in lower case, "ibm's" is "ibbums").
ESPEAK_CAPS = "capitals espeak-ng would spell, in lower case"  # in the espeak-ng engines' versions, as above
_CAPS_RUN = re.compile(r"(?<![\w'’-])[A-Z]{3,}(?=(?:['’]?s)?(?:[^\w'’-]|-[a-z]|$))")
_VOWEL = re.compile(r"[AEIOUY]")


def espeak_text(text: str) -> str:
    """``text`` as any espeak-ng engine should phonemize it: the letter A named (see above)."""
    if "A" not in text:
        return text

    def letter(m: re.Match[str]) -> str:
        after = text[m.end():]
        article = after.startswith(" ") and (_SENTENCE_START.search(text, 0, m.start()) or _CAPS_WORD.match(after))
        return "A" if article else _A_NAMED

    return _LETTER_A.sub(letter, text)


class EspeakText:
    """What one espeak-ng engine is given for a sentence: :func:`espeak_text`, and its words in
    capitals in lower case where its espeak-ng would spell them (decided by asking it, once
    per word: ``phonemize`` is the engine's own)."""

    def __init__(self, phonemize: Callable[[str], str]) -> None:
        self._phonemize = phonemize
        self._spelled: dict[str, bool] = {}

    def __call__(self, text: str) -> str:
        text = espeak_text(text)
        out, pos = [], 0
        for m in PHONEME.finditer(text):  # a <phoneme> span's IPA is left as it is
            out += [_CAPS_RUN.sub(self._word, text[pos:m.start()]), m.group(0)]
            pos = m.end()
        return "".join(out) + _CAPS_RUN.sub(self._word, text[pos:])

    def _word(self, m: re.Match[str]) -> str:
        word = m.group(0)
        if not _VOWEL.search(word):
            return word
        if word not in self._spelled:  # among other words: alone, espeak-ng reads "NAT" as a word
            self._spelled[word] = self._phonemize(f"the {word} one") != self._phonemize(f"the {word.lower()} one")
        return word.lower() if self._spelled[word] else word


def words_for_phonemes(text: str, engine: str) -> str:
    """For engines that cannot take phonemes (Festival, Coqui): each phoneme span as its
    written word, with one warning per word saying so."""
    def word(m: re.Match[str]) -> str:
        _warn_once(engine, m.group(1))
        return m.group(1)

    return PHONEME.sub(word, text)


@cache
def _warn_once(engine: str, word: str) -> None:
    log.warning("%s cannot speak phonemes: <phoneme> '%s' is read as the word", engine, word)


RISE = "\u2197"  # ends a sentence an engine that :func:`shapes_prosody` is to say as a rising question


def in_turn(engine: Engine, sentences: list[str]) -> Engine:
    """``engine`` as it says the ``sentences`` of one turn, one at a time: an engine whose
    voice depends on the length of what it is given (Kokoro's style row, ``for_turn``) takes
    the whole turn's, so a turn sounds the same however its sentences are split; the others
    are themselves."""
    for_turn = getattr(engine, "for_turn", None)
    return engine if for_turn is None else for_turn(sentences)


def shapes_prosody(engine: object) -> bool:
    """Whether ``engine`` says a sentence ending in :data:`RISE` rising and its ⟬marked⟭
    words accented itself, inside its model (Kokoro with render's prosody inputs); the
    others get both after synthesis (:mod:`render.audio.intonation`)."""
    return bool(getattr(engine, "shapes_prosody", False))


def marked_words(count_words: Callable[[str], int], text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The first word and the number of words of each character span of ``text``, counted
    in the engine's words (``count_words``: espeak-ng joins some words, "was the" is one),
    by counting the words it makes of the text before the span."""
    return [(count_words(text[:a]) if a else 0, max(1, count_words(text[a:b]))) for a, b in spans]


def split_rise(text: str) -> tuple[str, bool]:
    """``text`` without a final :data:`RISE` mark, and whether it had one."""
    return (text[:-1], True) if text.endswith(RISE) else (text, False)


def split_rate(text: str, engine: str | None = None) -> tuple[str, float]:
    """``text`` without its ``<prosody rate>`` mark, and the rate (> 1 faster). An engine
    that cannot change its rate per call (``engine`` named) warns once and gets 1.0."""
    m = RATE_MARK.match(text)
    if m is None:
        return text, 1.0
    if engine is not None:
        _warn_rate(engine)
        return text[m.end():], 1.0
    return text[m.end():], float(m.group(1))


@cache
def _warn_rate(engine: str) -> None:
    log.warning("%s has no rate per sentence: <prosody rate> is read at the voice's own rate", engine)
