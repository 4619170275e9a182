"""A longer fuzzing session for the parser and normalizer than the test suite runs.

    .venv/bin/python benchmarks/fuzz.py [--examples 20000]

Prints how many inputs were tried and any failure hypothesis found (with the input).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.errors import RenderError  # noqa: E402
from render.normalize import Normalizer  # noqa: E402
from render.script.parse import NARRATOR, parse_text  # noqa: E402

NORM = Normalizer.from_file(ROOT / "voices" / "lexicon.toml")
BITS = st.sampled_from(["**", "*", "_", "`", "[", "](x)", "<b>", "</b>", "# ", "> ", "- ", ":::", "---", "<!--",
                        "-->", "{", "}", "\n", "**Jordan**: ", "**Alex**: ", "Alex: ", "$5.50", "10-40%", "Q1 2026",
                        "1.34", "#00035", "Nov 12-21, 2025", "9:30am", "1/3", "30K", "x86", "‚Äî", "🎙️", "\x00"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=20000)
    n = ap.parse_args().examples
    count = [0]

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.one_of(BITS, st.text(max_size=16)), max_size=60))
    def run(parts: list[str]) -> None:
        count[0] += 1
        text = "".join(parts)
        spoken = NORM(text)
        assert not re.search(r"\d", spoken), (text, spoken)
        assert NORM(spoken) == spoken, (text, spoken)
        try:
            script = parse_text(text, Path("fuzz.md"), ["Jordan", "Alex"])
        except RenderError:
            return
        for t in script.turns:
            assert t.speaker in ("Jordan", "Alex", NARRATOR) and t.text  # a lesson's paragraphs are the narrator's

    t0 = time.perf_counter()
    run()
    print(f"{count[0]} inputs in {time.perf_counter() - t0:.1f} s: no failures")


if __name__ == "__main__":
    main()
