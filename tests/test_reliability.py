"""Bad input gets a clear answer; faults lose nothing. Every case runs the real CLI."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render.audio.measure import read_back
from render.errors import RenderError
from render.normalize import Normalizer
from render.script.parse import NARRATOR, parse_text
from tests.conftest import SHORT_SCRIPT, make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

GOOD = SHORT_SCRIPT


def _no_outputs(proj: Path, ep: str) -> bool:
    folder = proj / "output" / ep
    if not folder.exists():
        return True
    return not [p for p in folder.iterdir() if not p.name.startswith(".")]


BAD_SCRIPTS = {
    "empty": ("00005-e.md", b"", "file is empty", None),
    "no turns": ("00005-e.md", b"# Title\n\nJust some prose here.\n", "no script: no line is a turn", None),
    "unknown speaker": ("00005-e.md", b"**Jordan**: Hi.\n\n**Jordn**: Typo.\n", "unknown speaker 'Jordn'", 3),
    "turn without text": ("00005-e.md", b"**Jordan**: Hi.\n\n**Alex**:\n\n---\n", "Alex's turn has no text", 3),
    "invalid utf-8": ("00005-e.md", b"**Jordan**: Hi.\n**Alex**: caf\xe9 time.\n", "invalid UTF-8 byte 0xe9", 2),
    "utf-16 without bom": ("00005-e.md", "**Jordan**: Hi.\n".encode("utf-16-le"), "UTF-16", None),
    "200 KB single turn": ("00005-e.md", b"**Jordan**: " + b"All work and no play. " * 9400 + b"\n",
                           "characters (about", 1),
    "only emoji": ("00005-e.md", "**Jordan**: Hi.\n\n**Alex**: 🎙️ 🚀\n".encode(), "turn has no text", 3),
    "only symbols": ("00005-e.md", b"**Jordan**: Hi.\n\n**Alex**: ... ---\n", "nothing speakable", 3),
}


@pytest.mark.parametrize("case", list(BAD_SCRIPTS))
def test_bad_scripts(tmp_path: Path, case: str) -> None:
    name, data, message, line = BAD_SCRIPTS[case]
    proj = make_project(tmp_path / "p", {})
    (proj / "transcripts" / name).write_bytes(data)
    res = run_cli("episode", "5", cwd=proj)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    where = f"{name}:{line}" if line else name
    assert where in res.stderr and message in res.stderr, res.stderr
    assert "hint:" in res.stderr or (case == "no turns" and res.stderr.strip().count("\n") == 0)  # one line
    assert _no_outputs(proj, "00005")


def test_missing_and_ambiguous_episodes(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-a.md": GOOD, "00005-b.md": GOOD, "00006-kubecon.md": GOOD})
    res = run_cli("episode", "5", cwd=proj)
    assert res.returncode == 2 and "matches 2 scripts: 00005-a.md, 00005-b.md" in res.stderr
    res = run_cli("episode", "kubecn", cwd=proj)
    assert res.returncode == 2 and "did you mean 00006-kubecon" in res.stderr
    assert not (proj / "output").exists()


def test_utf16_with_bom_control_characters_and_unbalanced_markdown_are_repaired(tmp_path: Path) -> None:
    text = "**Jordan**: Hi\x07 there 🎙️, **bold without end.\n\n**Alex**: A ~~half *done* line.\n"
    proj = make_project(tmp_path / "p", {})
    (proj / "transcripts" / "00005-e.md").write_bytes(text.encode("utf-16"))
    res = run_cli("script", "5", "--json", cwd=proj)
    assert res.returncode == 0, res.stderr
    turns = json.loads(res.stdout)
    assert [t["text"] for t in turns] == ["Hi there, bold without end.", "A half done line."]


def _edit(proj: Path, rel: str, text: str) -> None:
    (proj / rel).parent.mkdir(parents=True, exist_ok=True)
    (proj / rel).write_text(text)


BAD_CONFIG = {
    "malformed voice toml": ("voices/joe.toml", 'engine = "piper\n', "voices/joe.toml", "not valid TOML"),
    "unknown engine": ("voices/joe.toml", 'engine = "espeak"\n', "voices/joe.toml", "engine must be one of"),
    "bad value": ("voices/alex.toml", 'engine = "kokoro"\nvoice = "jf_gongitsune"\nspeed = "fast"\n',
                  "voices/alex.toml", "'speed' must be a non-negative number"),
    "malformed cast": ("voices/cast.toml", "[speakers\nJordan = 1\n", "voices/cast.toml", "not valid TOML"),
    "cast names a missing voice": ("voices/cast.toml", '[speakers]\nJordan = "nobody"\nAlex = "slt"\n',
                                   "voices/cast.toml", "available voices"),
    "model file missing": ("voices/joe.toml", 'engine = "piper"\nmodel = "models/missing.onnx"\n',
                           "voices/joe.toml", "missing.onnx not found"),
    "festival voice missing": ("voices/alex.toml", 'engine = "festival"\nvoice = "no_such_voice"\n',
                               "voices/alex.toml", "Festival voice 'no_such_voice' is not installed"),
    "kokoro blend malformed": ("voices/alex.toml", 'engine = "kokoro"\nvoice = "jf_alpha:heavy"\n',
                               "voices/alex.toml", "is not NAME or NAME:WEIGHT"),
    "kokoro model missing": ("voices/alex.toml", 'engine = "kokoro"\nvoice = "jm_kumo"\nmodel = "models/k.onnx"\n',
                             "voices/alex.toml", "k.onnx not found"),
    "intro music not audio": ("music/intro.wav", "this is not audio", "music/intro.wav",
                              "intro music is not a readable audio file"),
    "malformed lexicon": ("voices/lexicon.toml", "letters = [\n", "voices/lexicon.toml", "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD_CONFIG))
def test_bad_configuration(tmp_path: Path, case: str) -> None:
    rel, content, where, message = BAD_CONFIG[case]
    proj = make_project(tmp_path / "p", {"00005-e.md": GOOD})
    _edit(proj, rel, content)
    res = run_cli("episode", "5", cwd=proj)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert where in res.stderr and message in res.stderr, res.stderr
    assert "hint:" in res.stderr or "allowed" in res.stderr or "available" in res.stderr
    assert _no_outputs(proj, "00005")


@contextlib.contextmanager
def _tmpfs(path: Path, size: str, readonly: bool = False):
    """A tiny real file system (tmpfs); needs root, which CI and this machine have."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_unwritable_output_folder(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-e.md": GOOD})
    with _tmpfs(tmp_path / "ro", "1m", readonly=True) as ro:
        res = run_cli("episode", "5", "--out", str(ro), cwd=proj)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "not writable" in res.stderr and "--out DIR" in res.stderr


