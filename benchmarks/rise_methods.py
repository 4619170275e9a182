"""How Piper's questions are made to rise: Praat's overlap-add (PSOLA, the default) against WORLD.

Piper has no pitch input, so a question's rise is put on its audio. Issue 26 named two
high-quality ways: pitch-synchronous overlap-add (Praat, through parselmouth: what
``render.audio.intonation`` does) and the WORLD vocoder (``pyworld``: Harvest pitch,
CheapTrick envelope, D4C aperiodicity, resynthesized on the new pitch). Both get the same
target: the same stretch (the last 40 % of the voicing), the same contour (reaching
``RISE_ST`` over the sentence's median 60 % of the way, then held) and the same cross-fade
from the engine's samples. For Jordan's voice (Piper joe) on the rising questions of
``prosody_sentences.tsv`` and, held out, of the show's scripts, it prints for the engine's
own audio and each method: the share whose tail reaches +2 st by pyin and by Praat, the
median tail, DistillMOS (16 kHz) and the seconds the method took.

    .venv/bin/python benchmarks/rise_methods.py          # needs the eval extra (DistillMOS, pyworld)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import prosody  # noqa: E402

from render.audio import intonation  # noqa: E402
from render.normalize import Normalizer  # noqa: E402
from render.normalize.lexicon import Lexicon  # noqa: E402
from render.voices.cast import load_cast  # noqa: E402
from render.voices.engines import load_engine  # noqa: E402

FRAME_MS = 5.0  # WORLD's frame period


def world_rise(audio: np.ndarray, rate: int) -> np.ndarray:
    """``audio`` rising as :func:`render.audio.intonation.rise` makes it, resynthesized by WORLD."""
    import pyworld

    _, f0p, times = intonation._contour(audio, rate)  # the stretch and target from Praat's pitch, as PSOLA gets them
    target = intonation.end_target(f0p, times, intonation.RISE_ST)
    if target is None:
        return audio
    x = audio.astype(np.float64)
    f0, t = pyworld.harvest(x, rate, f0_floor=intonation.PITCH_FLOOR, f0_ceil=intonation.PITCH_CEILING,
                            frame_period=FRAME_MS)
    envelope, aperiodicity = pyworld.cheaptrick(x, f0, t, rate), pyworld.d4c(x, f0, t, rate)
    new = np.array([target.hz(float(ti)) if target.start <= ti <= target.end + 0.05 and hz > 0 else hz
                    for ti, hz in zip(t, f0, strict=True)])
    shaped = pyworld.synthesize(new, envelope, aperiodicity, rate, FRAME_MS).astype(np.float32)
    return intonation.spliced(audio, shaped, target.start, rate)


def main() -> None:
    norm = Normalizer(Lexicon.shipped())
    engine = load_engine(load_cast(ROOT / "voices").voices["Jordan"], 2)
    sets = {"set": [norm(t) for k, t in prosody.sentences() if k in ("yesno", "declarative")],
            "held out": prosody.show_questions(norm)}
    methods = {"PSOLA (Praat)": intonation.rise, "WORLD": world_rise}
    for name, texts in sets.items():
        clips = [engine.synthesize(text) for text in texts]
        rows: dict[str, list[tuple[np.ndarray, int]]] = {"engine": [(c.audio, c.sample_rate) for c in clips]}
        seconds: dict[str, float] = {}
        for method, shape in methods.items():
            t0 = time.perf_counter()
            rows[method] = [(shape(c.audio, c.sample_rate), c.sample_rate) for c in clips]
            seconds[method] = time.perf_counter() - t0
        print(f"{name} ({len(texts)} rising questions)")
        for label, clips_done in rows.items():
            pyin = np.array([prosody.tail_st(a, r) for a, r in clips_done])
            praat = np.array([prosody.tail_praat(a, r) for a, r in clips_done])
            score = prosody.mos(clips_done)
            took = f"{seconds[label]:6.2f} s" if label in seconds else ""
            print(f"  {label:<14} pyin ≥ +2 st {np.mean(pyin >= 2):4.0%} (median {np.nanmedian(pyin):+.1f})  "
                  f"Praat ≥ +2 st {np.mean(praat >= 2):4.0%}  DistillMOS {score if score is None else round(score, 3)}  {took}")
    engine.close()


if __name__ == "__main__":
    main()
