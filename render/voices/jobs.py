"""One turn's synthesis, the unit every executor runs: in this process, in worker
processes, or on Ray actors (:mod:`render.voices.ray_executor`).

Kept apart from :mod:`render.voices.synthesize`, which schedules the jobs, so an
executor imports the unit it runs without importing the scheduler that calls it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from render.audio.assemble import condition
from render.audio.clips import TurnAudio
from render.audio.intonation import rise
from render.errors import RenderError
from render.normalize.questions import rises
from render.script.parse import Turn
from render.voices.cache import turn_key
from render.voices.cast import Cast
from render.voices.engines import Engine, load_engine, voice_fingerprint
from render.voices.engines.base import Clip
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

    @property
    def rises(self) -> list[bool]:
        """Which sentences end on a question's rise (render.audio.intonation)."""
        return sentence_rises(self.turn, self.voice)


def sentence_rises(turn: Turn, voice: Voice) -> list[bool]:
    """For each spoken sentence of ``turn``: whether render shapes its end into a rise (a
    yes/no or declarative question, with ``intonation = "natural"``)."""
    natural = voice.intonation == "natural"
    return [natural and rises(written) for written, spoken in turn.sentences if spoken]


RISE_MARK = "\u2197"  # added to a rising sentence in the turn key: the key changes with the intonation


class EngineCache:
    """Engines of one process, built on first use and kept for the process's life."""

    def __init__(self, threads: int, model_dir: Path | None = None) -> None:
        self.threads = threads
        self.model_dir = model_dir
        self.engines: dict[str, Engine] = {}
        self.fault = os.environ.get(FAULT_ENV)  # read once per process, not per sentence

    def get(self, voice: Voice) -> Engine:
        key = repr(voice)
        if key not in self.engines:
            engine = load_engine(voice, self.threads, self.model_dir)
            self.engines[key] = _Failing(engine, self.fault) if self.fault else engine
        return self.engines[key]

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


FAULT_ENV = "RENDER_FAIL_ON"  # fault injection for tests: engines fail on sentences containing this


class _Failing:
    """An engine that fails on sentences holding ``fault`` (the tests' broken engine), and
    otherwise is the engine it wraps; built only when ``RENDER_FAIL_ON`` is set."""

    def __init__(self, engine: Engine, fault: str) -> None:
        self.engine, self.fault = engine, fault

    def synthesize(self, text: str) -> Clip:
        if self.fault in text:
            raise RuntimeError(f"injected fault ({FAULT_ENV})")
        return self.engine.synthesize(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


def synth_turn(engines: EngineCache, job: Job) -> TurnAudio:
    engine = engines.get(job.voice)
    clips = []
    for sentence, rising in zip(job.sentences, job.rises, strict=True):
        try:
            clip = engine.synthesize(sentence)
            if rising:
                clip = Clip(rise(clip.audio, clip.sample_rate), clip.sample_rate)
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
    jobs = []
    for t in turns:
        voice = cast.voices[t.speaker]
        spoken = [s for _, s in t.sentences if s]
        marked = [s + RISE_MARK if up else s for s, up in zip(spoken, sentence_rises(t, voice), strict=True)]
        jobs.append(Job(t, voice, turn_key(marked, prints[t.speaker])))
    return jobs


def silent(audio: np.ndarray, threshold: float = 1e-4) -> bool:
    """True when a clip holds no speech (an engine that failed quietly)."""
    return audio.size == 0 or float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) < threshold
