"""The recognizer's prompt: the names the script writes, so Whisper spells them as the show does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from render.check.hear import TurnLayout, vocabulary, window_keys
from render.check.recognize import GLOSSARY_MAX, RATE, Recognizer, glossary, join
from render.normalize import Normalizer
from render.normalize.lexicon import Lexicon
from render.voices.cast import load_cast
from render.voices.engines import load_engine

ROOT = Path(__file__).resolve().parents[2]


def _turn(text: str, lexicon: list[tuple[str, str]] | None = None, key: str = "k") -> TurnLayout:
    return TurnLayout(1, "Alex", 3, 0.0, 5.0, key, text, text, lexicon or [])


def test_a_turns_names_are_its_entries_and_its_capitalized_or_mixed_words() -> None:
    turn = _turn("We cache it in Redis on EC2 and x86, with IaC. Today it runs on Kubernetes; "
                 "the team likes it.", [("NUMA", "noo-muh")])
    names = vocabulary(turn)
    assert names[0] == "NUMA"  # lexicon entries first, as the script writes them
    assert {"Redis", "EC2", "x86", "IaC", "Kubernetes"} <= set(names)
    assert not {"We", "Today", "cache", "the", "team"} & set(names)  # a sentence's first word is no name
    assert vocabulary(_turn("Plain words only, nothing named here.")) == []
    assert vocabulary(_turn("Edit resolv.conf and ask api.stripe.com, not e.g. the rest.")) == \
        ["resolv.conf", "api.stripe.com"]


def test_the_prompt_lists_each_name_once_and_stays_short() -> None:
    assert glossary(["Redis", "EC2", "Redis"]) == "We talk about Redis, EC2 today."
    assert glossary([]) is None
    many = glossary([f"Name{i}" for i in range(100)])
    assert many is not None and many.count(",") == GLOSSARY_MAX - 1


def test_what_a_window_was_heard_as_is_cached_with_its_prompt() -> None:
    """Same audio keys, other names in the text: heard with another prompt, so heard again."""
    a = window_keys([_turn("It runs on Cilium.")], "tiny")
    b = window_keys([_turn("It runs on Calico.")], "tiny")
    assert a != b
    assert a == window_keys([_turn("It runs on Cilium.")], "tiny")


@pytest.mark.slow
@pytest.mark.parametrize("speaker", ["Jordan", "Alex"])
def test_prompted_whisper_spells_the_names_said_and_adds_none_that_were_not(speaker: str) -> None:
    """Whisper tiny spells names it has not seen by their sound ("6-store", "Carpenter",
    "silly yum", "CiliaM"); prompted with the script's names it writes them as the show does.
    A name that was not said (Valkey, Graviton in the prompt, "walkie talkies" and "gravity"
    in the audio) is not written in its place."""
    engine = load_engine(load_cast(ROOT / "voices").voices[speaker], 2)
    recognizer = Recognizer()
    normalize = Normalizer(Lexicon.shipped())
    import soxr

    def hear(text: str, names: list[str]) -> tuple[str, str]:
        clip = engine.synthesize(normalize(text))
        audio = soxr.resample(clip.audio, clip.sample_rate, RATE).astype(np.float32)
        plain, prompted = recognizer.transcribe([join([(0, audio)]), join([(1, audio)], glossary(names))])
        return plain.lower(), prompted.lower()

    try:
        plain, prompted = hear("Every image is signed with Sigstore, and Karpenter adds the nodes.",
                               ["Sigstore", "Karpenter"])
        assert "sigstore" in prompted and "karpenter" in prompted, prompted
        assert "sigstore" not in plain, plain  # what the check wrote down before it prompted
        plain, prompted = hear("The network policy runs on Cilium in every cluster.", ["Cilium"])
        assert "cilium" in prompted and "cilium" not in plain, (plain, prompted)
        _, prompted = hear("We swapped the cache for walkie talkies when the license changed.", ["Valkey"])
        assert "valkey" not in prompted, prompted
        _, prompted = hear("The build fleet is all gravity and no cost.", ["Graviton"])
        assert "graviton" not in prompted and "gravity" in prompted, prompted
    finally:
        engine.close()
