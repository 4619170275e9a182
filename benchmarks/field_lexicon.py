"""The field lexicon's evidence: every entry said by both quality voices and heard back.

For each entry of ``render/normalize/field.toml`` (spelled acronyms, acronyms said as
words, respellings) a carrier sentence, "Today we look at WORD in production.", is
normalized with the field lexicon, synthesized by Jordan's voice (Piper joe) and Alex's
(Kokoro jm_kumo), heard by Whisper tiny.en (the check's own recognizer, each sentence
prompted with its names as in the check), and judged by the check's own comparison
(respelled words are judged against the word the script wrote). A flag is confirmed by Whisper base, as in
``render check``. The result, one row per entry and voice, goes to
``render/normalize/field-evidence.tsv``; the summary prints how many entries each voice
says right.

    .venv/bin/python benchmarks/field_lexicon.py [--only WORD …] [--out PATH]

With ``--only`` the other entries' rows in ``--out`` are kept (and rows of entries no
longer in the lexicon dropped). ``--words W …`` says words that are *not* entries, as a
script would write them, and prints which are misheard (nothing is written): the way to
find which of the field's names need an entry.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import soxr  # noqa: E402

from render.check.hear import TurnLayout, judge, vocabulary  # noqa: E402
from render.check.proofread import words  # noqa: E402
from render.check.recognize import RATE, Recognizer, glossary, join, pack  # noqa: E402
from render.normalize import Normalizer  # noqa: E402
from render.normalize.lexicon import Lexicon  # noqa: E402
from render.voices.cast import load_cast  # noqa: E402
from render.voices.engines import load_engine  # noqa: E402

FIELD = ROOT / "render" / "normalize" / "field.toml"
CARRIER = "Today we look at {} in production."


def entries() -> list[tuple[str, str]]:
    """(word, kind) for every entry of the field lexicon."""
    data = tomllib.loads(FIELD.read_text(encoding="utf-8"))
    out = [(w, "letters") for w in data["letters"]] + [(w, "word") for w in data["words"]]
    out += [(w, "say") for w, v in data["say"].items() if isinstance(v, str)]
    seen: set[str] = set()
    return [(w, k) for w, k in out if not (w in seen or seen.add(w))]  # type: ignore[func-returns-value]


def second_opinion(base: Recognizer, clips: dict[int, np.ndarray], prompts: dict[int, str | None],
                   doubtful: list[TurnLayout], said: dict[int, list[str]]) -> dict[int, list[str]]:
    """What Whisper base hears in each doubtful sentence, alone and prompted as tiny was."""
    texts = base.transcribe([join([(t.turn, clips[t.turn])], prompts[t.turn]) for t in doubtful])
    return {t.turn: words(text) for t, text in zip(doubtful, texts, strict=True)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", help="just these words")
    ap.add_argument("--words", nargs="*", help="words outside the lexicon, as written; print the misheard")
    ap.add_argument("--out", default=str(FIELD.with_name("field-evidence.tsv")))
    args = ap.parse_args()
    lexicon = Lexicon.shipped()
    normalizer = Normalizer(lexicon)
    todo = ([(w, "as written") for w in args.words] if args.words else
            [(w, k) for w, k in entries() if not args.only or w in args.only])
    cast = load_cast(ROOT / "voices")
    tiny, base = Recognizer("tiny.en"), Recognizer("base")
    rows = []
    t0 = time.perf_counter()
    for speaker in ("Jordan", "Alex"):
        voice = cast.voices[speaker]
        engine = load_engine(voice, 2)
        layout, clips = [], []
        for i, (word, _) in enumerate(todo, 1):
            written = CARRIER.format(word)
            spoken = normalizer(written)
            clip = engine.synthesize(spoken)
            audio = soxr.resample(clip.audio, clip.sample_rate, RATE).astype(np.float32)
            layout.append(TurnLayout(i, speaker, i, 0.0, 0.0, "", written, spoken, lexicon.entries(written)))
            clips.append((i, audio))
        expected = {t.turn: words(t.spoken) for t in layout}
        prompts = {t.turn: glossary(vocabulary(t)) for t in layout}  # as the check prompts its windows
        heard_text = {}
        for group in pack(clips):
            for turn, _ in group:
                heard_text[turn] = None
            window = [join([c], prompts[c[0]]) for c in group]
            for (turn, _), text in zip(group, tiny.transcribe(window), strict=True):
                heard_text[turn] = text
        heard = {k: words(v or "") for k, v in heard_text.items()}
        checks, _, _ = judge(layout, expected, heard, partial(second_opinion, base, dict(clips), prompts))
        for (word, kind), t, check in zip(todo, layout, checks, strict=True):
            said = t.spoken.removeprefix("Today we look at ").removesuffix(" in production.")
            rows.append((word, kind, said, voice.name, "flagged" if check.flagged else "ok", heard_text[t.turn] or ""))
        engine.close()
    if args.words:
        for word, _, said, voice, verdict, heard in rows:
            if verdict != "ok":
                print(f"misheard: {word} ({voice}, said as {said!r}): {heard}")
        print(f"{sum(r[4] == 'ok' for r in rows)} of {len(rows)} heard right; "
              f"{time.perf_counter() - t0:.0f} s")
        return
    out = Path(args.out)
    header = "# word\tkind\tsaid as\tvoice\tverdict\theard by Whisper tiny.en (flags confirmed by base)\n"
    if args.only and out.exists():  # the other entries keep their rows; rows of removed entries go
        fresh = {(r[0], r[3]): r for r in rows}
        kept = {(r[0], r[3]): tuple(r) for line in out.read_text(encoding="utf-8").splitlines()[1:]
                if len(r := line.split("\t")) == 6}
        order = [w for w, _ in entries()]
        rows = [row for voice in ("joe", "alex") for w in order
                if (row := fresh.get((w, voice)) or kept.get((w, voice))) is not None]
    out.write_text(header + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    for voice in ("joe", "alex"):
        mine = [r for r in rows if r[3] == voice]
        ok = sum(r[4] == "ok" for r in mine)
        print(f"{voice:<5} {ok} of {len(mine)} entries heard right ({ok / max(1, len(mine)):.0%})")
    both = {r[0] for r in rows if r[4] == "flagged"}
    print(f"flagged by at least one voice: {len(both)}: {', '.join(sorted(both))}")
    print(f"{time.perf_counter() - t0:.0f} s; evidence in {out}")


if __name__ == "__main__":
    main()
