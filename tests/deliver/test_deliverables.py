"""Captions, transcripts and chapters line up with the audio and parse in real readers."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
import webvtt
from mutagen.id3 import ID3

from render.audio.assemble import TurnSpan
from render.deliver.captions import LINE_CHARS, build_cues, to_srt, to_transcript_json, to_vtt
from render.deliver.chapters import chapters_for, clean_title, time_chapters
from render.normalize import Normalizer
from render.normalize.sentences import speak
from render.script.parse import Turn, parse_file, parse_text
from tests.conftest import EPISODE, OUTLINE, run_cli


def _synthetic() -> tuple[list[Turn], list[TurnSpan]]:
    long = ("Tim Wickberg from SchedMD, the company that makes Slurm, the dominant HPC scheduler, "
            "said HPC workloads can see thirty to forty percent performance differences from "
            "misaligned versus aligned resources.")
    turns = speak([Turn(0, "Jordan", "Hi there. " + long, 1), Turn(1, "Alex", "Short one.", 3)], Normalizer())
    spans = [TurnSpan(0, "Jordan", 4.0, 17.5, [(4.0, 4.4), (4.6, 17.5)]),
             TurnSpan(1, "Alex", 17.9, 18.8, [(17.9, 18.8)])]
    return turns, spans


def test_cues_inside_turns_ordered_and_sized() -> None:
    turns, spans = _synthetic()
    cues = build_cues(turns, spans)
    assert next(c.speaker for c in cues) == "Jordan" and cues[-1].speaker == "Alex"
    for prev, cur in itertools.pairwise(cues):
        assert prev.start_s < prev.end_s <= cur.start_s
    for c in cues:
        span = spans[0] if c.speaker == "Jordan" else spans[1]
        assert span.start_s <= c.start_s < c.end_s <= span.end_s + 1e-9
        assert len(c.text) <= 2 * LINE_CHARS
        assert c.end_s - c.start_s <= 7.5
    assert "Slurm" in " ".join(c.text for c in cues)  # written text, not spoken form
    vtt = to_vtt(cues)
    assert vtt.startswith("WEBVTT") and "<v Jordan>" in vtt
    for block in vtt.split("\n\n")[1:]:
        lines = [ln for ln in block.splitlines()[2:]]
        assert len(lines) <= 2 and all(len(re.sub(r"<v [^>]+>", "", ln)) <= LINE_CHARS for ln in lines)
    data = json.loads(to_transcript_json(cues))
    assert data["version"] == "1.0.0" and data["segments"][0]["speaker"] == "Jordan"


def _parse_srt(text: str) -> list[tuple[str, str, str]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        out.append((start, end, " ".join(lines[2:])))
    return out


def test_srt_round_trips_with_vtt(tmp_path: Path) -> None:
    turns, spans = _synthetic()
    cues = build_cues(turns, spans)
    srt = _parse_srt(to_srt(cues))
    (tmp_path / "c.vtt").write_text(to_vtt(cues))
    vtt = webvtt.read(str(tmp_path / "c.vtt"))
    assert len(srt) == len(vtt.captions) == len(cues)
    for (s, e, text), cap in zip(srt, vtt.captions, strict=True):
        assert s.replace(",", ".") == cap.start and e.replace(",", ".") == cap.end
        assert text == " ".join(cap.text.splitlines())


@pytest.fixture(scope="module")
def chapters_00035():
    script = parse_file(EPISODE, ["Jordan", "Alex"])
    turns = script.turns
    chapters, source = chapters_for(script, turns, OUTLINE)
    return turns, chapters, source


def test_outline_alignment_puts_chapters_at_the_right_turns(chapters_00035) -> None:
    turns, chapters, source = chapters_00035
    assert source == "outline"
    titles = [c.title for c in chapters]
    assert titles[0] == "Series Introduction" and titles[-1] == "Series Preview and Outro"
    first = {c.title: turns[c.first_turn].text for c in chapters}
    # Checked by hand against the script; each is the turn where the section really starts.
    assert first["Discovery 1: Dynamic Resource Allocation Goes GA"].startswith("First, Dynamic Resource Allocation")
    assert first["Discovery 2: CPU DRA Driver - HPC Convergence"].startswith("CPUs. The CPU DRA driver")
    assert first["Discovery 3: Workload API Solves Gang-Scheduling"].startswith(
        "Exactly. Which brings us to announcement two. The Workload API")
    assert first["Discovery 4: The 30,000 Core Lesson"].startswith("OpenAI. Ten petabytes of logs")
    assert first["Series Preview and Outro"].startswith("That's the technical story from KubeCon")
    starts = [c.first_turn for c in chapters]
    assert starts == sorted(set(starts)) and starts[0] == 0


def test_chapter_times_cover_the_episode(chapters_00035) -> None:
    turns, chapters, _ = chapters_00035
    spans = [TurnSpan(t.index, t.speaker, 4 + 10.0 * t.index, 4 + 10.0 * t.index + 9) for t in turns]
    timed = time_chapters(chapters, spans, 1200.0, 0.025)
    assert timed[0].start_s == 0.0 and timed[-1].end_s == 1200.0
    for a, b in itertools.pairwise(timed):
        assert a.start_s < b.start_s and a.end_s == b.start_s


def test_rendered_episode_deliverables(project: Path) -> None:
    res = run_cli("episode", "1", cwd=project)
    assert res.returncode == 0, res.stderr
    folder = project / "output" / "00001"
    report = json.loads((folder / "report.json").read_text())
    names = {Path(f["path"]).name: f["bytes"] for f in report["files"]}
    assert set(names) == {"00001-test.mp3", "captions.vtt", "captions.srt", "transcript.json", "chapters.json",
                          "turns.json", "mix.json"}
    assert all(names[n] == (folder / n).stat().st_size for n in names)
    # what render check reads: every turn's place in the file, its text and its audio key
    layout = json.loads((folder / "turns.json").read_text())
    assert [t["turn"] for t in layout] == list(range(1, report["turns"] + 1))
    assert all(0 < t["start_s"] < t["end_s"] <= report["duration_s"] for t in layout)
    assert all(len(t["key"]) == 64 and t["spoken"] for t in layout)
    assert report["check"]["turns"] == report["turns"]
    assert "check" in report["timings"]
    duration = report["duration_s"]
    turns = json.loads(run_cli("script", "1", "--json", cwd=project).stdout)
    vtt = webvtt.read(str(folder / "captions.vtt"))
    assert len(vtt.captions) >= len(turns)
    assert vtt.captions[0].raw_text.startswith("<v Jordan>Welcome back.")
    seg = json.loads((folder / "transcript.json").read_text())["segments"]
    assert [s["body"] for s in seg][:2] == ["Welcome back.", "Today we cover Kubernetes 1.34 and a $2.16 million lesson."]
    assert all(0 < s["startTime"] < s["endTime"] <= duration for s in seg)
    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    assert chapters[0]["startTime"] == 0 and chapters[-1]["endTime"] == pytest.approx(duration, abs=0.01)
    id3 = ID3(folder / "00001-test.mp3")
    toc = id3.getall("CTOC")
    chaps = id3.getall("CHAP")
    assert len(toc) == 1 and len(chaps) == len(chapters) == len(toc[0].child_element_ids)
    assert str(chaps[0].sub_frames["TIT2"]) == chapters[0]["title"]


def test_an_outlines_list_of_parts_gives_the_chapters(tmp_path: Path) -> None:
    """An outline whose "## Parts" is a list of bullets (no "### ACT" sections) gave one chapter."""
    script = parse_text(
        "# Postgres\n\n**Jordan**: Welcome back. Today it is Postgres.\n\n**Alex**: Vacuum first: dead tuples pile up.\n\n"
        "**Jordan**: And wraparound?\n\n**Alex**: Transaction IDs wrap after two billion.\n\n"
        "**Jordan**: Connections next. Each one is a process.\n\n**Alex**: So use a pooler like PgBouncer.\n\n"
        "**Jordan**: What about read replicas?\n\n**Alex**: Replicas lag, and failover needs a plan.\n",
        Path("x.md"), ["Jordan", "Alex"])
    outline = tmp_path / "x.outline.md"
    outline.write_text("# Outline\n\n**Target Length**: 10 minutes\n\n## Parts\n- Vacuum and wraparound (3 min)\n"
                       "- Connections and poolers\n  - a sub-point\n- Replicas and failover\n", encoding="utf-8")
    chapters, source = chapters_for(script, script.turns, outline)
    assert source == "outline"
    assert [(c.title, c.first_turn) for c in chapters] == [
        ("Vacuum and wraparound", 0), ("Connections and poolers", 4), ("Replicas and failover", 6)]


def test_turns_before_the_first_heading_are_an_opening_chapter() -> None:
    script = parse_text("# Show\n\n**Jordan**: Hi.\n\n**Alex**: Hello.\n\n## Costs\n\n**Jordan**: Money.\n\n"
                        "## Wrap-up\n\n**Alex**: Bye.\n", Path("x.md"), ["Jordan", "Alex"])
    chapters, source = chapters_for(script, script.turns, None)
    assert source == "headings"
    assert [(c.title, c.first_turn) for c in chapters] == [("Show", 0), ("Costs", 2), ("Wrap-up", 3)]


@pytest.mark.parametrize("heading,title", [
    ("ACT 1: SETUP (2-3 min)", "Setup"), ("Cold open (0:00-1:30)", "Cold open"), ("Intro [2 min]", "Intro"),
    ("The money — 3 min", "The money"), ("Segment 3 - Tools, 4 min", "Segment 3 - Tools"), ("Q&A (00:20:00)", "Q&A"),
    ("Discovery 2: CPU DRA Driver - HPC Convergence", "Discovery 2: CPU DRA Driver - HPC Convergence"),
    ("Service kinds: ClusterIP, SRV, dual-stack", "Service kinds: ClusterIP, SRV, dual-stack"),
])
def test_chapter_titles_lose_their_planned_times_and_keep_acronyms(heading: str, title: str) -> None:
    assert clean_title(heading) == title
