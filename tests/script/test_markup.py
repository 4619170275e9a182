"""The producer's voice markup: every tag and cue obeyed or dropped, none ever spoken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from render.normalize import Normalizer
from render.normalize.sentences import speak
from render.script.markup import Pause, Rate, Spoken, Stress, segments, written, xsampa_to_ipa
from render.script.parse import parse_text

HOSTS = ["Jordan", "Alex"]

CASES = [  # markup, written, spoken parts (Spoken spans and pauses)
    ('a <say-as interpret-as="characters">AWS</say-as> bill', "a AWS bill", [Spoken("AWS", "A-W-S")]),
    ('<say-as interpret-as="spell-out">nginx</say-as>', "nginx", [Spoken("nginx", "N-G-I-N-X")]),
    ('call <say-as interpret-as="telephone">555-0100</say-as>', "call 555-0100",
     [Spoken("555-0100", "five five five zero one zero zero")]),
    ('<say-as interpret-as="digits">42</say-as>', "42", [Spoken("42", "four two")]),
    ('<say-as interpret-as="cardinal">42</say-as>', "42", []),  # the normalizer reads it
    ('<sub alias="Kubernetes">K8s</sub>', "K8s", [Spoken("K8s", "Kubernetes")]),
    ('<phoneme alphabet="ipa" ph="sæs">SaaS</phoneme>', "SaaS", [Spoken("SaaS", "⟦SaaS|sæs⟧")]),
    ('one. <break time="800ms"/> two', "one. two", [Pause(0.8)]),
    ('one <break time="1.5s"/> two', "one two", [Pause(1.5)]),
    ('one <break strength="strong"/> two', "one two", [Pause(0.8)]),
    ("one [pause] two [pause short] three [pause long] four [beat] five", "one two three four five",
     [Pause(0.6), Pause(0.35), Pause(1.0), Pause(0.5)]),
    ("<speak><p><s>Hello <emphasis level=\"strong\">there</emphasis>.</s></p></speak>", "Hello there.",
     [Stress(True), Stress(False)]),
    ('a <emphasis level="reduced">quiet</emphasis> word', "a quiet word", [Stress(False), Stress(False)]),
    ('<prosody rate="slow">slowly</prosody> now', "slowly now", [Rate(0.85), Rate(None)]),
    ('<prosody rate="120%">quick</prosody>', "quick", [Rate(1.2), Rate(None)]),
    ('<phoneme alphabet="x-sampa" ph="s{s">SaaS</phoneme>', "SaaS", [Spoken("SaaS", "⟦SaaS|sæs⟧")]),
    ('<phoneme alphabet="x-sampa" ph="%ku:b@`&quot;nEti:z">K</phoneme>', "K", [Spoken("K", "⟦K|ˌkuːbɚ&quot;nɛtiːz⟧")]),
]


@pytest.mark.parametrize("markup,text,parts", CASES)
def test_each_tag_and_cue(markup: str, text: str, parts: list[object]) -> None:
    got, problems = segments(markup)
    assert problems == []
    assert written(markup) == text
    assert [p for p in got if not isinstance(p, str)] == parts


@pytest.mark.parametrize("markup,problem", [
    ("a <foo-bar>word</foo-bar> b", "unknown tag"),
    ('a <say-as interpret-as="characters">AWS b', "not closed"),
    ('a <break time="soon"/> b', "a break needs"),
    ('a <phoneme alphabet="arpabet" ph="S AE S">SaaS</phoneme>', "alphabet is ipa or x-sampa"),
    ('a <prosody rate="warp">b</prosody>', "a rate is"),
])
def test_unknown_or_malformed_markup_is_named_and_never_spoken(markup: str, problem: str) -> None:
    got, problems = segments(markup)
    assert len(problems) == 1 and problem in problems[0].why
    spoken = " ".join(p.spoken if isinstance(p, Spoken) else p for p in got if not isinstance(p, Pause | Rate))
    assert not re.search(r"[<>]|say-as|interpret|phoneme|alphabet|foo-bar", spoken)


def test_a_turn_with_markup_speaks_none_of_it_and_pauses_where_it_says() -> None:
    text = ('Speaker 1: Last month, a <phoneme alphabet="ipa" ph="sæs">SaaS</phoneme> company got their '
            '<say-as interpret-as="characters">AWS</say-as> bill. [pause short] Their new setup: [pause long] '
            'twenty-eight thousand dollars.\nSpeaker 2: Wow. [beat] Really?\n')
    script = parse_text(text, Path("x.md"), HOSTS, aliases={"Speaker 1": "Jordan", "Speaker 2": "Alex"})
    turns = speak(script.turns, Normalizer())
    first = turns[0]
    assert first.text == "Last month, a SaaS company got their AWS bill. Their new setup: twenty-eight thousand dollars."
    assert [w for w, _ in first.sentences] == ["Last month, a SaaS company got their AWS bill.", "Their new setup:",
                                               "twenty-eight thousand dollars."]
    assert first.pauses == [0.35, 1.0, 0.0]
    for t in turns:
        for _, spoken in t.sentences:
            assert not re.search(r"[<>\[\]]|say-as|interpret-as|alphabet|pause short", spoken.replace("⟦", "")
                                 .replace("⟧", "")), spoken
    assert "A-W-S" in first.spoken and "⟦" not in first.spoken  # the phoneme span is its word in `spoken`
    # a pause is never crossed by the one-word join: "Wow." stays before its beat
    assert turns[1].sentences == [("Wow.", "Wow."), ("Really?", "Really?")] and turns[1].pauses == [0.5, 0.0]


def test_a_span_that_runs_on_into_a_word_is_read_with_it() -> None:
    """``<say-as …>CVE</say-as>-2024-3094`` is one identifier (90009 writes it so): read apart,
    its rest was "minus two thousand twenty-four to three thousand ninety-four"."""
    def said(line: str) -> tuple[str, str]:
        turn = speak(parse_text(f"**Jordan**: {line}\n", Path("x.md"), HOSTS).turns, Normalizer())[0]
        return turn.text, turn.spoken

    chars = '<say-as interpret-as="characters">{}</say-as>'
    assert said(f"It was {chars.format('CVE')}-2024-3094 in it.") == (
        "It was CVE-2024-3094 in it.", "It was C-V-E twenty twenty-four thirty ninety-four in it.")
    assert said(f"Two {chars.format('SBOM')}s, and {chars.format('XYZ')}-12 too.")[1] == \
        "Two S-B-O-M's, and X-Y-Z twelve too."
    assert said('The <sub alias="kubernetes">k8s</sub> docs.')[1] == "The kubernetes docs."  # a space: apart


def test_x_sampa_becomes_ipa_and_a_rate_span_is_its_own_engine_call() -> None:
    assert xsampa_to_ipa('%ku:b@`"nEti:z') == "ˌkuːbɚˈnɛtiːz"
    assert xsampa_to_ipa("r\\Ed") == "ɹɛd"
    script = parse_text('**Jordan**: We said it <prosody rate="slow">very slowly and clearly</prosody> then moved on.\n',
                        Path("x.md"), HOSTS)
    (turn,) = speak(script.turns, Normalizer())
    assert [s for _, s in turn.sentences] == ["We said it", "⟪0.85⟫ very slowly and clearly", "then moved on."]
    assert turn.pauses == [0.0, 0.0, 0.0] and "⟪" not in turn.spoken
