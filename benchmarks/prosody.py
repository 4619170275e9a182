"""Do questions rise, and does emphasis land? Pitch at the end of 44 sentences and on 12
emphasised words, per host, as the engine says them and with render's intonation (issue 26's
figures); and, held out, every rising question of the show's scripts the project holds.

Each sentence of ``prosody_sentences.tsv`` (statements, yes/no questions, declarative
questions, wh-questions, alternatives) is normalized and spoken by each host's voice of the
default cast. The "tail" is the median pitch (``librosa.pyin``) of the last fifth of the
voiced frames against the median of the rest, in semitones. Goals: yes/no and declarative
questions end ≥ +2 st in ≥ 90 % of them; statements, wh-questions and alternatives ≤ 0 st
in ≥ 90 %. Emphasis rows (``*real*``, capitals for stress) go through the script parser and
the normalizer as a script's would; the marked word's pitch peak (pyin) with the accent over
the same synthesis without it (goal ≥ +1.5 st), and its length from the audio's (goal ≥ +5 %).
With the ``eval`` extra installed, DistillMOS (16 kHz) of the rising questions and of the
emphasis rows, the engine's against render's (goal: no more than 0.05 lower).

    .venv/bin/python benchmarks/prosody.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.audio.intonation import fall, rise  # noqa: E402
from render.normalize import Normalizer  # noqa: E402
from render.normalize.questions import Tune, tune  # noqa: E402
from render.normalize.sentences import speak  # noqa: E402
from render.prepare import Settings  # noqa: E402
from render.script.markup import EMPHASIS, emphasis_spans  # noqa: E402
from render.script.parse import parse_text  # noqa: E402
from render.voices.cast import load_cast  # noqa: E402
from render.voices.emphasis import stress  # noqa: E402
from render.voices.engines import load_engine  # noqa: E402
from render.voices.engines.base import RISE, in_turn, marked_words, shapes_prosody  # noqa: E402

RISING = ("yesno", "declarative")
# librosa's default frame: at 1024 samples (46 ms at 22 kHz) pyin found no voicing at all in some of
# Piper joe's lines (his pitch is near 95 Hz), so their peaks and tails could not be measured
FRAME = 2048


def sentences() -> list[tuple[str, str]]:
    rows = []
    for line in (Path(__file__).with_name("prosody_sentences.tsv")).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, text = line.split("\t")
            rows.append((kind, text))
    return rows


def tail_st(audio: np.ndarray, rate: int) -> float:
    """Median pitch of the last fifth of the voiced frames over the rest's, in semitones."""
    import librosa

    f0, voiced, _ = librosa.pyin(audio.astype(np.float32), fmin=60, fmax=400, sr=rate, frame_length=FRAME)
    v = f0[voiced & ~np.isnan(f0)]
    if len(v) < 10:
        return float("nan")
    n = max(1, len(v) // 5)
    return float(12 * np.log2(np.median(v[-n:]) / np.median(v[:-n])))


def tail_praat(audio: np.ndarray, rate: int) -> float:
    """The same tail by Praat's pitch tracker (the one the shaping itself reads): pyin finds
    Piper joe's breathy voice barely voiced (probabilities of 0–0.2 on clear vowels), so it
    drops whole final syllables, risen or not; Praat's autocorrelation keeps them."""
    import parselmouth

    from render.audio.intonation import PITCH_CEILING, PITCH_FLOOR
    from render.audio.intonation import tail_st as praat_tail

    pitch = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=float(rate)).to_pitch(
        0.01, PITCH_FLOOR, PITCH_CEILING)
    return praat_tail(pitch.selected_array["frequency"])


