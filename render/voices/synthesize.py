"""Synthesize every turn, from the cache when possible, on all cores otherwise.

Workers are separate processes (ONNX Runtime and Festival are not
thread-friendly), each loading its engines once and capped to one thread,
and take turns longest first so the last turn to finish is a short one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, InvalidStateError, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from render.audio.clips import TurnAudio
from render.errors import RenderError
from render.voices.cache import TurnCache
from render.voices.jobs import EngineCache, Job, synth_turn

_WORKER: EngineCache | None = None  # one per worker process, set by the initializer


def _init_worker(threads: int, model_dir: Path | None) -> None:
    global _WORKER
    # The parent handles Ctrl-C and stops the pool; workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    _WORKER = EngineCache(threads, model_dir)


def _worker_job(job: Job, cache: TurnCache) -> tuple[int, TurnAudio]:
    assert _WORKER is not None
    audio = synth_turn(_WORKER, job)
    cache.put(job.key, audio)
    return job.turn.index, audio


def synthesize(jobs: list[Job], cache: TurnCache, workers: int,
               progress: Callable[[int], None] | None = None, *,
               executor: str = "local", ray_address: str | None = None,
               pool: TurnPool | None = None) -> Synthesis:
    """Audio for every job: missing turns start synthesizing at once, cached ones are read meanwhile.

    What is synthesized streams in as each turn finishes, so assembly
    prepares turns while the others are still being synthesized. ``pool``: a series' shared
    workers (:class:`WorkerPool`), used instead of starting this episode's own.
    """
    todo = sorted((j for j in jobs if not cache.has(j.key)), key=lambda j: -sum(len(s) for s in j.sentences))

    def run(part: list[Job]) -> Iterable[tuple[int, TurnAudio]]:
        if executor == "ray":
            # Not on a helper thread: a local Ray's raylet dies with the thread that started it
            # (it is spawned with PR_SET_PDEATHSIG), which would take the driver down with it.
            return _synthesized(part, cache, workers, progress, executor, ray_address, threading.Event())
        return _Background(lambda stop: _synthesized(part, cache, workers, progress, executor, ray_address, stop,
                                                     pool))

    streams: list[Iterable[tuple[int, TurnAudio]]] = [run(todo)] if todo else []
    cached: dict[int, TurnAudio] = {}
    damaged: list[Job] = []
    missing = {j.key for j in todo}
    for job in jobs:
        if job.key in missing:
            continue
        hit = cache.get(job.key)
        if hit is None:
            damaged.append(job)  # unreadable entry: synthesize it again
            continue
        cached[job.turn.index] = hit
        if progress:
            progress(1)
    if damaged:
        streams.append(run(damaged))
    return Synthesis(cached, streams, hits=len(cached), misses=len(todo) + len(damaged),
                     reused_s=sum(a.seconds for a in cached.values()))


@dataclass
class Synthesis:
    """Every turn's audio, to be iterated once: cached turns first, then the rest as each finishes.

    Use it as a context manager: leaving early (an error, Ctrl-C) stops the
    synthesis still running and terminates its worker processes.
    """

    cached: dict[int, TurnAudio]
    streams: list[Iterable[tuple[int, TurnAudio]]]
    hits: int
    misses: int
    reused_s: float = 0.0  # seconds of speech taken from the cache

    def __post_init__(self) -> None:
        self._iterators = [iter(s) for s in self.streams]

    def __iter__(self) -> Iterator[tuple[int, TurnAudio]]:
        while self.cached:
            yield self.cached.popitem()  # popped: each turn's audio lives in one place only
        for it in self._iterators:
            yield from it

    def close(self) -> None:
        for it in self._iterators:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Synthesis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Stopped(Exception):
    """The consumer went away (an error elsewhere, Ctrl-C): stop synthesizing."""


class _Background:
    """Run a result generator on a thread, so its work starts now and overlaps the caller's.

    Items and the generator's exception reach the consumer in order; when
    the consumer stops early, ``stop`` is set and the generator cleans up
    (terminating worker processes) before this returns.
    """

    def __init__(self, make: Callable[[threading.Event], Iterator[tuple[int, TurnAudio]]]) -> None:
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(make,), name="render-synthesis", daemon=True)
        self._thread.start()

    def _run(self, make: Callable[[threading.Event], Iterator[tuple[int, TurnAudio]]]) -> None:
        try:
            for item in make(self._stop):
                self._queue.put(("item", item))
        except BaseException as exc:
            self._queue.put(("error", exc))
        else:
            self._queue.put(("done", None))

    def __iter__(self) -> Iterator[tuple[int, TurnAudio]]:
        try:
            while True:
                kind, value = self._queue.get()
                if kind == "item":
                    yield value  # type: ignore[misc]
                elif kind == "error":
                    raise value  # type: ignore[misc]
                else:
                    return
        finally:
            self._stop.set()
            self._thread.join(timeout=30)


# Less spoken text than this is synthesized in this process, all cores to each engine, not in
# worker processes: starting the pool and loading every engine in each worker costs ~2 s,
# more than two one-thread workers save over one two-thread engine (1.27x on Kokoro) on
# ~15 s of speech. A cold preview of 00035's fifth exchange (170 characters): 6.1 s in
# this process, 8.6 s with two workers.
IN_PROCESS_CHARS = 400


def _synthesized(todo: list[Job], cache: TurnCache, workers: int, progress: Callable[[int], None] | None,
                 executor: str, ray_address: str | None, stop: threading.Event,
                 pool: TurnPool | None = None) -> Iterator[tuple[int, TurnAudio]]:
    workers = max(1, min(workers, len(todo)))
    if pool is not None:  # a series: the workers every episode in flight shares
        yield from _collect(pool, todo, cache, progress, stop)
        return
    if executor == "ray":
        from render.voices.ray_executor import RayPool

        yield from _collect(RayPool(ray_address, workers), todo, cache, progress, stop)
        return
    if sum(len(s) for job in todo for s in job.sentences) <= IN_PROCESS_CHARS:
        workers = 1
    if workers == 1:  # an edit or a preview: in this process, all cores for each engine
        engines = EngineCache(threads=os.cpu_count() or 1, model_dir=cache.models)
        try:
            for job in todo:
                if stop.is_set():
                    return
                audio = synth_turn(engines, job)
                cache.put(job.key, audio)
                if progress:
                    progress(1)
                yield job.turn.index, audio
        finally:
            engines.close()
        return
    with WorkerPool(workers, cache.models) as own:
        yield from _collect(own, todo, cache, progress, stop)


class TurnPool(Protocol):
    """Where turns are synthesized: local worker processes (:class:`WorkerPool`) or a Ray
    cluster (:class:`~render.voices.ray_executor.RayPool`)."""

    def submit(self, job: Job, cache: TurnCache) -> Future[tuple[int, TurnAudio]]: ...


# How long a dead worker's turns may stay unanswered before the pool fails them itself: the
# executor fails them within milliseconds when it can (WorkerPool).
LOST_GRACE_S = 3.0


class WorkerPool:
    """Synthesis worker processes, each loading its engines once, on one thread.

    One episode makes its own for its cold turns; ``render series`` makes one for the whole
    series and every episode in flight feeds it, so the cores stay busy while one episode
    assembles, masters or is checked, and each model is loaded once per worker, not once per
    episode. Jobs run in the order they are submitted (each episode submits longest first).
    Leaving the ``with`` block on an error terminates the workers at once: turns in flight
    would be cached but not used. A worker that dies (killed, out of memory) breaks the
    pool for the turns queued then, and their episodes fail; the pool then starts fresh
    workers, so one lost worker does not cost the rest of an overnight series.

    The executor finds a dead worker by itself and fails its futures, except when the worker
    died half-way through sending a turn's audio back: then the executor's thread waits for
    the rest of the message for ever (CPython 3.11; killing a worker returning 64 MB hung 1
    time in 10 here). So a watchdog thread fails every unfinished future of a pool whose
    worker has been dead for ``lost_grace_s``, the same way the executor would, and starts
    fresh workers.
    """

    def __init__(self, workers: int, model_dir: Path | None, lost_grace_s: float = LOST_GRACE_S) -> None:
        self.workers = workers
        self._model_dir = model_dir
        self._lock = threading.Lock()  # episodes submit from their own threads
        self._pool = self._start()
        self._issued: set[Future[tuple[int, TurnAudio]]] = set()  # the current executor's unfinished futures
        self._closing = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, args=(lost_grace_s,), name="worker-watchdog", daemon=True)
        self._watchdog.start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=_init_worker, initargs=(1, self._model_dir))

    def submit(self, job: Job, cache: TurnCache) -> Future[tuple[int, TurnAudio]]:
        with self._lock:
            try:
                fut = self._pool.submit(_worker_job, job, cache)
            except BrokenProcessPool:
                self._restart()
                fut = self._pool.submit(_worker_job, job, cache)
            self._issued.add(fut)
        fut.add_done_callback(self._issued.discard)
        return fut

    def _restart(self) -> None:
        """Fresh workers in place of a broken pool (called with the lock held)."""
        _abandon(self._pool)
        self._issued = set()
        self._pool = self._start()

    def _watch(self, grace_s: float) -> None:
        """Fail the futures of a pool whose worker died and that has not said so (the class's doc)."""
        dead_since: float | None = None
        while not self._closing.wait(0.2):
            if not any(proc.exitcode not in (None, 0) for proc in _processes(self._pool)):
                dead_since = None
                continue
            dead_since = dead_since or time.monotonic()
            if time.monotonic() - dead_since < grace_s:
                continue
            with self._lock:
                broken = BrokenProcessPool("a worker process died and the pool did not report it")
                for fut in list(self._issued):
                    with contextlib.suppress(InvalidStateError):  # finished meanwhile
                        fut.set_exception(broken)
                self._restart()
            dead_since = None

    def _close(self) -> None:
        self._closing.set()
        self._watchdog.join()

    def terminate(self) -> None:
        self._close()
        with self._lock:
            _abandon(self._pool)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self._close()
            self._pool.shutdown(wait=True)
        else:
            self.terminate()


def _processes(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    """The pool's worker processes (the executor keeps them in a private dict, None once shut down)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now, its workers killed and its queued jobs dropped, so that neither this
    process's exit nor a new pool waits on it: the exit handlers would otherwise join the
    thread that feeds the pool's jobs to its workers, which may wait on workers that are gone."""
    for proc in _processes(pool):
        proc.terminate()
    calls = getattr(pool, "_call_queue", None)
    if calls is not None:
        calls.cancel_join_thread()
    pool.shutdown(wait=False, cancel_futures=True)


def _collect(pool: TurnPool, todo: list[Job], cache: TurnCache, progress: Callable[[int], None] | None,
             stop: threading.Event) -> Iterator[tuple[int, TurnAudio]]:
    """Submit ``todo`` to ``pool`` and yield each turn as it finishes; on an error, or when the
    consumer stops, this episode's queued turns are cancelled (other episodes' are not)."""
    pending: set[Future[tuple[int, TurnAudio]]] = {pool.submit(job, cache) for job in todo}
    try:
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            if stop.is_set():
                raise _Stopped
            for fut in done:
                try:
                    index, turn_audio = fut.result()
                except BrokenProcessPool as exc:
                    raise RenderError(
                        "a synthesis worker process died (killed, or out of memory)",
                        hint="finished turns are cached; run the same command again to resume") from exc
                if progress:
                    progress(1)
                yield index, turn_audio
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
