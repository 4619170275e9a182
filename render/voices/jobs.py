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
from render.audio.intonation import SHAPING, fall, rise
from render.errors import RenderError
from render.normalize.questions import Tune, tune
from render.script.markup import EMPHASIS
from render.script.parse import Turn
from render.voices.cache import turn_key
from render.voices.cast import Cast
from render.voices.emphasis import speak
from render.voices.engines import Engine, load_engine, voice_fingerprint
from render.voices.engines.base import RISE, Clip, in_turn, shapes_prosody
from render.voices.voice import Voice


@dataclass
class Job:
    """One turn to synthesize: its key, voice and spoken sentences."""

    turn: Turn
    voice: Voice
    key: str

    @property
    def sentences(self) -> list[str]:
        """The spoken sentences, their emphasis marks kept only for a voice that shapes them."""
        return spoken_sentences(self.turn, self.voice)

    @property
    def tunes(self) -> list[Tune | None]:
        """How render shapes each sentence's end (render.audio.intonation); None: as the engine says it."""
        return sentence_tunes(self.turn, self.voice)


def spoken_sentences(turn: Turn, voice: Voice) -> list[str]:
    """What ``voice`` is given to say of ``turn``: its spoken sentences, with their ⟬emphasis⟭
    marks when the voice's intonation is natural (:func:`speak`), else without them, so the
    turn key changes with the emphasis only where it changes the sound."""
    natural = voice.intonation == "natural"
    return [s if natural else EMPHASIS.sub(r"\1", s) for _, s in turn.sentences if s]


def sentence_tunes(turn: Turn, voice: Voice) -> list[Tune | None]:
    """For each spoken sentence of ``turn``: the question's tune render gives it (a rise for
    yes/no and declarative questions, a fall for wh-questions and alternatives), with
    ``intonation = "natural"``; None for statements, and for every sentence with ``"engine"``."""
    natural = voice.intonation == "natural"
    return [tune(written) if natural else None for written, spoken in turn.sentences if spoken]


# Added to a shaped sentence in the turn key: the key changes with the intonation, and only there.
TUNE_MARKS = {Tune.RISE: "\u2197", Tune.FALL: "\u2198"}


def shaped_key(sentence: str, shape: Tune | None) -> str:
    """A sentence as the turn key holds it: a sentence render shapes (a question's tune, an
    emphasised word) carries its tune's mark and the shaping's version, so a change to how
    render shapes re-synthesizes those sentences, and only those."""
    if shape is None and "⟬" not in sentence:
        return sentence
    return f"{sentence}{TUNE_MARKS[shape] if shape else ''}~{SHAPING}"


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

    def for_turn(self, sentences: list[str]) -> _Failing:
        return _Failing(in_turn(self.engine, sentences), self.fault)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


def synth_turn(engines: EngineCache, job: Job) -> TurnAudio:
    sentences = job.sentences
    engine = in_turn(engines.get(job.voice), sentences)
    clips = []
    for sentence, shape in zip(sentences, job.tunes, strict=True):
        try:
            inside = shape is Tune.RISE and shapes_prosody(engine)  # Kokoro: in its own graph
            clip = speak(engine, sentence + RISE if inside else sentence, job.voice.engine)
            if shape is not None and not inside:
                shaped = rise(clip.audio, clip.sample_rate) if shape is Tune.RISE else fall(clip.audio, clip.sample_rate)
                clip = Clip(shaped, clip.sample_rate)
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
        spoken = spoken_sentences(t, voice)
        marked = [shaped_key(s, k) for s, k in zip(spoken, sentence_tunes(t, voice), strict=True)]
        jobs.append(Job(t, voice, turn_key(marked, prints[t.speaker])))
    return jobs


def silent(audio: np.ndarray, threshold: float = 1e-4) -> bool:
    """True when a clip holds no speech (an engine that failed quietly)."""
    return audio.size == 0 or float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) < threshold
