"""Synthesize every turn, from the cache when possible, on all cores otherwise.

Workers are separate processes (ONNX Runtime and Festival are not
thread-friendly), each loading its engines once and capped to one thread,
and take turns longest first so the last turn to finish is a short one.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from render.assemble import condition
from render.cache import TurnAudio, TurnCache, turn_key
from render.engines import Engine, load_engine, voice_fingerprint
from render.errors import RenderError
from render.script import Turn
from render.voices import Cast, Voice


@dataclass
class Job:
    """One turn to synthesize: its key, voice and spoken sentences."""

    turn: Turn
    voice: Voice
    key: str

    @property
    def sentences(self) -> list[str]:
        return [spoken for _, spoken in self.turn.sentences if spoken]


@dataclass
class SynthesisResult:
    """Audio per turn index plus cache statistics for the report."""

    audio: dict[int, TurnAudio]
    hits: int
    misses: int


class _EngineCache:
    """Engines of one process, built on first use and kept for the process's life."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.engines: dict[str, Engine] = {}

    def get(self, voice: Voice) -> Engine:
        key = repr(voice)
        if key not in self.engines:
            self.engines[key] = load_engine(voice, self.threads)
        return self.engines[key]

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


_WORKER: _EngineCache | None = None  # one per worker process, set by the initializer


def _init_worker(threads: int) -> None:
    global _WORKER
    # The parent handles Ctrl-C and stops the pool; workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    _WORKER = _EngineCache(threads)


FAULT_ENV = "RENDER_FAIL_ON"  # fault injection for tests: fail on sentences containing this


def synth_turn(engines: _EngineCache, job: Job) -> TurnAudio:
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


def _worker_job(job: Job, cache: TurnCache) -> tuple[int, TurnAudio]:
    assert _WORKER is not None
    audio = synth_turn(_WORKER, job)
    cache.put(job.key, audio)
    return job.turn.index, audio


def plan_jobs(turns: list[Turn], cast: Cast) -> list[Job]:
    """Cache keys for every turn; fingerprints are computed once per voice."""
    prints = {name: voice_fingerprint(v) for name, v in cast.voices.items()}
    return [Job(t, cast.voices[t.speaker],
                turn_key([s for _, s in t.sentences if s], prints[t.speaker]))
            for t in turns]


def synthesize(jobs: list[Job], cache: TurnCache, workers: int,
               progress: Callable[[int], None] | None = None, *,
               executor: str = "local", ray_address: str | None = None) -> SynthesisResult:
    """Return audio for every job; cached turns are read, the rest synthesized."""
    audio: dict[int, TurnAudio] = {}
    todo: list[Job] = []
    for job in jobs:
        hit = cache.get(job.key)
        if hit is not None:
            audio[job.turn.index] = hit
            if progress:
                progress(1)
        else:
            todo.append(job)
    hits = len(jobs) - len(todo)
    todo.sort(key=lambda j: -sum(len(s) for s in j.sentences))
    if not todo:
        return SynthesisResult(audio, hits, 0)
    workers = max(1, min(workers, len(todo)))
    if executor == "ray":
        from render.ray_executor import synthesize_ray
        audio.update(synthesize_ray(todo, cache, workers, ray_address, progress))
        return SynthesisResult(audio, hits, len(todo))
    if workers == 1:
        engines = _EngineCache(threads=os.cpu_count() or 1)
        try:
            for job in todo:
                audio[job.turn.index] = synth_turn(engines, job)
                cache.put(job.key, audio[job.turn.index])
                if progress:
                    progress(1)
        finally:
            engines.close()
        return SynthesisResult(audio, hits, len(todo))
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(1,)) as pool:
        pending: set[Future[tuple[int, TurnAudio]]] = {
            pool.submit(_worker_job, job, cache) for job in todo}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        index, turn_audio = fut.result()
                    except BrokenProcessPool as exc:
                        raise RenderError(
                            "a synthesis worker process died (killed, or out of memory)",
                            hint="finished turns are cached; run the same command again to resume") from exc
                    audio[index] = turn_audio
                    if progress:
                        progress(1)
        except BaseException:
            for fut in pending:
                fut.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()  # don't wait for turns in flight: they'd be cached but unused
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return SynthesisResult(audio, hits, len(todo))


def silent(audio: np.ndarray, threshold: float = 1e-4) -> bool:
    """True when a clip holds no speech (an engine that failed quietly)."""
    return audio.size == 0 or float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) < threshold
