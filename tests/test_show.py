"""The whole show: a series folder holding every kind of file the producer keeps, rendered
with the real engines; the voice markup heard, not read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from render.check.recognize import RATE, Recognizer, join
from render.voices.cast import load_cast
from render.voices.engines import load_engine
from tests.conftest import ROOT, make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

DIALOGUE = """---
title: Dialogue
---
# Dialogue

**Jordan**: Welcome back. Today we talk about Zeebric and the cost of analytics.

**Alex**: Zeebric runs inside your process, so there is no server to pay for.
"""

OUTLINE = """# Outline

**Target Duration**: 1-2 minutes (quick test)

## Pronunciation Notes
- Zeebric: "zee brick"
"""

MARKUP = ("# Pronunciation-ready script\n\n"
          'Speaker 1: Last month, a <phoneme alphabet="ipa" ph="sæs">SaaS</phoneme> company got their '
          '<say-as interpret-as="characters">AWS</say-as> bill. [pause long] Twenty-eight thousand dollars.\n'
          'Speaker 2: That is <sub alias="Kubernetes">K8s</sub> for you. <break time="600ms"/> Zeebric would not help.\n')

LESSON = """Welcome to lesson four. Today we look at how a scheduler places a pod on a node.

The scheduler filters the nodes that cannot run the pod, then scores the rest.
"""

LESSON_PAGE = """---
title: Lesson 5
---
import Callout from '@site/src/Callout';

# Lesson 5: Nodes

<Callout>Prerequisites: lesson 4.</Callout>

## Learning goals
- Know what a node is

## Transcript

Welcome to lesson five. A node is a machine that runs pods.

Each node runs a kubelet, which starts the containers the scheduler placed there.

