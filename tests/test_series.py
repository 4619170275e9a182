"""A whole series: the shared synthesis pool, resume after a kill, progress, and a real
two-node Ray cluster on loopback giving the same bytes as a local run."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from render.script.episodes import list_episodes
from render.series import Outcome, SeriesProgress
from tests.conftest import make_project, run_cli

SENTENCES = ["Platform teams should profile their busiest service first.",
             "Then they fix one thing and measure again, every single week.",
             "A cache that survives a crash is worth more than a fast one.",
             "Nobody reads the dashboard until the pager goes off at night."]


def _script(n: int, turns: int) -> str:
    """A deterministic episode: dated (the MP3's tags hold the date), turns unique to it."""
    lines = [f"---\ntitle: Episode {n}\ndate: 2026-01-{n:02d}\n---\n"]
    for i in range(turns):
        who = "Jordan" if i % 2 == 0 else "Alex"
        lines.append(f"**{who}**: Episode {n}, point {i + 1}. {SENTENCES[i % 4]} {SENTENCES[(i + n) % 4]}")
    return "\n\n".join(lines) + "\n"


def _project(base: Path) -> Path:
    """Three episodes and a deterministic draft cast: Festival for both hosts (Piper's
    noise makes every synthesis of joe a little different)."""
    proj = make_project(base, {f"000{40 + n}-ep{n}.md": _script(n, 4) for n in range(1, 4)})
    cast = proj / "voices" / "cast.toml"
    cast.write_text(cast.read_text().replace('[draft]\nJordan = "joe"', '[draft]\nJordan = "slt"'))
    assert '[draft]\nJordan = "slt"\nAlex = "slt"' in cast.read_text()
    return proj


def _digests(proj: Path) -> dict[str, str]:
    return {p.parent.parent.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((proj / "output").glob("*/draft/*.mp3"))}


SERIES = ("series", "--draft", "--no-check", "--no-music", "--workers", "2")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], float]:
    """The series rendered locally in one go: its MP3s' digests, and how long it took."""
    base = tmp_path_factory.mktemp("whole")
    whole = _project(base / "p")
    t0 = time.perf_counter()
    res = run_cli(*SERIES, "--cache-dir", str(base / "cache"), cwd=whole)
    assert res.returncode == 0, res.stderr
    digests = _digests(whole)
    assert len(digests) == 3
    return digests, time.perf_counter() - t0


