"""Series throughput: ``render series`` against the same episodes rendered one after another.

Writes long episodes in the show's style (:mod:`long_scripts`: 20-30 s turns, ~3,500 words,
~25 minutes each) into a fresh project, then, in one run and each from an empty cache:

* **alone**: ``render episode`` for each, one after another (the best single render);
* **series**: ``render series`` over all of them (``--jobs`` episodes in flight);

both with the proof-listening check, and prints audio minutes, wall time, throughput in
× real time, the series' throughput as a ratio of the alone runs', the check's time inside
the series as a fraction of the audio, and each run's peak RSS (the largest process).
Issue 25's goals: series ≥ 10 × real time and ≥ 0.95 × alone, check ≤ 0.03 × the audio,
peak RSS ≤ 2 GB. ``--root DIR`` renders with another checkout (a worktree of an earlier
commit) too, for a before/after in the same run.

    .venv/bin/python benchmarks/series_speed.py [--episodes 4] [--words 3500] [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from long_scripts import write_episodes  # noqa: E402

PROBE = ("import resource,subprocess,sys;"
         "r=subprocess.run(sys.argv[1:]);"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
         "sys.exit(r.returncode)")


@dataclass
class Run:
    label: str
    wall_s: float
    audio_s: float
    check_s: float
    synth_s: float
    rss_mb: float

    @property
    def speed(self) -> float:
        return self.audio_s / self.wall_s


def _cli(code: Path, cache: Path, *args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB, the largest process) of one CLI command with its own cache
    (set by the environment, which every version of the CLI reads)."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", PROBE, sys.executable, "-m", "render", *args],
                         capture_output=True, text=True, cwd=code, env={**os.environ, "RENDER_CACHE_DIR": str(cache)})
    if res.returncode != 0:
        raise SystemExit(f"render {' '.join(args)} failed:\n{res.stderr[-3000:]}")
    return time.perf_counter() - t0, int(res.stderr.strip().splitlines()[-1])


def _reports(out: Path, ids: list[str]) -> tuple[float, float, float]:
    audio = check = synth = 0.0
    for ep in ids:
        report = json.loads((out / ep / "report.json").read_text(encoding="utf-8"))
        audio += report["duration_s"]
        check += report["timings"].get("check", 0.0)
        synth += report["timings"].get("synthesize", 0.0)
    return audio, check, synth


def measure(code: Path, project: Path, ids: list[str], label: str, jobs: int,
            series_only: bool = False) -> tuple[Run | None, Run]:
    """(alone, series) for the checkout at ``code``, each from an empty cache."""
    common = ["--root", str(project), "--no-music"]
    alone_out, series_out = project / f"out-{label}-alone", project / f"out-{label}-series"
    alone = None
    if not series_only:
        wall, rss = 0.0, 0
        for ep in ids:
            w, r = _cli(code, project / f"cache-{label}-alone", "episode", ep, *common, "--out", str(alone_out))
            wall, rss = wall + w, max(rss, r)
        alone = Run(f"{label}: alone, one after another", wall, *_reports(alone_out, ids), rss / 1024)
    wall, rss = _cli(code, project / f"cache-{label}-series", "series", *common, "--out", str(series_out),
                     "--jobs", str(jobs), "--try-words", "0")
    series = Run(f"{label}: render series --jobs {jobs}", wall, *_reports(series_out, ids), rss / 1024)
    return alone, series


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=int, default=4)
    ap.add_argument("--words", type=int, default=3500, help="words per episode (~150 a minute)")
    ap.add_argument("--jobs", type=int, default=2, help="render series --jobs")
    ap.add_argument("--root", default=None, help="another checkout to measure in the same run (before/after)")
    ap.add_argument("--series-only", action="store_true", help="skip the alone runs (e.g. peak RSS of 10 episodes)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="render-series-") as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "voices", project / "voices")
        paths = write_episodes(project / "transcripts", args.episodes, args.words)
        ids = [p.name.split("-", 1)[0] for p in paths]
        checkouts = [("this", ROOT)] + ([("other", Path(args.root).resolve())] if args.root else [])
        rows: list[Run] = []
        for label, code in checkouts:
            alone, series = measure(code, project, ids, label, args.jobs, args.series_only)
            rows += [series] if alone is None else [alone, series]
            if alone is not None:
                print(f"{label}: series / alone throughput {series.speed / alone.speed:.2f}", flush=True)
        print(f"\n{len(ids)} episodes of ~{args.words} words")
        print(f"{'run':<40} {'audio':>8} {'wall':>8} {'× real time':>12} {'synthesis':>10} {'check':>7} "
              f"{'check/audio':>12} {'peak RSS':>9}")
        for r in rows:
            print(f"{r.label:<40} {r.audio_s / 60:6.1f} m {r.wall_s:7.0f} s {r.speed:11.1f}× {r.synth_s:8.0f} s "
                  f"{r.check_s:5.0f} s {r.check_s / r.audio_s:11.3f} {r.rss_mb:7.0f} MB")


if __name__ == "__main__":
    main()
