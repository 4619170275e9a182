"""Render speed of episode 00035 against the bare engines, measured in one run.

Prints: cold render (empty cache) wall time, audio duration, real-time
factor and peak RSS; the same sentences synthesized by the bare engines one
after another (the baseline) and the cold/baseline ratio; a warm re-render
with nothing changed; a re-render after editing one turn.

    .venv/bin/python benchmarks/render_speed.py [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.engines import load_engine  # noqa: E402
from render.pipeline import Settings, prepare  # noqa: E402


def run_render(project: Path, cache: Path, *extra: str) -> tuple[float, dict, int]:
    """Wall seconds, report and peak RSS (kB) of one CLI render in a child process."""
    cmd = [sys.executable, "-m", "render", "episode", "00035", "--root", str(project),
           "--cache-dir", str(cache), *extra]
    t0 = time.perf_counter()
    script = ("import resource,subprocess,sys;"
              "r=subprocess.run(sys.argv[1:]);"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
              "sys.exit(r.returncode)")
    res = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    rss_kb = int(res.stderr.strip().splitlines()[-1])
    report = json.loads((project / "output" / "00035" / "report.json").read_text())
    return wall, report, rss_kb


def baseline(project: Path) -> float:
    """Bare engines, one sentence after another, no parsing/assembly/mastering."""
    prep = prepare("00035", Settings(root=project))
    engines = {name: load_engine(v, threads=os.cpu_count() or 1) for name, v in prep.cast.voices.items()}
    t0 = time.perf_counter()
    for turn in prep.turns:
        for _, spoken in turn.sentences:
            engines[turn.speaker].synthesize(spoken)
    wall = time.perf_counter() - t0
    for e in engines.values():
        e.close()
    return wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "proj"
        for d in ("voices", "transcripts"):
            shutil.copytree(ROOT / d, project / d)
        cache = Path(tmp) / "cache"
        t0 = time.perf_counter()
        base = baseline(project)
        base_total = time.perf_counter() - t0
        cold, report, rss = run_render(project, cache, "--workers", str(args.workers))
        warm, report_warm, _ = run_render(project, cache)
        script = project / "transcripts" / "00035-kubecon-2025-ai-native.md"
        text = script.read_text(encoding="utf-8")
        script.write_text(text.replace("**Jordan**: I'm listening.", "**Jordan**: I'm all ears."),
                          encoding="utf-8")
        edited, report_edit, _ = run_render(project, cache)
        est = json.loads(subprocess.run(
            [sys.executable, "-m", "render", "estimate", "00035", "--json", "--root", str(project)],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "RENDER_CACHE_DIR": str(cache)},
            check=True).stdout)
        cold_est = json.loads(subprocess.run(
            [sys.executable, "-m", "render", "estimate", "00035", "--json", "--root", str(project)],
            capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "RENDER_CACHE_DIR": str(Path(tmp) / "cold" / "cache")}, check=True).stdout)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "render", "preview", "00035", "--exchange", "5", "--root",
                        str(project)], capture_output=True, cwd=ROOT, check=True,
                       env={**os.environ, "RENDER_CACHE_DIR": str(Path(tmp) / "preview-cache")})
        preview = time.perf_counter() - t0
        # A 25-minute episode from 00035's own turns (all cached): peak memory at that length.
        body = text.split("\n---\n", 2)[-1]
        script.write_text("---\ntitle: Long\n---\n" + body + "\n\n" + body.split("**Jordan**: Alright. Let's get practical.")[0],
                          encoding="utf-8")
        long_wall, long_report, long_rss = run_render(project, cache)
    dur = report["duration_s"]
    rows = [
        ("audio duration", f"{dur:.1f} s"),
        ("baseline: bare engines, serial", f"{base:.1f} s (plus {base_total - base:.1f} s model loading)"),
        (f"cold render, {args.workers} workers", f"{cold:.1f} s wall"),
        ("cold / baseline", f"{cold / base:.2f}"),
        ("real-time factor (cold wall / audio)", f"{cold / dur:.3f}"),
        ("peak RSS of the render", f"{rss / 1024:.0f} MB"),
        ("stage times (cold)", json.dumps(report["timings"])),
        ("warm re-render, nothing changed", f"{warm:.1f} s  cache {report_warm['cache']}"),
        ("re-render after editing one turn", f"{edited:.1f} s  cache {report_edit['cache']}"),
        ("cold preview of one exchange (time to audio)", f"{preview:.1f} s"),
        (f"{long_report['duration_s'] / 60:.1f}-minute episode (cached turns): peak RSS",
         f"{long_rss / 1024:.0f} MB, {long_wall:.1f} s wall"),
        ("estimate (warm cache) vs rendered", f"{est['predicted_s']:.1f} s vs {dur:.1f} s: "
                                              f"{100 * (est['predicted_s'] - dur) / dur:+.1f} %"),
        ("estimate (cold, calibration only)", f"{cold_est['predicted_s']:.1f} s: "
                                              f"{100 * (cold_est['predicted_s'] - dur) / dur:+.1f} %"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    _ = resource  # imported for the child-process RSS probe


if __name__ == "__main__":
    main()
