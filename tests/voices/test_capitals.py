"""Words in capitals reach espeak-ng in lower case: espeak-ng spells a capitalized word its
dictionary lacks ("NAT" N-A-T, "RAG" R-A-G), while the normalizer keeps capitals only for a
word it means to be read as a word (:func:`render.voices.engines.base.espeak_text`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from render.normalize import Normalizer
from render.normalize.lexicon import Lexicon
from render.voices.engines.base import espeak_text

# (a script's words; what espeak-ng should say, written as it reads it)
CASES = [
    ("The NAT gateway costs money.", "The nat gateway costs money."),
    ("We use RAG on a MIG slice.", "We use rag on a mig slice."),
    ("Check the PID, the SHA and the SYN.", "Check the pid, the shah and the sin."),
    ("Two NATs and the NAT-gateway.", "Two nats and the nat-gateway."),
    ("Our WAF and the OPA agent.", "Our waff and the opa agent."),
    # spelled on purpose: by the lexicon or the acronym rule, and two letters
    ("The AWS and GCP bills, at 9 AM.", "The A-W-S and G-C-P bills, at nine AM."),
    ("An HTTP call.", "An H-T-T-P call."),
]


@pytest.fixture(scope="module")
def phonemes() -> Callable[[str], str]:
    from piper.phonemize_espeak import EspeakPhonemizer

    phonemizer = EspeakPhonemizer()
    return lambda text: "".join("".join(s) for s in phonemizer.phonemize("en-us", text))


@pytest.mark.parametrize(("written", "said"), CASES)
def test_espeak_ng_reads_the_normalizers_words_in_capitals_as_words(phonemes: Callable[[str], str], written: str,
                                                                    said: str) -> None:
    """Through the normalizer (field lexicon) and ``espeak_text``, espeak-ng's phonemes are
    those of the words as meant; as the normalizer alone gives them, the words in capitals were
    spelled."""
    spoken = Normalizer(Lexicon.shipped())(written)
    assert phonemes(espeak_text(spoken)) == phonemes(espeak_text(said))


def test_without_it_espeak_ng_spells_them(phonemes: Callable[[str], str]) -> None:
    assert phonemes("The NAT gateway") != phonemes("The nat gateway")  # the bug this mends: N-A-T
    assert phonemes("We use RAG") != phonemes("We use rag")


def test_phoneme_spans_and_runs_without_a_vowel_are_left_alone() -> None:
    assert espeak_text("We said ⟦NAT|næt⟧ and RTT and XXL.") == "We said ⟦NAT|næt⟧ and RTT and XXL."
