"""The show's vocabulary on scripts other than 00035: how many turns ``render check`` flags.

Renders each script in ``benchmarks/scripts/`` (an AWS overview, an eBPF deep dive, a
data and AI platforms episode, a zero-trust one written as ``Jordan: …`` lines with SSML
markup and 30-second turns, and a narrator's lesson page (MDX, its ``## Transcript`` read by
the first host), in the style of the show's other episodes: IAM, EC2, NAT, Redis,
Trainium, /sys paths, kprobes, Kafka, pgvector, vLLM, mTLS, SPIFFE, CVE ids …) with the default
cast, checks it, and prints per episode the turns flagged and Whisper tiny.en's word error
rate (the check's own figures; issue 24's goal: ≤ 8 % of turns flagged, WER ≤ 6 %). With
``--root DIR`` it renders with another checkout (a worktree of an earlier commit), for a
before/after in the same run.

    .venv/bin/python benchmarks/show_vocabulary.py [--root DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT), help="the checkout to render with (default: this one)")
    ap.add_argument("--out", default=None, help="output folder (default: a temporary one)")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    out = Path(args.out or tempfile.mkdtemp(prefix="render-vocab-"))
    print(f"rendering with {root} into {out}")
    for script in sorted((ROOT / "benchmarks" / "scripts").glob("*.md")):
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "render", "episode", str(script), "--out", str(out), "--no-music",
                              "--root", str(root)], cwd=root, capture_output=True, text=True)
        if res.returncode != 0:
            print(f"{script.name}: failed\n{res.stderr}")
            continue
        ep = script.name.split("-", 1)[0]
        report = json.loads((out / ep / "report.json").read_text(encoding="utf-8"))
        check = report["check"]
        flagged = len(check["flagged"])
        print(f"{script.stem:<28} {report['duration_s'] / 60:5.1f} min  {flagged:>3} of {check['turns']} turns flagged "
              f"({flagged / check['turns']:.0%})  WER {check['wer']:.1%}  ({time.perf_counter() - t0:.0f} s)")
        for f in check["flagged"]:
            for m in f["mismatches"]:
                print(f"    turn {f['turn']:>3} {f['speaker']:<7} {m['expected']!r} heard {m['heard']!r}")


if __name__ == "__main__":
    main()
