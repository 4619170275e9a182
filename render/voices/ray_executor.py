"""Run turn synthesis on a Ray cluster, for users who outgrow one machine.

Each Ray actor loads its engines once (like a local worker process) and
takes turns from the shared queue; every actor writes finished turns to
the same cache folder, which on a real cluster must be a shared file system.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from render.audio.clips import TurnAudio
from render.errors import RenderError
from render.voices.cache import TurnCache
from render.voices.jobs import EngineCache, Job, synth_turn


class _Synthesizer:
    """Actor body: the engines of one Ray worker process."""

    def __init__(self) -> None:
        self.engines = EngineCache(threads=1)

    def run(self, job: Job, cache_root: str | None) -> tuple[int, TurnAudio]:
        cache = TurnCache(None if cache_root is None else Path(cache_root))
        self.engines.model_dir = cache.models
        audio = synth_turn(self.engines, job)
        cache.put(job.key, audio)
        return job.turn.index, audio


_INIT = threading.Lock()  # series renders episodes in threads; ray.init must run once


def connect(address: str | None, workers: int) -> None:
    """Join the cluster at ``address``, or start a local Ray with ``workers`` CPUs."""
    import ray

    with _INIT:
        if not ray.is_initialized():
            kwargs = {"address": address} if address else {"num_cpus": workers}
            ray.init(include_dashboard=False, log_to_driver=False, **kwargs)


def synthesize_ray(todo: list[Job], cache: TurnCache, workers: int, address: str | None,
                   progress: Callable[[int], None] | None) -> dict[int, TurnAudio]:
    """Fan ``todo`` out over ``workers`` Ray actors; ``address=None`` starts a local Ray."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as exc:
        raise RenderError("the Ray executor needs the 'ray' extra",
                          hint="pip install -e .[ray]  (or drop --executor ray)") from exc
    connect(address, workers)
    actor = ray.remote(num_cpus=1)(_Synthesizer)
    actors = [actor.remote() for _ in range(max(1, min(workers, len(todo))))]
    pool = ActorPool(actors)
    root = None if cache.root is None else str(cache.root)
    audio: dict[int, TurnAudio] = {}
    try:
        for index, turn_audio in pool.map_unordered(lambda a, j: a.run.remote(j, root), todo):
            audio[index] = turn_audio
            if progress:
                progress(1)
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause if isinstance(getattr(exc, "cause", None), RenderError) else None
        if cause is not None:
            raise cause from None
        raise RenderError(f"a Ray task failed: {exc}") from exc
    finally:
        for a in actors:
            ray.kill(a)  # type: ignore[arg-type]  # ray types .remote() as the class or a handle
    return audio
