"""Do questions rise? Pitch at the end of 44 sentences, per host, as the engine says them and
with render's intonation (issue 26's figures).

Each sentence of ``prosody_sentences.tsv`` (statements, yes/no questions, declarative
questions, wh-questions, alternatives) is normalized and spoken by each host's voice of the
default cast. The "tail" is the median pitch (``librosa.pyin``) of the last fifth of the
voiced frames against the median of the rest, in semitones. Goals: yes/no and declarative
questions end ≥ +2 st in ≥ 90 % of them; statements, wh-questions and alternatives ≤ 0 st
in ≥ 90 %. With the ``eval`` extra installed, DistillMOS (16 kHz) of the rising questions,
the engine's against render's (goal: no more than 0.05 lower).

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
from render.prepare import Settings  # noqa: E402
from render.voices.cast import load_cast  # noqa: E402
from render.voices.engines import load_engine  # noqa: E402

RISING = ("yesno", "declarative")


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

    f0, voiced, _ = librosa.pyin(audio.astype(np.float32), fmin=60, fmax=400, sr=rate, frame_length=1024)
    v = f0[voiced & ~np.isnan(f0)]
    if len(v) < 10:
        return float("nan")
    n = max(1, len(v) // 5)
    return float(12 * np.log2(np.median(v[-n:]) / np.median(v[:-n])))


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
        rising_clips: list[tuple[np.ndarray, np.ndarray, int]] = []
        rise_ms = []
        for kind, text in rows:
            spoken, _ = norm.explain(text)
            clip = engine.synthesize(spoken)
            natural = clip.audio
            if tune(text) is Tune.RISE:
                t0 = time.perf_counter()
                natural = rise(clip.audio, clip.sample_rate)
                rise_ms.append(1000 * (time.perf_counter() - t0))
                rising_clips.append((clip.audio, natural, clip.sample_rate))
            elif tune(text) is Tune.FALL:
                natural = fall(clip.audio, clip.sample_rate)
            tails.setdefault(kind, []).append((tail_st(clip.audio, clip.sample_rate),
                                               tail_st(natural, clip.sample_rate)))
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
            }
        mos_engine = mos([(e, r) for e, _, r in rising_clips])
        mos_natural = mos([(n, r) for _, n, r in rising_clips])
        result[speaker] = {"voice": voice.name, "kinds": per_kind, "rise_ms_median": round(statistics.median(rise_ms), 1),
                           "mos_rising_engine": mos_engine and round(mos_engine, 3),
                           "mos_rising_natural": mos_natural and round(mos_natural, 3)}
        print(f"\n{speaker} ({voice.name}, {voice.engine}); a rise costs {result[speaker]['rise_ms_median']} ms")
        print(f"  {'kind':<12} {'n':>3}  {'engine tail':>12} {'ok':>5}   {'natural tail':>12} {'ok':>5}")
        for kind, k in per_kind.items():
            print(f"  {kind:<12} {k['n']:>3}  {k['engine_median_st']:>+10.1f}st {k['engine_ok']:>5.0%}"
                  f"   {k['natural_median_st']:>+10.1f}st {k['natural_ok']:>5.0%}")
        if mos_engine is not None:
            print(f"  DistillMOS of the rising questions: engine {mos_engine:.3f}, natural {mos_natural:.3f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
