"""The letter A reaches espeak-ng as its name: a capital "A" alone is the article to espeak-ng
("an A record" was "an uh record", "for A-W-S" "for a W-S"), so Piper and Kokoro are given
"Eigh" wherever the script means the letter (:func:`render.voices.engines.base.espeak_text`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soxr

from render.check.recognize import RATE, Recognizer, join
from render.voices.cast import load_cast
from render.voices.engines import load_engine
from render.voices.engines.base import espeak_text

ROOT = Path(__file__).resolve().parents[2]

# (the engine's text, as the normalizer writes it; what espeak-ng is given)
CASES = [
    ("It asks for A-P-I dot stripe dot com.", "It asks for Eigh-P-I dot stripe dot com."),
    ("The bill for A-W-S went up.", "The bill for Eigh-W-S went up."),
    ("an A and a quad-A query", "an Eigh and a quad-Eigh query"),
    ("Plan A was to wait.", "Plan Eigh was to wait."),
    ("Type A, then B.", "Type Eigh, then B."),
    ("an A B test", "an Eigh B test"),
    ("A-W-S is big.", "Eigh-W-S is big."),
    # the article's place: first in a sentence, or after a dash or quote, before a word
    ("A headless Service is one.", "A headless Service is one."),
    ("So. A record is there.", "So. A record is there."),
    ('He said, "A new era."', 'He said, "A new era."'),
    ("It changed — A new one came.", "It changed — A new one came."),
    # before a word in capitals (stress, a shout) it is the article; a spelled group is letters
    ("This is A REAL problem.", "This is A REAL problem."),
    ("WE HAVE A PROBLEM here.", "WE HAVE A PROBLEM here."),
    ("Is it A or B?", "Is it Eigh or B?"),
    # no letter alone: words, plurals, model names
    ("Anna and ADA and straight A's", "Anna and ADA and straight A's"),
    ("the A one hundred", "the Eigh one hundred"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_the_letter_a_is_named_where_the_script_means_the_letter(text: str, expected: str) -> None:
    assert espeak_text(text) == expected


def test_espeak_ng_says_the_name_where_it_said_the_article() -> None:
    from piper.phonemize_espeak import EspeakPhonemizer

    phonemizer = EspeakPhonemizer()

    def phonemes(text: str) -> str:
        return "".join("".join(s) for s in phonemizer.phonemize("en-us", text))

    for text in ("for A-W-S now", "an A record", "of A-P-I design", "a quad-A query", "Plan A was"):
        assert phonemes(text).count("eɪ") == 0, text  # espeak-ng's article, the bug this mends
        assert phonemes(espeak_text(text)).count("eɪ") == 1, text


@pytest.mark.slow
@pytest.mark.parametrize("speaker", ["Jordan", "Alex"])  # Piper joe and Kokoro
def test_both_voices_say_the_letter_a_whisper_hears_it(speaker: str) -> None:
    engine = load_engine(load_cast(ROOT / "voices").voices[speaker], 2)
    recognizer = Recognizer()

    def hear(text: str) -> str:
        clip = engine.synthesize(text)
        audio = soxr.resample(clip.audio, clip.sample_rate, RATE).astype(np.float32)
        return recognizer.transcribe([join([(0, audio)])])[0].lower()

    # before: "the bill for WUS" / "for a WS", "it returns an record" / "in a record"
    assert "aws" in hear("The bill for A-W-S went up again.")
    assert "an a record" in hear("It returns an A record for every pod.")
