"""Emphasis on a synthesized sentence: the ⟬marked⟭ words found in the engine's own timing
and given a pitch accent (:func:`render.audio.intonation.accent`).

The spoken text marks what the script stresses (:mod:`render.normalize.sentences`); an
engine that says where its words are (``synthesize_words`` and ``count_words``: Piper from
its phoneme alignments, Kokoro from its durations) gets the accent on exactly those words.
espeak-ng, which both use, joins some words ("was the" is one), so a marked span is found by
counting the words it makes of the text before it, not the text's own words.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from render.audio.intonation import accent
from render.script.markup import emphasis_spans
from render.voices.engines import Engine
from render.voices.engines.base import Clip, marked_words, shapes_prosody

log = logging.getLogger(__name__)


def speak(engine: Engine, sentence: str, name: str) -> Clip:
    """One sentence from ``engine``, its ⟬emphasised⟭ words given a pitch accent
    (:func:`render.audio.intonation.accent`) where the engine says where its words are."""
    if "⟬" not in sentence or shapes_prosody(engine):  # Kokoro accents in its own graph
        return engine.synthesize(sentence)
    text, spans = emphasis_spans(sentence)
    timed = getattr(engine, "synthesize_words", None)
    if timed is None:
        _no_word_times(name)
        return engine.synthesize(text)
    clip, words = timed(text)
    return stress(engine, text, spans, clip, words)


def stress(engine: Any, text: str, spans: list[tuple[int, int]], clip: Clip, words: list[tuple[int, int]]) -> Clip:
    """``clip`` (``text`` as ``engine`` said it, its words at ``words``: sample spans) with a
    pitch accent on the words at ``spans`` (characters of ``text``). A span is mapped to the
    engine's words by counting the words it makes of the text before it."""
    rate, audio = clip.sample_rate, clip.audio
    # The last first: a lengthened word moves only what follows it.
    for first, n in reversed(marked_words(engine.count_words, text, spans)):
        if first + n <= len(words):
            audio = accent(audio, rate, words[first][0] / rate, words[first + n - 1][1] / rate)
    return Clip(audio, rate)


@cache
def _no_word_times(engine: str) -> None:
    log.warning("%s does not say where its words are: emphasis is read without an accent", engine)
