"""Stems of 00035 and of a 30-minute episode: time, memory, exactness (issue 27's figures).

In a fresh copy of the project (the turn cache may be warm: ``RENDER_CACHE_DIR``), renders
00035 without the check, then measures:

* ``render stems 00035``: wall time (goal ≤ 10 s) and peak RSS;
* the sum of the stems, raised by their trim, against the master before its limiter (the
  timeline the render mastered, at the master's gain): RMS error over the whole episode
  (goal ≤ −60 dBFS);
* the FCP 7 XML read back with OTIO's adapter: turn clips (109 for 00035);
* after editing one turn, ``render episode --stems``: the stems' own time, and how much
  audio they rewrote;
* a 30-minute episode (00035's turns twice, all cached): ``render stems`` wall time and
  peak RSS (goal ≤ 600 MB).

    RENDER_CACHE_DIR=... .venv/bin/python benchmarks/stems_speed.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.audio.stems import Mix  # noqa: E402
from render.pipeline import render_audio  # noqa: E402
from render.prepare import Settings, Stopwatch, prepare  # noqa: E402
from render.report import load_report  # noqa: E402
from render.voices.jobs import plan_jobs  # noqa: E402

SCRIPT = "00035-kubecon-2025-ai-native.md"
EDIT = ("**Jordan**: I'm listening.", "**Jordan**: I'm all ears.")


def run(project: Path, *args: str) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) and stdout of one CLI command."""
    probe = ("import resource,subprocess,sys;"
             "r=subprocess.run(sys.argv[1:], capture_output=True, text=True);"
             "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
             "sys.exit(r.returncode)")
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "render", *args, "--root", str(project)],
                         capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    return wall, int(res.stderr.strip().splitlines()[-1]) // 1024, res.stdout


def sum_error_db(project: Path, ep: str) -> float:
    """RMS error of the stems' sum (raised by their trim) against the pre-limiter master."""
    folder = project / "output" / ep
    settings = Settings(root=project)
    prep = prepare(ep, settings)
    report = load_report(folder / "report.json")
    mix = Mix.load(folder)
    assert report is not None and report.master is not None and mix is not None
    timeline, cache = render_audio(prep, plan_jobs(prep.turns, prep.cast), settings, Stopwatch(),
                                   keep_levels=report.master.voice_levels)
    assert cache.misses == 0
    total = np.zeros(mix.samples)
    for path in (folder / "stems").glob("*.wav"):
        total += sf.read(path, dtype="float64")[0]
    error = total[mix.offset:] * 10 ** (mix.trim_db() / 20) - timeline.audio * 10 ** (report.master.gain_db / 20)
    return float(20 * np.log10(np.sqrt(np.mean(error ** 2)) + 1e-30))


def xml_turn_clips(project: Path, ep: str) -> int:
    import opentimelineio as otio

    xml = otio.adapters.read_from_file(str(project / "output" / ep / "stems" / "episode.xml"), adapter_name="fcp_xml")
    return sum(1 for c in xml.find_clips() if re.match(r"\d{3} ", c.name))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "proj"
        for d in ("voices", "transcripts"):
            shutil.copytree(ROOT / d, project / d)
        os.environ.setdefault("RENDER_CACHE_DIR", str(Path(tmp) / "cache"))
        render_wall, _, _ = run(project, "episode", "00035", "--no-check")
        stems_wall, stems_rss, out = run(project, "stems", "00035")
        again_wall, _, again = run(project, "stems", "00035")
        error = sum_error_db(project, "00035")
        clips = xml_turn_clips(project, "00035")

        script = project / "transcripts" / SCRIPT
        original = script.read_text(encoding="utf-8")
        script.write_text(original.replace(*EDIT), encoding="utf-8")
        edit_wall, _, edited = run(project, "episode", "00035", "--no-check", "--stems")
        edit_stems = re.search(r"stems .* written \(([\d.]+)s of audio\).*, ([\d.]+)s$", edited, re.M)
        assert edit_stems, edited

        body = original.split("\n---\n", 2)[-1]
        script.write_text("---\ntitle: Long\n---\n" + body + "\n\n" + body, encoding="utf-8")
        run(project, "episode", "00035", "--no-check")
        long_wall, long_rss, long_out = run(project, "stems", "00035")
        long_s = load_report(project / "output" / "00035" / "report.json").duration_s  # type: ignore[union-attr]

    rows = [
        ("render episode 00035 (cache as found, no check)", f"{render_wall:.1f} s"),
        ("render stems 00035 (goal <= 10 s)", f"{stems_wall:.1f} s, peak RSS {stems_rss} MB"),
        ("render stems again (nothing changed)", f"{again_wall:.1f} s  ({again.splitlines()[0].split('/  ')[-1]})"),
        ("stems' sum vs master before its limiter (goal <= -60 dBFS)", f"{error:.1f} dBFS RMS"),
        ("FCP 7 XML turn clips (109 for 00035)", str(clips)),
        ("one-turn edit: render episode --stems", f"{edit_wall:.1f} s, of it stems {edit_stems[2]} s "
                                                  f"({edit_stems[1]} s of audio rewritten)"),
        (f"render stems, {long_s / 60:.0f}-minute episode (goal <= 600 MB)", f"{long_wall:.1f} s, peak RSS {long_rss} MB"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(out.splitlines()[0] if out else "", long_out.splitlines()[0] if long_out else "", sep="\n")


if __name__ == "__main__":
    main()
