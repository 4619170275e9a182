"""Run turn synthesis on a Ray cluster, for users who outgrow one machine.

:class:`RayPool` has the interface of the local :class:`~render.voices.synthesize.WorkerPool`
(``submit(job, cache)`` returns a :class:`concurrent.futures.Future`), so one episode and a
whole series use it the same way: every turn of every episode in flight is one Ray task of
one CPU, and Ray's scheduler hands them to whichever node has a free CPU. Ray reuses its
worker processes between tasks, so each worker loads its engines on its first turn and keeps
them (:data:`_ENGINES`, one per worker process, like the local pool's). Every task writes its
turn into the cache folder it is given, which on a real cluster must be shared storage
mounted at the same path on every node; the driver assembles from the audio the tasks return.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from render.audio.clips import TurnAudio
from render.errors import RenderError
from render.voices.cache import TurnCache
from render.voices.jobs import EngineCache, Job, synth_turn

_ENGINES: EngineCache | None = None  # the engines of one Ray worker process, built by its first turn


def _synthesize_task(job: Job, cache_root: str | None) -> tuple[int, TurnAudio]:
    """Task body: one turn, on whichever node Ray picked."""
    global _ENGINES
    cache = TurnCache(None if cache_root is None else Path(cache_root))
    if _ENGINES is None:
        _ENGINES = EngineCache(threads=1, model_dir=cache.models)
    audio = synth_turn(_ENGINES, job)
    cache.put(job.key, audio)
    return job.turn.index, audio


_INIT = threading.Lock()  # a series' episode threads may connect at once; ray.init must run once


def connect(address: str | None, workers: int) -> None:
    """Join the cluster at ``address``, or start a local Ray with ``workers`` CPUs.

    Call it on the main thread: a local Ray's raylet is started with PR_SET_PDEATHSIG and
    dies with the thread that started it."""
    import ray

    with _INIT:
        if not ray.is_initialized():
            kwargs = {"address": address} if address else {"num_cpus": workers}
            ray.init(include_dashboard=False, log_to_driver=False, **kwargs)


class RayPool:
    """Turns as Ray tasks of one CPU each; futures that fail with the engine's own
    :class:`~render.errors.RenderError` (not Ray's wrapper)."""

    def __init__(self, address: str | None, workers: int) -> None:
        try:
            import ray
        except ImportError as exc:
            raise RenderError("the Ray executor needs the 'ray' extra",
                              hint="pip install -e .[ray]  (or drop --executor ray)") from exc
        connect(address, workers)
        self._task = ray.remote(num_cpus=1)(_synthesize_task)
        self._ray = ray

    def submit(self, job: Job, cache: TurnCache) -> Future[tuple[int, TurnAudio]]:
        root = None if cache.root is None else str(cache.root)
        ref: Any = self._task.remote(job, root)
        out: Future[tuple[int, TurnAudio]] = Future()
        out.set_running_or_notify_cancel()

        def done(inner: Future[tuple[int, TurnAudio]]) -> None:
            try:
                out.set_result(inner.result())
            except self._ray.exceptions.RayTaskError as exc:
                cause = getattr(exc, "cause", None)
                out.set_exception(cause if isinstance(cause, RenderError) else
                                  RenderError(f"a Ray task failed: {exc}"))
            except Exception as exc:  # the cluster went away, a node died
                out.set_exception(RenderError(f"a Ray task failed: {exc}",
                                              hint="finished turns are cached; run the same command again to resume"))

        ref.future().add_done_callback(done)
        return out

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to stop: tasks still running finish into the cache, and the Ray session
        (a local one ends with this process) is left for the next episode of a series."""
