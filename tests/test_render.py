"""End to end through the CLI, as a user runs it: real voices, real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from render.audio.master import measure
from render.audio.measure import read_back
from tests.conftest import make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset


def test_render_short_episode_end_to_end(project: Path) -> None:
    res = run_cli("episode", "1", "--workers", "2", cwd=project)
    assert res.returncode == 0, res.stderr
    folder = project / "output" / "00001"
    report = json.loads((folder / "report.json").read_text())
    audio = project / report["audio"]
    assert audio == folder / "00001-test.mp3" and audio.exists()
    for key in ("duration_s", "target", "verdict", "turns", "words", "speakers", "loudness", "timings"):
        assert key in report
    # duration in the report is the real length of the written file
    samples, rate = sf.read(audio, dtype="float32")
    assert abs(report["duration_s"] - len(samples) / rate) < 0.001
    assert abs(MP3(audio).info.length - report["duration_s"]) < 0.1
    assert MP3(audio).info.bitrate == 128000
    decoded, rate = read_back(audio)
    m = measure(decoded, rate)
    assert abs(m.integrated_lufs + 16) <= 0.5 and m.true_peak_dbtp <= -1.0
    assert report["loudness"]["integrated_lufs"] == m.integrated_lufs
    assert report["target"] == {"min_s": 60.0, "max_s": 120.0,
                                "source": "00001-test.md front matter 'target_length'"}
    assert report["verdict"] == "short" and report["gap_s"] < 0 and report["gap_words"] > 0
    assert report["turns"] == 4
    assert set(report["speakers"]) == {"Jordan", "Alex"}
    assert report["speakers"]["Jordan"]["turns"] == 2 and report["speakers"]["Jordan"]["talk_s"] > 2
    assert report["music"] == "generated"
    assert report["cache"] == {"hits": 0, "misses": 4, "reused_s": 0.0}
    tags = ID3(audio)
    assert str(tags["TIT2"]) == "Test Episode" and str(tags["TRCK"]) == "1"
    assert "verdict  short" in res.stdout and "LUFS" in res.stdout
    # no temp files left behind
    assert sorted(p.name for p in folder.iterdir() if p.name != ".render.lock") == [
        "00001-test.mp3", "captions.srt", "captions.vtt", "chapters.json", "index.html", "mix.json", "report.json",
        "transcript.json", "turns.json"]
    assert (project / "output" / "index.html").is_file()  # the site index links it

    again = run_cli("episode", "00001", "--no-music", "--format", "wav", cwd=project)
    assert again.returncode == 0, again.stderr
    report2 = json.loads((folder / "report.json").read_text())
    assert report2["cache"]["hits"] == 4 and report2["cache"]["misses"] == 0
    # the seconds of speech the cache gave back: every turn's, all of the talk but the pauses inside turns
    talk = sum(s["talk_s"] for s in report["speakers"].values())
    assert 0.7 * talk < report2["cache"]["reused_s"] <= talk
    assert report2["music"] is None and report2["audio"].endswith(".wav")
    assert report2["duration_s"] < report["duration_s"]


def test_script_json_lists_turns(project: Path) -> None:
    res = run_cli("script", "1", "--json", cwd=project)
    assert res.returncode == 0, res.stderr
    turns = json.loads(res.stdout)
    assert [t["speaker"] for t in turns] == ["Jordan", "Alex", "Jordan", "Alex"]
    assert turns[0]["line"] == 8
    assert turns[0]["text"].endswith("Kubernetes 1.34 and a $2.16 million lesson.")
    assert turns[0]["spoken"].endswith("Kubernetes one point thirty-four and a two point one six million dollar lesson.")
    assert set(turns[0]) == {"turn", "speaker", "text", "spoken", "line"}


def test_00035_script_json(root: Path) -> None:
    res = run_cli("script", "00035", "--json", cwd=root)
    turns = json.loads(res.stdout)
    assert len(turns) == 109 and turns[0]["line"] == 45
    # capitals for stress are shown as the emphasis the voice gives them; captions keep them
    assert turns[88]["text"] == "When should you NOT adopt these technologies?"
    assert turns[88]["spoken"] == "When should you *not* adopt these technologies?"


def test_unknown_speaker_is_a_clean_error_and_writes_nothing(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00002-bad.md": "**Jordan**: Hi.\n\n**Sam**: Who am I?\n"})
    res = run_cli("episode", "2", cwd=proj)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "00002-bad.md:3" in res.stderr and "unknown speaker 'Sam'" in res.stderr
    assert "Alex, Jordan" in res.stderr
    assert 'under [aliases] ("Sam" = "Alex")' in res.stderr  # the hint as written: no console markup
    assert not (proj / "output" / "00002").exists()


def test_missing_episode_suggests_close_matches(project: Path) -> None:
    res = run_cli("episode", "tset", cwd=project)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "no episode matches 'tset'" in res.stderr and "00001-test" in res.stderr


def test_cast_layers_series_and_front_matter_and_cover(tmp_path: Path) -> None:
    script = ("---\ntitle: Layered\nseries: guests\ncast:\n  Jordan: joe\n---\n"
              "**Jordan**: Hello there.\n\n**Alex**: Hi.\n\n**Sam**: And me.\n")
    proj = make_project(tmp_path / "p", {"00003-layers.md": script})
    cast = proj / "voices" / "cast.toml"
    cast.write_text('[speakers]\nJordan = "slt"\nAlex = "slt"\n\n[series.guests]\nSam = "joe"\nAlex = "joe"\n')
    res = run_cli("voices", "cast", "3", cwd=proj)
    assert res.returncode == 0, res.stderr
    lines = {ln.split()[0]: ln.split()[1] for ln in res.stdout.splitlines()}
    assert lines == {"Jordan": "joe", "Alex": "joe", "Sam": "joe"}
    import numpy as np
    from PIL import Image
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(proj / "transcripts" / "00003-layers.png")
    res = run_cli("episode", "3", "--no-music", cwd=proj)
    assert res.returncode == 0, res.stderr
    tags = ID3(proj / "output" / "00003" / "00003-layers.mp3")
    assert tags.getall("APIC")[0].mime == "image/png" and str(tags["TPE1"]) == "Jordan & Alex & Sam"


def _frames_start(path: Path) -> int:
    """Where the MP3 frames begin, after the ID3 tag (which holds chapter times an edit moves)."""
    head = path.read_bytes()[:10]
    return 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]) if head[:3] == b"ID3" else 0


def test_an_edit_reencodes_only_its_part_of_the_mp3(tmp_path: Path) -> None:
    lines = [f"**{'Jordan' if i % 2 == 0 else 'Alex'}**: Point number {i + 1} is about shipping software. "
             f"We measure it twice, then we cut it once, and the pager stays quiet all night."
             for i in range(24)]
    script = "---\ntitle: Edits\n---\n\n" + "\n\n".join(lines) + "\n"
    proj = make_project(tmp_path / "p", {"00003-edits.md": script})
    first = run_cli("episode", "3", "--draft", "--no-music", cwd=proj)
    assert first.returncode == 0, first.stderr
    folder = proj / "output" / "00003" / "draft"
    report = json.loads((folder / "report.json").read_text())
    mp3 = folder / "00003-edits.mp3"
    before = mp3.read_bytes()[_frames_start(mp3):]
    streams = report["mp3_streams"]["encoded"]
    assert report["mp3_streams"]["reused"] == 0 and streams >= 5

    edited = script.replace("Point number 13 is about", "Point number 13, the longest one by far, is about")
    (proj / "transcripts" / "00003-edits.md").write_text(edited, encoding="utf-8")
    second = run_cli("episode", "3", "--draft", "--no-music", cwd=proj)
    assert second.returncode == 0, second.stderr
    report2 = json.loads((folder / "report.json").read_text())
    assert (report2["cache"]["hits"], report2["cache"]["misses"]) == (23, 1)
    # The same gain still lands on the target, so the streams the edit did not touch are reused.
    assert report2["master"]["gain_db"] == report["master"]["gain_db"]
    # The edited turn's stream is encoded again; a cut at the turn's start or at its second
    # sentence (new audio, so a new hash) may come or go, joining or splitting its neighbours.
    assert report2["mp3_streams"]["encoded"] <= 3 and report2["mp3_streams"]["reused"] >= streams - 3
    assert abs(report2["loudness"]["integrated_lufs"] + 16) <= 0.3 and report2["loudness"]["true_peak_dbtp"] <= -1
    assert report2["duration_s"] > report["duration_s"] + 1
    after = mp3.read_bytes()[_frames_start(mp3):]
    assert after[:100_000] == before[:100_000]  # the start of the episode, byte for byte
    assert after[-100_000:] == before[-100_000:]  # and its end, moved later unchanged
    decoded, rate = read_back(mp3)
    assert abs(len(decoded) / rate - report2["duration_s"]) < 0.001


def test_cache_info_and_clear(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00001-test.md": "**Jordan**: Hello there.\n\n**Alex**: Hi.\n"})
    cache = tmp_path / "cache"
    assert run_cli("episode", "1", "--draft", "--no-check", "--cache-dir", str(cache), cwd=proj).returncode == 0
    info = run_cli("cache", "info", "--cache-dir", str(cache), cwd=proj)
    assert info.returncode == 0 and "2 turns" in info.stdout and "1 MP3 stream," in info.stdout
    cleared = run_cli("cache", "clear", "--cache-dir", str(cache), cwd=proj)
    assert "removed 2 cached turns" in cleared.stdout and not cache.exists()