def test_full_disk_keeps_no_partial_file_and_keeps_the_cache(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-e.md": GOOD})
    cache = tmp_path / "cache"
    with _tmpfs(tmp_path / "tiny", "300k") as tiny:
        res = run_cli("episode", "5", "--out", str(tiny), "--cache-dir", str(cache), cwd=proj)
        leftovers = [p.name for p in (tiny / "00005").iterdir() if p.name != ".render.lock"]
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "no space left" in res.stderr and "synthesized turns stay cached" in res.stderr
    assert not [n for n in leftovers if n.endswith((".mp3", ".part"))], leftovers
    assert len(list(cache.glob("*/*.turn"))) == 4
    res = run_cli("episode", "5", "--cache-dir", str(cache), cwd=proj)  # room again: all cached
    assert res.returncode == 0 and "4 hits, 0 synthesized" in res.stdout


FOUR = "".join(f"**{'Jordan' if i % 2 == 0 else 'Alex'}**: {text}\n\n" for i, text in enumerate([
    "Measure before you optimize, every single week, on every service you run in production.",
    "Profiling is a habit, not an advanced practice, and it pays for itself quickly.",
    "That's a misconfiguration disaster.",
    "Thirty minutes on a Monday morning can fund an entire platform team's salary.",
]))


def test_engine_failure_names_the_turn_and_keeps_finished_turns(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-e.md": FOUR})
    cache = tmp_path / "cache"
    res = run_cli("episode", "5", "--workers", "1", "--cache-dir", str(cache), cwd=proj,
                  env={"RENDER_FAIL_ON": "misconfiguration"})
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "00005-e.md:5" in res.stderr and "turn 3 (Jordan)" in res.stderr
    assert len(list(cache.glob("*/*.turn"))) == 3  # longest first: the short failing turn came last
    assert _no_outputs(proj, "00005")
    res = run_cli("episode", "5", "--cache-dir", str(cache), cwd=proj)
    assert res.returncode == 0 and "3 hits, 1 synthesized" in res.stdout


def _start(proj: Path, *args: str) -> subprocess.Popen[str]:
    """A render in the background, without the check (these tests are about synthesis and files)."""
    return subprocess.Popen([sys.executable, "-m", "render", "episode", "5", "--no-check", *args], cwd=proj,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_worker_is_reported_and_resumable(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-e.md": FOUR * 3})
    cache = tmp_path / "cache"
    proc = _start(proj, "--workers", "2", "--cache-dir", str(cache))
    deadline = time.time() + 60
    victim = None
    while time.time() < deadline and victim is None:
        kids = [c for c in psutil.Process(proc.pid).children(recursive=True) if "python" in c.name()]
        # Workers are the forkserver's children: never the forkserver or the resource tracker.
        workers = [c for c in kids if c.ppid() != proc.pid and (len(c.children()) > 0 or c.cpu_percent(0.05) > 0)]
        if len(list(cache.glob("*/*.turn"))) >= 1 and workers:
            victim = workers[-1]
        time.sleep(0.05)
    assert victim is not None
    victim.kill()
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # the pool finished before the kill landed: nothing to resume
        return
    assert proc.returncode == 2 and "Traceback" not in err
    assert "worker process died" in err and "run the same command again" in err
    res = run_cli("episode", "5", "--cache-dir", str(cache), cwd=proj)
    assert res.returncode == 0 and "hits" in res.stdout


class _PoolThread(threading.Thread):
    """Stands for a process pool's manager thread (its class lives in concurrent.futures.process)."""

    __module__ = "concurrent.futures.process"

    def run(self) -> None:
        raise OSError(9, "Bad file descriptor")


def test_a_pool_thread_failing_on_a_dead_workers_pipe_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI's thread hook: after a killed worker, a process pool's own thread failed on its
    pipes and printed a traceback under the render's error (2 runs in 10 of the test above)."""
    from render.cli import quiet_pool_threads

    before = threading.excepthook
    threading.excepthook = quiet_pool_threads
    try:
        pool_thread = _PoolThread()
        pool_thread.start()
        pool_thread.join()
        assert "Traceback" not in capsys.readouterr().err
        mine = threading.Thread(target=_PoolThread.run, args=(None,))  # any other thread: reported as usual
        mine.start()
        mine.join()
        assert "Traceback" in capsys.readouterr().err
    finally:
        threading.excepthook = before


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_sigkill_at_random_points_never_leaves_a_broken_episode(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-e.md": FOUR})
    cache = tmp_path / "cache"
    mp3 = proj / "output" / "00005" / "00005-e.mp3"
    assert run_cli("episode", "5", "--no-check", "--cache-dir", str(cache), cwd=proj).returncode == 0
    previous = _digest(mp3)
    script = proj / "transcripts" / "00005-e.md"
    for i, delay in enumerate([0.3, 1.2, 2.4, 5.0]):  # from loading the models to renaming the MP3
        script.write_text(FOUR.replace("every single week", f"every week number {i + 1}"))
        proc = _start(proj, "--cache-dir", str(cache), "--workers", "1")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        now = _digest(mp3)
        if now != previous:  # the new MP3 was renamed into place before the kill: it is complete
            decoded, rate = read_back(mp3)
            assert len(decoded) / rate > 10
        res = run_cli("episode", "5", "--no-check", "--cache-dir", str(cache), cwd=proj)
        assert res.returncode == 0, res.stderr
        assert not list(mp3.parent.glob(".*.part"))
        report = json.loads((mp3.parent / "report.json").read_text())
        assert report["files"][0]["bytes"] == mp3.stat().st_size and report["cache"]["misses"] <= 1
        previous = _digest(mp3)


def test_two_renders_of_one_episode_at_once(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00005-e.md": FOUR * 2})
    cache = tmp_path / "cache"
    first = _start(proj, "--cache-dir", str(cache), "--workers", "1")
    deadline = time.time() + 60
    while not list(cache.glob("*/*.turn")) and time.time() < deadline:
        time.sleep(0.05)
    second = run_cli("episode", "5", "--cache-dir", str(cache), cwd=proj)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 2 and "already being rendered by pid" in second.stderr
    report = json.loads((proj / "output" / "00005" / "report.json").read_text())
    assert report["sanity"]["ok"] and report["cache"]["misses"] == 8


MD_BITS = st.sampled_from(["**", "*", "_", "`", "[", "](x)", "<b>", "</b>", "# ", "> ", "- ", ":::", "---",
                           "<!--", "-->", "{", "}", "\n", "\n\n", "**Jordan**: ", "**Alex**: ", "Alex: ",
                           "$5", "10-40%", "Q1 2026", "1.34", "#00035", "é", "‚Äî", "🎙️", "\x07"])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(MD_BITS, st.text(max_size=12)), max_size=40))
def test_fuzz_parser_and_normalizer(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        script = parse_text(text, Path("fuzz.md"), ["Jordan", "Alex"])
    except RenderError as exc:
        assert str(exc).startswith("fuzz.md")
        return
    norm = Normalizer()
    for t in script.turns:
        assert t.speaker in ("Jordan", "Alex", NARRATOR) and t.text
        assert not re.search(r"\d", norm(t.text))


def test_every_render_reports_audio_sanity(project: Path) -> None:
    res = run_cli("episode", "1", "--no-music", cwd=project)
    assert res.returncode == 0, res.stderr
    report = json.loads((project / "output" / "00001" / "report.json").read_text())
    s = report["sanity"]
    assert s == {"finite": True, "clipped_samples": 0, "silent_turns": 0,
                 "longest_gap_s": s["longest_gap_s"], "max_allowed_gap_s": s["max_allowed_gap_s"], "ok": True}
    assert 0.1 < s["longest_gap_s"] <= s["max_allowed_gap_s"]


def test_environment_is_root_for_tmpfs() -> None:
    assert os.geteuid() == 0, "the disk tests mount tmpfs and need root (CI and this machine run as root)"


def test_a_cache_write_on_a_full_disk_leaves_no_temp_file(tmp_path: Path) -> None:
    """The MP3 stream cache once left ``tmp*.part`` files when a write failed half way; every
    writer now goes through render.files.atomic_path, which removes its temp file on failure."""
    import numpy as np

    from render.audio.measure import StreamMeasure
    from render.audio.mp3 import StreamStore

    measure = StreamMeasure(44100, 10, 0.5, 0, np.zeros(10), (0, 0.0), 0.0)
    with _tmpfs(tmp_path / "tiny", "64k") as tiny:
        store = StreamStore(tiny / "mp3")
        store.put("ab" * 20, b"\xff" * 200_000, measure)  # larger than the disk: the write fails
        store.put("cd" * 20, b"\xff" * 100, measure)  # fits
        left = sorted(p.name for p in (tiny / "mp3").rglob("*") if p.is_file())
    assert left == ["cd" * 20 + ".npz"], left


def test_start_up_clears_temp_files_killed_writers_left(tmp_path: Path) -> None:
    import os
    import time

    from render.voices.cache import TurnCache

    cache = TurnCache(tmp_path / "cache")
    old = tmp_path / "cache" / "ab" / ".abcd.turn.x1.part"
    fresh = tmp_path / "cache" / "mp3" / "cd" / ".cdef.npz.x2.part"
    for p in (old, fresh):
        p.parent.mkdir(parents=True)
        p.write_bytes(b"half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert cache.remove_stale_parts() == 1
    assert not old.exists() and fresh.exists()  # another render may still be writing that one
    os.utime(fresh, (time.time() - 7200, time.time() - 7200))
    assert cache.remove_stale_parts() == 0  # walked at most once an hour
    marker = tmp_path / "cache" / ".swept"
    os.utime(marker, (time.time() - 3700, time.time() - 3700))
    assert cache.remove_stale_parts() == 1 and not fresh.exists()
