"""Stems and the DAW timeline from a real render: alignment, the sum, OTIO/XML/labels,
what a re-render rewrites, and clear errors when the last render is out of date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf

from render.audio.stems import Mix
from render.pipeline import render_audio
from render.prepare import Settings, Stopwatch, prepare
from render.report import load_report
from render.voices.jobs import plan_jobs
from tests.conftest import make_project, run_cli

pytestmark = pytest.mark.slow  # real renders

# Turns of both hosts, a host speaking twice in a row, and a nonsense
# respelling so the check flags turn 4 (its flag must reach the labels and the timeline).
SCRIPT = """---
title: "Stems Test"
---

# Opening

**Jordan**: Welcome back to the show. Today we talk about storage budgets.

**Alex**: Thanks. Storage is where most teams quietly lose money.

## The numbers

**Jordan**: We measured it for a whole year.

**Jordan**: The Zorblat team measured it too, and they were surprised.

**Alex**: Most of it was logs that nobody had opened since the incident.

**Jordan**: Then the fix is a retention policy, not a bigger disk.

**Alex**: And a dashboard that shows who owns each bucket.

**Alex**: So were we. Forty percent of it was never read again.
"""
NONSENSE = '"Zorblat" = "flibber gronk wazzle"\n'
EP = "00009"


def _project(base: Path) -> Path:
    """A deterministic draft cast (Festival for both hosts) and the nonsense entry."""
    proj = make_project(base, {f"{EP}-stems.md": SCRIPT})
    cast = proj / "voices" / "cast.toml"
    cast.write_text(cast.read_text().replace('[draft]\nJordan = "joe"', '[draft]\nJordan = "slt"'))
    lexicon = proj / "voices" / "lexicon.toml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8").replace("[say]\n", "[say]\n" + NONSENSE),
                       encoding="utf-8")
    return proj


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    proj = _project(tmp_path_factory.mktemp("stems") / "proj")
    res = run_cli("episode", EP, "--draft", "--stems", cwd=proj)
    assert res.returncode == 0, res.stderr
    assert "3 written" in res.stdout and "episode.xml" in res.stdout and "dB under the master" in res.stdout
    return proj


def _folder(proj: Path) -> Path:
    return proj / "output" / EP / "draft"


def _stems(proj: Path) -> dict[str, tuple[np.ndarray, sf._SoundFileInfo]]:
    folder = _folder(proj) / "stems"
    return {p.stem: (sf.read(p, dtype="float64")[0], sf.info(str(p))) for p in sorted(folder.glob("*.wav"))}


def test_stems_are_full_length_aligned_24_bit_and_sum_to_the_master_before_its_limiter(rendered: Path) -> None:
    folder = _folder(rendered)
    mix = Mix.load(folder)
    assert mix is not None and mix.offset == 1106  # the MP3's codec delay: stems start where the file does
    stems = _stems(rendered)
    assert set(stems) == {"jordan", "alex", "music"}
    for audio, info in stems.values():
        assert info.subtype == "PCM_24" and info.samplerate == 44100 and info.channels == 1
        assert len(audio) == mix.samples
        assert np.abs(audio).max() <= 10 ** (-1 / 20)  # headroom: nothing clips in 24 bits
    # Each host's stem holds sound only where its turns are.
    for name, speaker in (("jordan", "Jordan"), ("alex", "Alex")):
        inside = np.zeros(mix.samples, bool)
        for t in mix.turns:
            if t.speaker == speaker:
                inside[mix.offset + t.start: mix.offset + t.start + t.length] = True
        audio = stems[name][0]
        assert np.all(audio[~inside] == 0) and np.abs(audio[inside]).max() > 0.05
    # The sum, raised by the trim, against the timeline the render mastered, at the master's gain.
    settings = Settings(root=rendered, draft=True)
    prep = prepare(EP, settings)
    report = load_report(folder / "report.json")
    assert report is not None and report.master is not None
    timeline, cache = render_audio(prep, plan_jobs(prep.turns, prep.cast), settings, Stopwatch(),
                                   keep_levels=report.master.voice_levels)
    assert cache.misses == 0
    master = timeline.audio.astype(np.float64) * 10 ** (report.master.gain_db / 20)
    summed = sum(audio for audio, _ in stems.values())
    assert np.all(summed[: mix.offset] == 0)  # the codec's delay, silent
    total = summed[mix.offset:] * 10 ** (mix.trim_db() / 20)
    assert len(total) == len(master)
    error_db = 20 * np.log10(np.sqrt(np.mean((total - master) ** 2)) + 1e-30)
    assert error_db <= -60, error_db


def test_the_timeline_clips_are_the_turns_to_the_sample_with_chapters_and_flags(rendered: Path) -> None:
    stems = _folder(rendered) / "stems"
    mix = Mix.load(_folder(rendered))
    assert mix is not None
    timeline = otio.adapters.read_from_file(str(stems / "episode.otio"))
    assert [t.name for t in timeline.tracks] == ["Jordan", "Alex", "music"]
    layout = {t["turn"]: t for t in json.loads((_folder(rendered) / "turns.json").read_text())}
    clips = {c.metadata["render"]["turn"]: c for c in timeline.find_clips() if "render" in c.metadata}
    assert sorted(clips) == list(range(1, 9))
    for placed in mix.turns:
        clip = clips[placed.turn]
        where = clip.range_in_parent()
        assert where.start_time.rate == 44100
        assert where.start_time.value == mix.offset + placed.start  # to the sample
        assert where.duration.value == placed.length
        assert clip.source_range.start_time.value == where.start_time.value  # full-length stems
        assert round(where.start_time.value / 44100, 3) == pytest.approx(layout[placed.turn]["start_s"], abs=1e-3)
        assert clip.name.startswith(f"{placed.turn:03d} {placed.speaker}: ")
        assert clip.media_reference.target_url == f"stems/{placed.speaker.lower()}.wav"
    assert clips[4].name == "004 Jordan: The Zorblat team measured it too,…"
    report = json.loads((_folder(rendered) / "report.json").read_text())
    chapters = [c["title"] for c in report["chapters"]["list"]]
    assert chapters and [m.name for m in timeline.tracks.markers] == chapters
    assert [m.color for m in clips[4].markers] == [otio.schema.MarkerColor.RED]
    assert "flibber gronk wazzle" in clips[4].markers[0].name
    assert timeline.metadata["render"]["stems_trim_db"] == mix.trim_db()

    xml = otio.adapters.read_from_file(str(stems / "episode.xml"), adapter_name="fcp_xml")
    names = [c.name for c in xml.find_clips()]
    assert sorted(n for n in names if re.match(r"\d{3} ", n)) == sorted(c.name for c in clips.values())
    assert names.count("intro music") == 1
    for clip in xml.find_clips():  # frames at 30 a second: within half a frame of the samples
        if clip.name in {c.name for c in clips.values()}:
            exact = next(c for c in clips.values() if c.name == clip.name).range_in_parent().start_time
            assert abs(clip.range_in_parent().start_time.to_seconds() - exact.to_seconds()) <= 0.5 / 30

    rows = [line.split("\t") for line in (stems / "labels.txt").read_text().splitlines()]
    assert all(len(r) == 3 for r in rows)
    turns = [r for r in rows if re.match(r"\d{3} ", r[2])]
    assert len(turns) == 8 and float(turns[0][0]) == pytest.approx((mix.offset + mix.turns[0].start) / 44100)
    assert [r[2] for r in rows if r[2].startswith("chapter: ")] == [f"chapter: {c}" for c in chapters]
    assert any(r[2].startswith("check: turn 4") for r in rows)


def _written(stdout: str) -> tuple[int, float, int]:
    """(stems written, seconds of audio written, stems unchanged) from the stems line."""
    m = re.search(r"(\d+) written \(([\d.]+)s of audio\)(?:, (\d+) unchanged)?", stdout)
    assert m, stdout
    return int(m[1]), float(m[2]), int(m[3] or 0)


def test_render_stems_again_rewrites_nothing_and_an_edit_rewrites_what_changed(rendered: Path) -> None:
    stems = _folder(rendered) / "stems"
    before = {p.name: p.stat().st_mtime_ns for p in stems.glob("*.wav")}
    old = _stems(rendered)
    res = run_cli("stems", EP, "--draft", cwd=rendered)
    assert res.returncode == 0, res.stderr
    assert _written(res.stdout) == (0, 0.0, 3)
    assert {p.name: p.stat().st_mtime_ns for p in stems.glob("*.wav")} == before

    # An edit to the last turn (Alex's) changes only what follows its start: that turn in
    # Alex's stem, and the length of all three.
    script = rendered / "transcripts" / f"{EP}-stems.md"
    text = script.read_text()
    script.write_text(text.replace("was never read again.", "was never read again, not once."))
    stale = run_cli("stems", EP, "--draft", cwd=rendered)
    assert stale.returncode != 0 and "Traceback" not in stale.stderr
    assert "changed since the last render" in stale.stderr and f"{EP}-stems.md" in stale.stderr
    assert f"render episode {EP} --stems" in stale.stderr
    res = run_cli("episode", EP, "--draft", "--stems", "--no-check", cwd=rendered)
    assert res.returncode == 0, res.stderr
    mix = Mix.load(_folder(rendered))
    assert mix is not None
    last = mix.turns[-1]
    # Written: Alex's stem from the edited turn on, and the other two only where they grew.
    written, seconds, _ = _written(res.stdout)
    grew = (mix.samples - len(old["alex"][0])) / 44100
    assert written == 3 and 0 < grew < 2
    assert seconds == pytest.approx((mix.samples - mix.offset - last.start) / 44100 + 2 * grew, abs=0.1)
    new = _stems(rendered)
    edit_at = mix.offset + last.start
    for name in ("jordan", "alex", "music"):
        assert len(new[name][0]) == mix.samples
        assert np.array_equal(new[name][0][:edit_at], old[name][0][:edit_at])  # kept as it was
    assert not np.array_equal(new["alex"][0][edit_at:edit_at + last.length],
                              old["alex"][0][edit_at:edit_at + last.length])
    # In place, the stems are what a whole write gives.
    for p in stems.glob("*.wav"):
        p.unlink()
    whole = run_cli("stems", EP, "--draft", cwd=rendered)
    assert whole.returncode == 0 and _written(whole.stdout)[0] == 3, whole.stderr
    for name, (audio, _) in _stems(rendered).items():
        assert np.array_equal(audio, new[name][0])

    flac = run_cli("stems", EP, "--draft", "--format", "flac", cwd=rendered)
    assert flac.returncode == 0, flac.stderr
    assert sorted(p.name for p in stems.iterdir() if p.suffix in (".wav", ".flac")) == \
        ["alex.flac", "jordan.flac", "music.flac"]  # the WAVs of another format are gone
    assert sf.info(str(stems / "alex.flac")).subtype == "PCM_24"


def test_stems_of_a_fitted_render(tmp_path: Path) -> None:
    """--fit renders with other settings (rate, pauses) than a plain command would: the stems
    come from what the render recorded, not from settings worked out again."""
    proj = _project(tmp_path / "proj")
    script = proj / "transcripts" / f"{EP}-stems.md"
    script.write_text(script.read_text().replace('title: "Stems Test"', 'title: "Stems Test"\ntarget_length: "1-2 minutes"'))
    res = run_cli("episode", EP, "--draft", "--fit", "--no-music", "--no-check", "--stems", cwd=proj)
    assert res.returncode == 0, res.stderr
    report = json.loads((_folder(proj) / "report.json").read_text())
    assert report["fit"]["applied"] and report["music"] is None
    assert "2 written" in res.stdout  # the hosts; no music, no music stem
    mix = Mix.load(_folder(proj))
    stems = _stems(proj)
    assert mix is not None and set(stems) == {"jordan", "alex"}
    assert all(len(a) == mix.samples for a, _ in stems.values())
    again = run_cli("stems", EP, "--draft", cwd=proj)  # a plain command: neither --fit nor --no-music
    assert again.returncode == 0, again.stderr
    assert "0 written (0.0s of audio), 2 unchanged" in again.stdout
