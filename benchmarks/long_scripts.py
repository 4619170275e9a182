"""Long episodes in the style of the show, for measuring series throughput.

The show's real episodes run 25-30 minutes with hosts' turns of 20-30 seconds; the project
holds one shorter episode (00035). These are built from the sentences of 00035 and of
``benchmarks/scripts/`` (so the vocabulary, numbers and markup are the show's), shuffled
with a fixed seed and regrouped into long alternating turns, so every episode is different
(no turn is shared through the cache) and every run writes the same bytes.

    .venv/bin/python benchmarks/long_scripts.py OUT_DIR [--episodes 4] [--words 3500]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "transcripts" / "00035-kubecon-2025-ai-native.md", *sorted((ROOT / "benchmarks" / "scripts").glob("*.md"))]
_TURN = re.compile(r"^\*\*(Jordan|Alex)\*\*:\s*(.+)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def sentences() -> list[str]:
    """Every sentence of the source scripts' turns, in order."""
    out: list[str] = []
    for path in SOURCES:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for line in text.splitlines():
            m = _TURN.match(line.strip())
            if m:
                out += [s.strip() for s in _SENTENCE.split(m.group(2)) if len(s.split()) >= 4]
    return out


def write_episodes(folder: Path, episodes: int = 4, words: int = 3500, *, first: int = 91001,
                   turn_words: tuple[int, int] = (50, 80), seed: int = 25) -> list[Path]:
    """``episodes`` scripts of about ``words`` words each, turns of ``turn_words`` words
    (20-30 s at the show's pace), in ``folder``; returns their paths."""
    pool = sentences()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for e in range(episodes):
        number = first + e
        lines = ["---", f'title: "Long episode {number}"', "---", "", f"# Long episode {number}", "",
                 f"**Duration:** {round(words / 150)} minutes", ""]
        total, speaker = 0, 0
        while total < words:
            want, turn = rng.randint(*turn_words), []
            while sum(len(s.split()) for s in turn) < want:
                turn.append(rng.choice(pool))
            lines += [f"**{('Jordan', 'Alex')[speaker]}**: {' '.join(turn)}", ""]
            total += sum(len(s.split()) for s in turn)
            speaker ^= 1
        path = folder / f"{number}-long-episode.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--episodes", type=int, default=4)
    ap.add_argument("--words", type=int, default=3500)
    args = ap.parse_args()
    for path in write_episodes(args.out, args.episodes, args.words):
        print(path)


if __name__ == "__main__":
    main()
