"""Words in capitals reach espeak-ng in lower case where it would spell them: espeak-ng spells
a capitalized word its dictionary lacks ("NAT" N-A-T, "RAG" R-A-G), while the normalizer keeps
capitals only for a word it means to be read as a word; a word its dictionary holds ("IBM",
"NASA") is left as written (:class:`render.voices.engines.base.EspeakText`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from render.normalize import Normalizer
from render.normalize.lexicon import Lexicon
from render.voices.engines.base import EspeakText

# (a script's words; what espeak-ng should say, written as it reads it)
CASES = [
    ("The NAT gateway costs money.", "The nat gateway costs money."),
    ("We use RAG on a MIG slice.", "We use rag on a mig slice."),
    ("Check the PID, the SHA and the SYN.", "Check the pid, the shah and the sin."),
    ("Two NATs and the NAT-gateway.", "Two nats and the nat-gateway."),
    ("Our WAF and the OPA agent.", "Our waff and the opa agent."),
    # espeak-ng's own dictionary: letters for IBM, also with "'s" (in lower case it was "ibbums")
    ("IBM's report and NASA's rocket.", "IBM's report and NASA's rocket."),
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
    """Through the normalizer (field lexicon) and what the engine is given, espeak-ng's
    phonemes are those of the words as meant."""
    given = EspeakText(phonemes)
    spoken = Normalizer(Lexicon.shipped())(written)
    assert phonemes(given(spoken)) == phonemes(given(said))


def test_without_it_espeak_ng_spells_them(phonemes: Callable[[str], str]) -> None:
    assert phonemes("The NAT gateway") != phonemes("The nat gateway")  # the bug this mends: N-A-T
    assert phonemes("We use RAG") != phonemes("We use rag")
    assert phonemes("IBM's report") != phonemes("ibm's report")  # why a dictionary word is left alone


def test_phoneme_spans_and_runs_without_a_vowel_are_left_alone(phonemes: Callable[[str], str]) -> None:
    given = EspeakText(phonemes)
    assert given("We said ⟦NAT|næt⟧ and RTT and XXL.") == "We said ⟦NAT|næt⟧ and RTT and XXL."
    assert given("The NAT and IBM.") == "The nat and IBM."


@pytest.mark.slow
def test_both_engines_decide_alike() -> None:
    """Piper's espeak-ng and kokoro-onnx's (another build) spell and read the same words."""
    from pathlib import Path

    from render.voices.cast import load_cast
    from render.voices.engines import load_engine

    cast = load_cast(Path(__file__).resolve().parents[2] / "voices")
    text = "The NAT, RAG, MIG, IBM's PID and NASA's OPA."
    given = []
    for speaker in ("Jordan", "Alex"):
        engine = load_engine(cast.voices[speaker], 1)
        given.append(engine._espeak_text(text))  # type: ignore[attr-defined]
        engine.close()
    assert given[0] == given[1] == "The nat, rag, mig, IBM's pid and NASA's opa."