def peak_hz(audio: np.ndarray, rate: int, start: int, end: int) -> float:
    """The highest pitch (pyin, 10 ms frames) between samples ``start`` and ``end``."""
    import librosa

    f0, _, _ = librosa.pyin(audio.astype(np.float32), fmin=60, fmax=400, sr=rate, frame_length=FRAME,
                            hop_length=rate // 100)
    seg = f0[start * 100 // rate: end * 100 // rate + 1]
    seg = seg[~np.isnan(seg)]
    return float(seg.max()) if len(seg) else float("nan")


def emphasis(engine: object, norm: Normalizer, text: str) -> tuple[float, float, np.ndarray, np.ndarray, int]:
    """(pitch peak of the first marked word with the accent over without it, st; its length
    ratio; the engine's audio; render's; the rate), the line read as a script's turn."""
    turn = speak(parse_text(f"**Jordan**: {text}\n", Path("set.md"), ["Jordan"]).turns, norm)[0]
    marked = " ".join(s for _, s in turn.sentences)
    plain, spans = emphasis_spans(marked)
    clip, words = engine.synthesize_words(plain)  # type: ignore[attr-defined]
    ((first, n),) = marked_words(engine.count_words, plain, spans[:1])  # type: ignore[attr-defined]
    if shapes_prosody(engine):  # Kokoro: accented by the model, its words timed anew
        shaped, new_words = engine.synthesize_words(marked)  # type: ignore[attr-defined]
    else:  # the accent put on the engine's audio: the word is where it was, longer by the difference
        shaped = stress(engine, plain, spans, clip, words)
        longer = len(shaped.audio) - len(clip.audio)
        new_words = [*words[:first + n - 1], (words[first + n - 1][0], words[first + n - 1][1] + longer)]
    rate = clip.sample_rate
    start, end = words[first][0], words[first + n - 1][1]
    new_start, new_end = new_words[first][0], new_words[first + n - 1][1]
    st = 12 * np.log2(peak_hz(shaped.audio, rate, new_start, new_end) / peak_hz(clip.audio, rate, start, end))
    return float(st), (new_end - new_start) / (end - start), clip.audio, shaped.audio, rate


def mos(clips: list[tuple[np.ndarray, int]]) -> float | None:
    """Mean DistillMOS of ``clips`` at 16 kHz, or None without the eval extra."""
    try:
        import distillmos
        import soxr
        import torch
    except ImportError:
        return None
    model = distillmos.ConvTransformerSQAModel()
    model.eval()
    scores = []
    with torch.no_grad():
        for audio, rate in clips:
            x = torch.from_numpy(soxr.resample(audio, rate, 16000).astype(np.float32))[None]
            scores.append(float(model(x).squeeze()))
    return float(np.mean(scores))


def said_rising(engine: object, spoken: str, audio: np.ndarray, rate: int) -> np.ndarray:
    """``spoken`` said rising as a render does: by the model where it can (Kokoro: synthesis
    included in the time), else the rise put on the engine's ``audio``."""
    if shapes_prosody(engine):
        return engine.synthesize(spoken + RISE).audio  # type: ignore[attr-defined]
    return rise(audio, rate)


def show_questions(norm: Normalizer) -> list[tuple[str, list[str]]]:
    """The spoken text of every question that should rise in the show's scripts the project
    holds (00035 and those in ``benchmarks/scripts``), each with its turn's spoken sentences
    (Kokoro says it in the style of the turn's length, :func:`in_turn`): a held-out set, none
    of them written for this benchmark or tuned on."""
    scripts = [*sorted((ROOT / "benchmarks" / "scripts").glob("*.md")),
               *sorted((ROOT / "transcripts").glob("00035*.md"))]
    out = []
    for path in (p for p in scripts if not p.name.endswith(".outline.md")):
        turns = parse_text(path.read_text(encoding="utf-8"), path, ["Jordan", "Alex"],
                           aliases={"Speaker 1": "Jordan", "Speaker 2": "Alex"}).turns
        for turn in speak(turns, norm):
            said = [EMPHASIS.sub(r"\1", spoken) for _, spoken in turn.sentences if spoken]
            out += [(EMPHASIS.sub(r"\1", spoken), said) for written, spoken in turn.sentences
                    if spoken and tune(written) is Tune.RISE]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    settings = Settings(root=ROOT)
    cast = load_cast(settings.voices_dir)
    rows = sentences()
    result: dict[str, dict] = {}
    for speaker, voice in cast.voices.items():
        engine = load_engine(voice, threads=2)
        norm = Normalizer(settings.lexicon().for_voice(voice.engine, voice.name))
        tails: dict[str, list[tuple[float, float]]] = {}
        praat: dict[str, list[tuple[float, float]]] = {}
        rising_clips: list[tuple[np.ndarray, np.ndarray, int]] = []
        rise_ms = []
        stressed: list[tuple[float, float]] = []
        stressed_clips: list[tuple[np.ndarray, np.ndarray, int]] = []
        for kind, text in rows:
            if kind == "emphasis":
                st, longer, before, after, rate = emphasis(engine, norm, text)
                stressed.append((st, longer))
                stressed_clips.append((before, after, rate))
                continue
            spoken, _ = norm.explain(text)
            clip = engine.synthesize(spoken)
            natural = clip.audio
            if tune(text) is Tune.RISE:
                t0 = time.perf_counter()
                natural = said_rising(engine, spoken, clip.audio, clip.sample_rate)
                rise_ms.append(1000 * (time.perf_counter() - t0))
                rising_clips.append((clip.audio, natural, clip.sample_rate))
            elif tune(text) is Tune.FALL:
                natural = fall(clip.audio, clip.sample_rate)
            tails.setdefault(kind, []).append((tail_st(clip.audio, clip.sample_rate),
                                               tail_st(natural, clip.sample_rate)))
            praat.setdefault(kind, []).append((tail_praat(clip.audio, clip.sample_rate),
                                               tail_praat(natural, clip.sample_rate)))
        held: list[tuple[float, float]] = []
        held_clips: list[tuple[np.ndarray, np.ndarray, int]] = []
        for spoken, turn in show_questions(norm):
            voice_in_turn = in_turn(engine, turn)
            clip = voice_in_turn.synthesize(spoken)
            natural = said_rising(voice_in_turn, spoken, clip.audio, clip.sample_rate)
            held.append((tail_st(clip.audio, clip.sample_rate), tail_st(natural, clip.sample_rate)))
            held_clips.append((clip.audio, natural, clip.sample_rate))
        engine.close()
        per_kind = {}
        for kind, pairs in tails.items():
            ok = (lambda t: t >= 2.0) if kind in RISING else (lambda t: t <= 0.0)
            per_kind[kind] = {
                "n": len(pairs),
                "engine_median_st": round(statistics.median(e for e, _ in pairs), 1),
                "natural_median_st": round(statistics.median(n for _, n in pairs), 1),
                "engine_ok": round(sum(ok(e) for e, _ in pairs) / len(pairs), 2),
                "natural_ok": round(sum(ok(n) for _, n in pairs) / len(pairs), 2),
                "praat_engine_ok": round(sum(ok(e) for e, _ in praat[kind]) / len(pairs), 2),
                "praat_natural_ok": round(sum(ok(n) for _, n in praat[kind]) / len(pairs), 2),
            }
        mos_engine = mos([(e, r) for e, _, r in rising_clips])
        mos_natural = mos([(n, r) for _, n, r in rising_clips])
        mos_plain = mos([(e, r) for e, _, r in stressed_clips])
        mos_stressed = mos([(n, r) for _, n, r in stressed_clips])
        peaks = [st for st, _ in stressed if not np.isnan(st)]
        show = {"n": len(held), "engine_ok": round(sum(e >= 2.0 for e, _ in held) / len(held), 2),
                "natural_ok": round(sum(n >= 2.0 for _, n in held) / len(held), 2),
                "mos_engine": (m := mos([(e, r) for e, _, r in held_clips])) and round(m, 3),
                "mos_natural": (m := mos([(n, r) for _, n, r in held_clips])) and round(m, 3)}
        result[speaker] = {"voice": voice.name, "kinds": per_kind, "rise_ms_median": round(statistics.median(rise_ms), 1),
                           "mos_rising_engine": mos_engine and round(mos_engine, 3),
                           "mos_rising_natural": mos_natural and round(mos_natural, 3),
                           "emphasis": {"n": len(stressed), "peak_median_st": round(statistics.median(peaks), 1),
                                        "measured": len(peaks),  # words pyin found voiced, with and without
                                        "peak_ok": round(sum(p >= 1.5 for p in peaks) / max(1, len(peaks)), 2),
                                        "length_median": round(statistics.median(x for _, x in stressed), 3),
                                        "mos_engine": mos_plain and round(mos_plain, 3),
                                        "mos_natural": mos_stressed and round(mos_stressed, 3)},
                           "show_questions": show}
        print(f"\n{speaker} ({voice.name}, {voice.engine}); a rise costs {result[speaker]['rise_ms_median']} ms")
        print(f"  {'kind':<12} {'n':>3}  {'engine tail':>12} {'ok':>5}   {'natural tail':>12} {'ok':>5}"
              f"   {'ok by Praat: engine':>20} {'natural':>8}")
        for kind, k in per_kind.items():
            print(f"  {kind:<12} {k['n']:>3}  {k['engine_median_st']:>+10.1f}st {k['engine_ok']:>5.0%}"
                  f"   {k['natural_median_st']:>+10.1f}st {k['natural_ok']:>5.0%}"
                  f"   {k['praat_engine_ok']:>20.0%} {k['praat_natural_ok']:>8.0%}")
        e = result[speaker]["emphasis"]
        print(f"  emphasis ({e['n']} words, {e['measured']} voiced to pyin): peak {e['peak_median_st']:+.1f} st median,"
              f" {e['peak_ok']:.0%} of those >= +1.5 st;"
              f" length x{e['length_median']:.2f}")
        print(f"  {show['n']} rising questions from the show's scripts (held out): >= +2 st engine"
              f" {show['engine_ok']:.0%}, natural {show['natural_ok']:.0%}; DistillMOS engine {show['mos_engine']},"
              f" natural {show['mos_natural']}")
        if mos_engine is not None:
            print(f"  DistillMOS of the rising questions: engine {mos_engine:.3f}, natural {mos_natural:.3f}")
            print(f"  DistillMOS of the emphasis rows: engine {mos_plain:.3f}, natural {mos_stressed:.3f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
