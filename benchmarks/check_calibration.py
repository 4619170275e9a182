"""How ``render check`` tells a voice's errors from its recognizer's: the calibration behind
``render.check.proofread.SOUNDS_ALIKE`` and the second opinion.

Takes the last render of an episode (default 00035) and hears every turn with
both recognizers, Whisper tiny.en (which the check runs on every turn) and
Whisper base (which it asks only about tiny's flags). For a range of
phoneme-similarity thresholds it prints how many mismatches tiny alone would
flag, how many of those base confirms (it mishears the same words too), and
how many turns each would flag; then lists every flag at the default threshold
with what both recognizers heard.

    .venv/bin/python benchmarks/check_calibration.py [EP] [--out output]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.audio.measure import decode  # noqa: E402
from render.check import proofread  # noqa: E402
from render.check.hear import HeardCache, check_render, cut, read_layout, transcribe_turns, window_keys, windows  # noqa: E402
from render.check.proofread import Phonemes, compare, confirm, spelled, words  # noqa: E402
from render.check.recognize import Recognizer, model_version  # noqa: E402
from render.voices.cache import TurnCache  # noqa: E402

THRESHOLDS = [0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
DEFAULT = proofread.SOUNDS_ALIKE


def base_heard(folder: Path) -> dict[int, list[str]]:
    """What Whisper base hears in every turn, in tiny's windows (the check packs only the doubtful turns
    by the same rule; at each threshold here a different set would be doubtful)."""
    layout, audio_path = read_layout(folder)
    audio, rate = decode(audio_path)
    groups = [[(t.turn, cut(audio, rate, t.start_s, t.end_s)) for t in g] for g in windows(layout)]
    return transcribe_turns(groups, {t.turn: words(t.spoken) for t in layout}, Recognizer("base"),
                            turns={t.turn: t for t in layout})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("episode", nargs="?", default="00035")
    ap.add_argument("--out", default=str(ROOT / "output"))
    args = ap.parse_args()
    folder = Path(args.out) / args.episode
    checks = TurnCache(ROOT / "output" / ".cache").checks
    layout, audio = read_layout(folder)
    check_render(layout, audio, checks)  # tiny.en's words, cached
    version = model_version("tiny.en")
    cache = HeardCache(checks)
    tiny = {turn: cache.get(key) or [] for group in windows(layout) for turn, key in window_keys(group, version).items()}
    base = base_heard(folder)
    phonemes = Phonemes()
    summary, rows = [], []
    print("threshold  tiny flags  confirmed by base  turns flagged (tiny)  turns flagged (both)")
    for th in THRESHOLDS:
        proofread.SOUNDS_ALIKE = th
        flags = confirmed = 0
        turns_tiny, turns_both = set(), set()
        for t in layout:
            c = compare(t.turn, t.speaker, t.line, words(t.spoken), tiny[t.turn], t.lexicon, spelled(t.spoken),
                        phonemes)
            candidates = [m for m in c.mismatches if not m.benign]
            if not candidates:
                continue
            turns_tiny.add(t.turn)
            flags += len(candidates)
            confirm(c, base[t.turn], t.lexicon, spelled(t.spoken), phonemes)
            kept = [m for m in candidates if not m.benign]
            confirmed += len(kept)
            if kept:
                turns_both.add(t.turn)
            if th == DEFAULT:
                rows += [{"turn": t.turn + 1, "speaker": t.speaker, "expected": m.expected, "heard": m.heard,
                          "base": m.second, "similarity": m.similarity, "confirmed": not m.benign}
                         for m in candidates]
        print(f"{th:9.2f}  {flags:10d}  {confirmed:17d}  {len(turns_tiny):20d}  {len(turns_both):20d}")
        summary.append({"threshold": th, "tiny_flags": flags, "confirmed": confirmed,
                        "turns_tiny": len(turns_tiny), "turns_both": len(turns_both)})
    proofread.SOUNDS_ALIKE = DEFAULT
    print(f"\nat {DEFAULT}:")
    for r in sorted(rows, key=lambda r: (not r["confirmed"], r["turn"])):
        print(f"  turn {r['turn']:3d} {r['speaker']:<7} {'FLAG' if r['confirmed'] else 'tiny'}  "
              f"{r['expected']!r} → tiny {r['heard']!r}, base {r['base']!r} (similarity {r['similarity']})")
    (ROOT / "benchmarks" / "check_calibration.json").write_text(
        json.dumps({"episode": args.episode, "thresholds": summary, "mismatches": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
