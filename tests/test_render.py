"""End to end through the CLI, as a user runs it: real voices, real files."""

from __future__ import annotations

import json
from pathlib import Path

import soundfile as sf
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from render.audio.export import read_back
from render.audio.master import measure
from tests.conftest import make_project, run_cli


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
    assert report["cache"] == {"hits": 0, "misses": 4}
    tags = ID3(audio)
    assert str(tags["TIT2"]) == "Test Episode" and str(tags["TRCK"]) == "1"
    assert "verdict  short" in res.stdout and "LUFS" in res.stdout
    # no temp files left behind
    assert sorted(p.name for p in folder.iterdir() if p.name != ".render.lock") == [
        "00001-test.mp3", "captions.srt", "captions.vtt", "chapters.json", "index.html", "report.json",
        "transcript.json", "turns.json"]
    assert (project / "output" / "index.html").is_file()  # the site index links it

    again = run_cli("episode", "00001", "--no-music", "--format", "wav", cwd=project)
    assert again.returncode == 0, again.stderr
    report2 = json.loads((folder / "report.json").read_text())
    assert report2["cache"] == {"hits": 4, "misses": 0}
    assert report2["music"] is None and report2["audio"].endswith(".wav")
    assert report2["duration_s"] < report["duration_s"]


def test_script_json_lists_turns(project: Path) -> None:
    res = run_cli("script", "1", "--json", cwd=project)
    assert res.returncode == 0, res.stderr
    turns = json.loads(res.stdout)
    assert [t["speaker"] for t in turns] == ["Jordan", "Alex", "Jordan", "Alex"]
    assert turns[0]["line"] == 8
    assert turns[0]["text"].endswith("Kubernetes 1.34 and a $2.16 million lesson.")
    assert turns[0]["spoken"].endswith("Kubernetes one point thirty-four and a two point one six million dollars lesson.")
    assert set(turns[0]) == {"index", "speaker", "text", "spoken", "line"}


def test_00035_script_json(root: Path) -> None:
    res = run_cli("script", "00035", "--json", cwd=root)
    turns = json.loads(res.stdout)
    assert len(turns) == 109 and turns[0]["line"] == 45


def test_unknown_speaker_is_a_clean_error_and_writes_nothing(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00002-bad.md": "**Jordan**: Hi.\n\n**Sam**: Who am I?\n"})
    res = run_cli("episode", "2", cwd=proj)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "00002-bad.md:3" in res.stderr and "unknown speaker 'Sam'" in res.stderr
    assert "Alex, Jordan" in res.stderr
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
