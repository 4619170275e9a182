"""The show's vocabulary on scripts other than 00035: how many turns ``render check`` flags.

Renders each script in ``benchmarks/scripts/`` (an AWS overview, an eBPF deep dive, a
data and AI platforms episode, a zero-trust one written as ``Jordan: …`` lines with SSML
markup and 30-second turns, narrators' lesson pages (its ``## Transcript`` read by the first
host), and the held-out 90006–90009: an observability episode, a DNS lesson in MDX, GPU
serving, and supply chain security as ``Speaker 1:`` lines with markup; and 91010–91012, held
out on 2026-12-07: Postgres at scale, the edge and HTTP/3, incident response as ``Speaker 1:``
lines read by the cast's hosts in order), in the style of the show's other episodes: IAM, EC2, NAT, Redis,
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
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


ALIASES = '\n[aliases]\n"Speaker 1" = "Jordan"\n"Speaker 2" = "Alex"\n'


def scripts() -> list[Path]:
    """The held-out scripts (not their outlines)."""
    folder = ROOT / "benchmarks" / "scripts"
    return sorted(p for p in [*folder.glob("*.md"), *folder.glob("*.mdx")] if not p.name.endswith(".outline.md"))


def project_with_aliases(root: Path, out: Path) -> Path:
    """A project with ``root``'s voices whose cast maps ``Speaker 1``/``Speaker 2`` to the
    hosts, as a producer of a show written that way sets it (90009 is)."""
    project = out / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(root / "voices", project / "voices")
    cast = project / "voices" / "cast.toml"
    cast.write_text(cast.read_text(encoding="utf-8") + ALIASES, encoding="utf-8")
    return project


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT), help="the checkout to render with (default: this one)")
    ap.add_argument("--out", default=None, help="output folder (default: a temporary one)")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    out = Path(args.out or tempfile.mkdtemp(prefix="render-vocab-"))
    print(f"rendering with {root} into {out}")
    project = project_with_aliases(root, out)
    for script in scripts():
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "render", "episode", str(script), "--out", str(out), "--no-music",
                              "--root", str(project)], cwd=root, capture_output=True, text=True)
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
