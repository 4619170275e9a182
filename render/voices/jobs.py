"""One turn's synthesis, the unit every executor runs: in this process, in worker
processes, or on Ray actors (:mod:`render.voices.ray_executor`).

Kept apart from :mod:`render.voices.synthesize`, which schedules the jobs, so an
executor imports the unit it runs without importing the scheduler that calls it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.audio.assemble import condition
from render.audio.clips import TurnAudio
from render.errors import RenderError
from render.script.parse import Turn
from render.voices.cache import turn_key
from render.voices.cast import Cast
from render.voices.engines import Engine, load_engine, voice_fingerprint
from render.voices.voice import Voice


@dataclass
class Job:
    """One turn to synthesize: its key, voice and spoken sentences."""

    turn: Turn
    voice: Voice
    key: str

    @property
    def sentences(self) -> list[str]:
        return [spoken for _, spoken in self.turn.sentences if spoken]


class EngineCache:
    """Engines of one process, built on first use and kept for the process's life."""

    def __init__(self, threads: int, model_dir: Path | None = None) -> None:
        self.threads = threads
        self.model_dir = model_dir
        self.engines: dict[str, Engine] = {}

    def get(self, voice: Voice) -> Engine:
        key = repr(voice)
        if key not in self.engines:
            self.engines[key] = load_engine(voice, self.threads, self.model_dir)
        return self.engines[key]

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


FAULT_ENV = "RENDER_FAIL_ON"  # fault injection for tests: fail on sentences containing this


def synth_turn(engines: EngineCache, job: Job) -> TurnAudio:
    engine = engines.get(job.voice)
    clips = []
    fault = os.environ.get(FAULT_ENV)
    for sentence in job.sentences:
        try:
            if fault and fault in sentence:
                raise RuntimeError(f"injected fault ({FAULT_ENV})")
            clip = engine.synthesize(sentence)
        except RenderError:
            raise
        except Exception as exc:  # engine internals: report which turn broke
            raise RenderError(f"{job.voice.engine} failed on turn {job.turn.index + 1} "
                              f"({job.turn.speaker}): {exc}", line=job.turn.line) from exc
        clips.append(clip.audio)
    raw = TurnAudio(clips, engine.sample_rate)
    # Checked before conditioning (trimming drops both NaN and silence) and before caching.
    where = f"{job.turn.speaker}'s turn {job.turn.index + 1}"
    if not all(np.isfinite(c).all() for c in clips):
        raise RenderError(f"the {job.voice.engine} voice returned NaN/Inf audio for {where}",
                          line=job.turn.line, hint="check the voice with 'render voices test'")
    if clips and all(silent(c) for c in clips):
        raise RenderError(f"the {job.voice.engine} voice produced silence for {where}", line=job.turn.line,
                          hint="check the voice with 'render voices test'")
    return condition(raw)


def plan_jobs(turns: list[Turn], cast: Cast) -> list[Job]:
    """Cache keys for every turn; fingerprints are computed once per voice."""
    prints = {name: voice_fingerprint(v) for name, v in cast.voices.items()}
    return [Job(t, cast.voices[t.speaker],
                turn_key([s for _, s in t.sentences if s], prints[t.speaker]))
            for t in turns]


def silent(audio: np.ndarray, threshold: float = 1e-4) -> bool:
    """True when a clip holds no speech (an engine that failed quietly)."""
    return audio.size == 0 or float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) < threshold