@pytest.mark.slow
def test_series_killed_at_any_moment_resumes_to_the_same_bytes(tmp_path: Path, uninterrupted) -> None:
    """Power loss at three moments: the rerun finishes, says what it reused, redoes nothing
    that was finished, and writes the same MP3s as a run that was never interrupted."""
    expected, took = uninterrupted
    for k, share in enumerate((0.3, 0.55, 0.8)):
        proj = _project(tmp_path / f"killed{k}")
        cache = tmp_path / f"cache{k}"
        proc = subprocess.Popen([sys.executable, "-m", "render", *SERIES, "--cache-dir", str(cache)], cwd=proj,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(took * share)
        os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers at once, as a power cut would
        proc.wait(timeout=30)
        before = {p.name for p in cache.glob("*/*.turn")}
        again = run_cli(*SERIES, "--cache-dir", str(cache), cwd=proj)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
        assert _digests(proj) == expected
        # nothing finished was redone: every turn cached before the rerun was a hit
        said = re.search(r"reused (\d+) turns \(([\d.]+) min of speech\) from the cache, (\d+) episodes? already "
                         r"up to date; synthesized (\d+) turns", again.stdout)
        assert said is not None, again.stdout
        assert int(said[4]) == 12 - len(before)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_two_node_ray_cluster_gives_the_same_bytes_as_a_local_run(tmp_path: Path, uninterrupted) -> None:
    """A head and a second node started with ``ray start`` on loopback, one CPU each, the
    turn cache on a folder both see: the series' turns fan out over both nodes."""
    local, _ = uninterrupted
    ray = shutil.which("ray", path=str(Path(sys.executable).parent))
    assert ray is not None
    port = _free_port()
    # Ray 2.60 turns token authentication on for a new cluster; every node and the driver
    # must then hold the same token, as on a real cluster. It is given to each here: a fresh
    # machine has no ~/.ray/auth_token, and `ray start` creates none
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    start = [ray, "start", "--num-cpus", "1", "--disable-usage-stats", "--node-ip-address", "127.0.0.1"]
    address = f"127.0.0.1:{port}"
    try:
        subprocess.run([*start, "--head", "--port", str(port), "--include-dashboard", "false"],
                       check=True, capture_output=True, env=env, timeout=120)
        subprocess.run([*start, "--address", address], check=True, capture_output=True, env=env, timeout=120)
        deadline = time.time() + 60
        status = ""
        while "/2.0 CPU" not in status and time.time() < deadline:  # both nodes joined
            status = subprocess.run([ray, "status", "--address", address], capture_output=True, text=True,
                                    env=env, timeout=60).stdout
            time.sleep(1)
        assert "/2.0 CPU" in status, status
        cluster = _project(tmp_path / "cluster")
        shared = tmp_path / "shared-cache"
        res = run_cli("series", "--draft", "--no-check", "--no-music", "--executor", "ray", "--ray-address", address,
                      "--workers", "2", "--cache-dir", str(shared), cwd=cluster, env=env)
        assert res.returncode == 0, res.stderr
        assert _digests(cluster) == local
        assert len(list(shared.glob("*/*.turn"))) == 12
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, env=env, timeout=120)


def test_series_progress_weighs_episodes_by_words(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00001-a.md": _script(1, 2), "00002-b.md": _script(2, 8)})
    episodes = list_episodes(proj / "transcripts")
    state = SeriesProgress.of(episodes)
    a, b = (state.words[e.id] for e in episodes)
    assert b > 3 * a and state.work_done == 0 and state.work_total == a + b
    state.update("00002", 4, 8)
    assert state.work_done == pytest.approx(b / 2)
    assert state.describe() == f"4/8 turns · {b / 2 / 2.5 / 60:.1f} min of audio"
    state.finish(Outcome("00001", 1.0, skipped="no script"))
    assert state.work_done == pytest.approx(a + b / 2)


@pytest.mark.slow
def test_a_killed_worker_costs_its_episode_not_the_rest_of_the_series(tmp_path: Path) -> None:
    """An out-of-memory kill of one synthesis worker: the episode it was working for fails and
    says how to resume, the next episode gets fresh workers, and a rerun finishes the first."""
    import psutil

    proj = make_project(tmp_path / "p", {"00051-a.md": _script(1, 8), "00052-b.md": _script(2, 2)})
    cache = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, "-m", "render", *SERIES, "--jobs", "1", "--cache-dir", str(cache)],
                            cwd=proj, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, victim = time.time() + 60, None
    while time.time() < deadline and victim is None:
        kids = [c for c in psutil.Process(proc.pid).children(recursive=True) if "python" in c.name()]
        workers = [c for c in kids if c.ppid() != proc.pid]  # the forkserver's children
        if list(cache.glob("*/*.turn")) and workers:
            victim = workers[-1]
        time.sleep(0.05)
    assert victim is not None
    with contextlib.suppress(psutil.NoSuchProcess):  # it ended between being seen and killed: the series just finishes
        victim.kill()
    _, err = proc.communicate(timeout=300)
    assert "Traceback" not in err
    assert (proj / "output" / "00052" / "draft" / "report.json").exists(), err  # the next episode was rendered
    if proc.returncode == 0:  # the kill landed after the worker's last turn: nothing was lost
        return
    assert proc.returncode == 1 and "00051 failed" in err and "run the same command again" in err
    again = run_cli(*SERIES, "--cache-dir", str(cache), cwd=proj)
    assert again.returncode == 0, again.stderr
    assert "1 episode already up to date" in again.stdout
