"""Score the normalizer on NeMo's English text-normalization test cases.

Reads ``../shared/benchmarks/nemo-tn-en/test_cases_*.txt`` (``written~spoken[~alt]``
per line; not copied into this project) and prints per-class accuracy and
the normalizer's throughput in sentences per second on one core.

Comparison ignores case, hyphens, commas and a spoken "and" inside numbers
("one hundred and five" vs "one hundred five"): those differences are
inaudible or a house style, not errors.

    .venv/bin/python benchmarks/normalization.py [--cases DIR] [--show CLASS]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.normalize import Normalizer  # noqa: E402

DEFAULT_CASES = ROOT.parent / "shared" / "benchmarks" / "nemo-tn-en"
GOAL_CLASSES = ["cardinal", "ordinal", "decimal", "money", "measure", "date", "time", "range", "fraction"]


def canon(text: str) -> str:
    text = text.lower().replace("-", " ").replace(",", " ").replace(".", " ")
    text = re.sub(r"\band\b", " ", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def load(folder: Path) -> dict[str, list[tuple[str, list[str]]]]:
    cases: dict[str, list[tuple[str, list[str]]]] = {}
    for path in sorted(folder.glob("test_cases_*.txt")):
        cls = path.stem.removeprefix("test_cases_")
        for line in path.read_text(encoding="utf-8").splitlines():
            if "~" not in line:
                continue
            written, *spoken = line.split("~")
            cases.setdefault(cls, []).append((written, spoken))
    return cases


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--show", help="print the misses of one class")
    args = ap.parse_args()
    norm = Normalizer.from_file(ROOT / "voices" / "lexicon.toml")
    plain = Normalizer()  # NeMo's cases expect no lexicon (e.g. "GPU" stays "GPU")
    cases = load(args.cases)
    if not cases:
        raise SystemExit(f"no test cases in {args.cases}")
    print(f"{'class':<12} {'cases':>5} {'correct':>7} {'score':>6}")
    goal_scores = []
    for cls, items in cases.items():
        ok = 0
        for written, spoken in items:
            got = canon(plain(written))
            if any(got == canon(s) for s in spoken):
                ok += 1
            elif args.show == cls:
                print(f"  {written!r}\n    got  {plain(written)!r}\n    want {spoken[0]!r}")
        score = ok / len(items)
        if cls in GOAL_CLASSES:
            goal_scores.append(score)
        mark = "*" if cls in GOAL_CLASSES else " "
        print(f"{cls:<12} {len(items):>5} {ok:>7} {score:>6.0%} {mark}")
    print(f"mean over the goal classes (*): {sum(goal_scores) / len(goal_scores):.0%}")

    sentences = [w for items in cases.values() for w, _ in items]
    sentences += [
        "OpenAI freed 30,000 CPU cores: $2.16 million per month at $0.10 per core-hour.",
        "Kubernetes 1.34 shipped DRA GA on Nov 12-21, 2025; expect 10-40% gains by Q1 2026.",
    ]
    reps = max(1, 20000 // len(sentences))
    t0 = time.perf_counter()
    for _ in range(reps):
        for s in sentences:
            norm(s)
    dt = time.perf_counter() - t0
    print(f"throughput: {reps * len(sentences) / dt:,.0f} sentences/s on one core "
          f"({reps * len(sentences)} sentences, shipped lexicon on)")


if __name__ == "__main__":
    main()
