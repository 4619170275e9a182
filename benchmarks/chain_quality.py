"""Where the mix costs the voices quality: DistillMOS after each step of the chain (issue 26).

Synthesizes 12 turns per host of 00035 with the default cast once, then puts the same audio
through render's chain step by step and scores each host's turns at every step (DistillMOS
at 16 kHz, the mean over the turns):

* ``engine``: the engine's sentences joined with the voice's pauses, at its own rate;
* ``resampled``: trimmed and resampled to 44.1 kHz, no other processing;
* ``compressed+mixed``: cut from the assembled timeline: + the voice compressor (3:1 from
  6 dB under the turn's loudness), fades, the level matching's gain;
* ``limited``: + the master's gain and true-peak limiter (−16 LUFS, −1 dBTP);
* ``mp3``: cut from the decoded 128 kbps MP3.

Goal: the finished MP3 within 0.02 of the engine's output per host. Needs the ``eval`` extra.

    .venv/bin/python benchmarks/chain_quality.py [--turns 12]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.audio.assemble import Pacing, assemble  # noqa: E402
from render.audio.clips import TurnAudio  # noqa: E402
from render.audio.dsp import RATE, fade, loudness, resample, trim  # noqa: E402
from render.audio.master import MasterSpec, master_to_file, plan_master  # noqa: E402
from render.audio.measure import decode  # noqa: E402
from render.audio.mp3 import mp3_delay_s  # noqa: E402
from render.prepare import Settings, prepare  # noqa: E402
from render.voices.engines import load_engine  # noqa: E402


class Scorer:
    """DistillMOS at 16 kHz."""

    def __init__(self) -> None:
        import distillmos

        self.model = distillmos.ConvTransformerSQAModel()
        self.model.eval()

    def __call__(self, audio: np.ndarray, rate: int) -> float:
        import soxr
        import torch

        x = soxr.resample(audio.astype(np.float32), rate, 16000).astype(np.float32)
        with torch.no_grad():
            return float(self.model(torch.from_numpy(x)[None]).squeeze())


def joined(clips: list[np.ndarray], rate: int, silence: float) -> np.ndarray:
    """Sentences with the voice's pause between them, at ``rate``."""
    gap = np.zeros(int(silence * rate), np.float32)
    parts: list[np.ndarray] = []
    for clip in clips:
        parts += [gap, clip.astype(np.float32)] if parts else [clip.astype(np.float32)]
    return np.concatenate(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=12)
    args = ap.parse_args()
    settings = Settings(root=ROOT)
    prep = prepare("00035", settings)
    chosen = []
    for speaker in prep.cast.speakers:
        mine = [t for t in prep.turns if t.speaker == speaker and 60 <= len(t.text) <= 400]
        chosen += mine[: args.turns]
    chosen.sort(key=lambda t: t.index)
    raw: dict[int, TurnAudio] = {}
    for speaker, voice in prep.cast.voices.items():
        engine = load_engine(voice, threads=2)
        for t in chosen:
            if t.speaker == speaker:
                clips = [engine.synthesize(s).audio for _, s in t.sentences if s]
                raw[t.index] = TurnAudio(clips, engine.sample_rate)
        engine.close()
    silences = {s: v.sentence_silence for s, v in prep.cast.voices.items()}
    scorer = Scorer()
    steps: dict[str, dict[str, list[float]]] = {}

    def score(step: str, speaker: str, audio: np.ndarray, rate: int) -> None:
        steps.setdefault(step, {}).setdefault(speaker, []).append(scorer(audio, rate))

    for t in chosen:
        turn = raw[t.index]
        score("engine", t.speaker, joined(turn.sentences, turn.sample_rate, silences[t.speaker]), turn.sample_rate)
        plain = [fade(resample(trim(c, turn.sample_rate), turn.sample_rate), RATE) for c in turn.sentences]
        score("resampled", t.speaker, joined(plain, RATE, silences[t.speaker]), RATE)
    timeline = assemble(chosen, dict(raw), silences, Pacing(), None)
    spans = {s.index: s for s in timeline.turns}
    spec = MasterSpec()
    gain_db = spec.lufs - loudness(timeline.audio)
    limiter, _ = plan_master(timeline.audio, timeline.envelope, gain_db, spec)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chain.mp3"
        master_to_file(timeline, path, "mp3", spec)
        mp3, mp3_rate = decode(path)
    delay = round(mp3_delay_s() * RATE)
    for t in chosen:
        s = spans[t.index]
        a, b = s.start, s.start + s.length
        score("compressed+mixed", t.speaker, timeline.audio[a:b], RATE)
        score("limited", t.speaker, limiter.block(a, b), RATE)
        score("mp3", t.speaker, mp3[a + delay: b + delay], mp3_rate)
    print(f"{'step':<18}" + "".join(f"{s:>10}" for s in prep.cast.speakers))
    for step, per in steps.items():
        print(f"{step:<18}" + "".join(f"{np.mean(per[s]):>10.3f}" for s in prep.cast.speakers))


if __name__ == "__main__":
    main()
