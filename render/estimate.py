"""Predict an episode's duration without synthesizing it.

Each voice's pace is a line fitted to its own synthesized sentences:
seconds = a · spoken characters + b. Pairs come from the turn cache when
it holds that voice's audio, else from a few calibration turns that are
synthesized once and stored under the cache folder. Gaps, sentence
pauses and the music lead are then added exactly as assembly places them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.audio.assemble import Pacing, gap_after
from render.audio.dsp import trim
from render.files import write_text
from render.normalize import Normalizer
from render.normalize.sentences import split_sentences
from render.script.parse import Turn
from render.voices.cache import TurnCache
from render.voices.cast import Cast
from render.voices.engines import load_engine, voice_fingerprint
from render.voices.engines.base import in_turn
from render.voices.jobs import plan_jobs
from render.voices.voice import Voice

# Calibration turns, said as a render says turns: a voice whose sound depends on the length of
# what it is given (Kokoro's style row, render.voices.engines.base.in_turn) paces a sentence by
# its turn, so the calibration is a conversation's turns, long and short, not one paragraph.
CALIBRATION = (
    "Welcome back to the show. Today we look at how platform teams measure what they run, and "
    "why the numbers surprise almost everyone. Profiling is not advanced; it is a habit. "
    "Thirty minutes on a Monday morning can pay for a whole team.",
    "Wait, really?",
    "Yes. So where do you start? Pick your busiest service, record a profile, and read it with a "
    "colleague who knows the code. Then fix one thing, and measure again.",
    "The scheduler places each pod on a node that has the memory and the accelerators it asked for.",
    "Okay. That sounds simple. It isn't, because the cheapest node is rarely the fastest one, "
    "and a job that waits for its last worker wastes every machine it already holds.",
    "Exactly. Forty percent of the budget can disappear that way. "
    "That's the honest answer, and it's why measurement comes before optimization.",
    "The GPU and CPU teams at the CNCF saw 30-40% gains, about $2.16 million a month. "
    "Kubernetes 1.34 made DRA GA; SREs on GKE can test it in Q1 2026.",
)


@dataclass(frozen=True)
class Pace:
    """seconds ≈ per_char · characters + per_sentence, for one voice."""

    per_char: float
    per_sentence: float
    samples: int

    def seconds(self, spoken: str) -> float:
        return self.per_char * len(spoken) + self.per_sentence


def fit(pairs: list[tuple[int, float]]) -> Pace:
    chars = np.array([c for c, _ in pairs], float)
    secs = np.array([s for _, s in pairs], float)
    if len(pairs) >= 3 and np.ptp(chars) > 0:
        a, b = np.polyfit(chars, secs, 1)
        if a > 0:
            return Pace(float(a), float(b), len(pairs))
    return Pace(float(secs.sum() / max(chars.sum(), 1)), 0.0, len(pairs))


def _calibrate(voice: Voice, normalizer: Normalizer) -> list[tuple[int, float]]:
    engine = load_engine(voice, threads=os.cpu_count() or 1)
    try:
        pairs = []
        for turn in CALIBRATION:
            sentences = [normalizer(sentence) for sentence in split_sentences(turn)]
            in_its_turn = in_turn(engine, sentences)
            for spoken in sentences:
                clip = in_its_turn.synthesize(spoken)
                pairs.append((len(spoken), len(trim(clip.audio, clip.sample_rate)) / clip.sample_rate))
        return pairs
    finally:
        engine.close()


def voice_paces(turns: list[Turn], cast: Cast, cache: TurnCache, normalizer: Normalizer,
                store: Path | None) -> dict[str, Pace]:
    """Pace per speaker: from cached turns of this voice, else a stored or new calibration."""
    pairs: dict[str, list[tuple[int, float]]] = {s: [] for s in cast.voices}
    for job in plan_jobs(turns, cast):
        hit = cache.get(job.key)
        if hit is None:
            continue
        for spoken, audio in zip(job.sentences, hit.sentences, strict=False):
            pairs[job.turn.speaker].append((len(spoken), len(trim(audio, hit.sample_rate)) / hit.sample_rate))
    paces: dict[str, Pace] = {}
    for speaker, voice in cast.voices.items():
        path = store / f"{voice_fingerprint(voice)}.json" if store else None
        if len(pairs[speaker]) >= 8:
            paces[speaker] = fit(pairs[speaker])
            if path is not None:  # real turns beat the calibration paragraph: keep the better fit
                old = json.loads(path.read_text())["samples"] if path.exists() else 0
                if paces[speaker].samples > old:
                    _store(path, paces[speaker])
            continue
        if path is not None and path.exists():
            data = json.loads(path.read_text())
            paces[speaker] = Pace(data["per_char"], data["per_sentence"], data["samples"])
            continue
        paces[speaker] = fit(_calibrate(voice, normalizer) + pairs[speaker])
        if path is not None:
            _store(path, paces[speaker])
    return paces


def _store(path: Path, pace: Pace) -> None:
    write_text(json.dumps(pace.__dict__), path)


@dataclass
class Prediction:
    total_s: float
    speech_s: float
    pause_s: float
    words: int


def predict(turns: list[Turn], cast: Cast, paces: dict[str, Pace], pacing: Pacing,
            music: bool, section_starts: set[int], rate_factor: float = 1.0) -> Prediction:
    """Duration as assembly would lay it out; ``rate_factor`` > 1 speaks faster."""
    speech = 0.0
    pause = pacing.music_lead_s if music else pacing.lead_s
    for i, t in enumerate(turns):
        spoken = [s for _, s in t.sentences]
        speech += sum(paces[t.speaker].seconds(s) for s in spoken) / rate_factor
        silence = cast.voices[t.speaker].sentence_silence
        pause += sum(max(silence, t.pauses[k] if k < len(t.pauses) else 0.0) for k in range(len(spoken) - 1))
        if i + 1 < len(turns):
            pause += gap_after(t, turns[i + 1], pacing, turns[i + 1].index in section_starts)
    pause += pacing.tail_s
    words = sum(len(t.text.split()) for t in turns)
    return Prediction(speech + pause, speech, pause, words)