## Resources
- [Docs](https://kubernetes.io)
"""

SHOW_NOTES = """# Episode 64 show notes

**Counter-point**: Not everyone agrees with the premise.

| Tool | Link |
|---|---|
| Parca | https://parca.dev |
"""


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:  # noqa: F821
    proj = make_project(tmp_path_factory.mktemp("show") / "p", {
        "00061-dialogue.md": DIALOGUE, "00061-dialogue.outline.md": OUTLINE, "00062-markup.md": MARKUP,
        "00063-lesson.txt": LESSON, "00064-notes.md": SHOW_NOTES, "00065-lesson.mdx": LESSON_PAGE})
    # no [aliases]: the "Speaker 1:" script is read by the cast's hosts in order
    res = run_cli("series", "--draft", "--no-check", "--no-music", "--jobs", "1", cwd=proj)
    return proj, res


def _report(proj: Path, ep: str) -> dict:
    return json.loads((proj / "output" / ep / "draft" / "report.json").read_text(encoding="utf-8"))


def test_a_series_renders_every_kind_of_script_and_skips_show_notes(show) -> None:
    proj, res = show
    assert res.returncode == 0, res.stdout + res.stderr
    rows = {line.split("│")[1].strip(): line for line in res.stdout.splitlines() if line.count("│") > 5}
    assert set(rows) == {"00061", "00062", "00063", "00064", "00065"}
    assert "skipped: no script" in rows["00064"] and "failed" not in res.stdout
    assert "within" in rows["00061"] or "short" in rows["00061"] or "long" in rows["00061"]
    lesson = _report(proj, "00063")
    assert lesson["turns"] == 2 and list(lesson["speakers"]) == ["Jordan"]
    assert any("narration read by Jordan" in n for n in lesson["notes"])
    assert any(n.startswith("Speaker 1 read by Jordan, Speaker 2 read by Alex") for n in _report(proj, "00062")["notes"])
    assert not (proj / "output" / "00064").exists()
    page = _report(proj, "00065")  # an MDX lesson page: its Transcript section, one turn per paragraph
    assert page["turns"] == 2 and page["words"] == 25


def test_the_episode_summary_prints_its_notes_as_written(show) -> None:
    """The summary is plain text: "[speakers]" in a note is no console markup to swallow."""
    proj, _ = show
    res = run_cli("episode", "00063", "--draft", "--no-check", "--no-music", cwd=proj)
    assert res.returncode == 0, res.stdout + res.stderr
    assert 'add Narrator = "VOICE" under [speakers] in voices/cast.toml' in res.stdout
    assert "cache    2 hits, 0 synthesized" in res.stdout  # the series' turns, reused


def test_targets_notes_and_turns_reach_the_episode_they_belong_to(show) -> None:
    proj, _ = show
    dialogue = _report(proj, "00061")
    assert dialogue["target"]["min_s"] == 60 and dialogue["target"]["source"].endswith(".outline.md:3")
    assert dialogue["pronunciation"] == [{"word": "Zeebric", "say": "zee brick", "source": "00061-dialogue.outline.md:6"}]
    turns = json.loads((proj / "output" / "00061" / "draft" / "turns.json").read_text(encoding="utf-8"))
    assert "zee brick" in turns[0]["spoken"]
    other = json.loads((proj / "output" / "00062" / "draft" / "turns.json").read_text(encoding="utf-8"))
    assert "Zeebric" in other[1]["spoken"] and "zee brick" not in other[1]["spoken"]  # only its own episode
    assert "pronunciation" not in _report(proj, "00062")


def test_no_markup_is_spoken_and_captions_show_the_written_words(show) -> None:
    proj, _ = show
    res = run_cli("script", "62", "--json", cwd=proj)
    assert res.returncode == 0, res.stderr
    for turn in json.loads(res.stdout):
        assert not re.search(r"[<>\[\]]|say-as|interpret-as|phoneme|alphabet|pause", turn["spoken"]), turn["spoken"]
    vtt = (proj / "output" / "00062" / "draft" / "captions.vtt").read_text(encoding="utf-8")
    assert "SaaS company got their AWS" in vtt and "K8s for you" in vtt and "<say" not in vtt


def test_pause_long_is_real_silence_where_it_stands(show) -> None:
    proj, _ = show
    import webvtt

    folder = proj / "output" / "00062" / "draft"
    cues = [(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000,
             " ".join(c.text.split())) for c in webvtt.read(folder / "captions.vtt")]
    ends = {text: end for _, end, text in cues}
    starts = {text: start for start, _, text in cues}
    before = next(t for t in ends if t.endswith("bill."))
    after = next(t for t in starts if t.startswith("Twenty-eight"))
    audio, rate = sf.read(folder / "00062-markup.mp3", dtype="float32")
    gap = audio[int((ends[before] + 0.05) * rate): int((starts[after] - 0.05) * rate)]
    assert starts[after] - ends[before] >= 0.9
    assert len(gap) / rate >= 0.5 and float(np.sqrt(np.mean(gap ** 2))) < 0.003


@pytest.mark.parametrize("voice", ["joe", "alex"])  # the draft and quality casts' Piper, and Kokoro
def test_an_ipa_span_is_said_as_its_phonemes(voice: str) -> None:
    engine = load_engine(load_cast(ROOT / "voices").voices["Jordan" if voice == "joe" else "Alex"], 2)
    recognizer = Recognizer()

    def hear(text: str) -> str:
        clip = engine.synthesize(text)
        audio = soxr.resample(clip.audio, clip.sample_rate, RATE).astype(np.float32)
        return recognizer.transcribe([join([(0, audio)])])[0].lower()

    # the issue's own IPA (dictionary stress marks); Alex's Kokoro and Jordan's Piper (no
    # sampling noise) say a sentence the same way every time, so one take is the answer
    # (not "…on Kubernetes these days": Piper joe's /k/ there is heard "tubernetes" even as text)
    heard = hear("Our platform is built on ⟦Foo|ˌkuːbɚˈnɛtiːz⟧.")
    assert "kubernetes" in heard and "foo" not in heard, heard
    assert "kubernetes" not in hear("Our platform is built on Foo.")


@pytest.mark.parametrize("voice", ["joe", "alex"])
def test_a_prosody_rate_changes_the_engines_rate_for_that_span(voice: str) -> None:
    engine = load_engine(load_cast(ROOT / "voices").voices["Jordan" if voice == "joe" else "Alex"], 2)
    text = "Measure your busiest service before you change anything at all."
    normal = engine.synthesize(text).seconds
    slow, fast = engine.synthesize(f"⟪0.7⟫ {text}").seconds, engine.synthesize(f"⟪1.3⟫ {text}").seconds
    assert slow > normal * 1.15 and fast < normal * 0.9, (slow, normal, fast)
