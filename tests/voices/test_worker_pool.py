"""The synthesis worker pool when a worker dies: the episode fails with a clear error and the
pool can go on, even when the executor itself never notices (a worker killed half-way
through sending back a turn's audio leaves CPython 3.11's executor waiting for ever)."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import Future

import pytest

from render.errors import RenderError
from render.voices.cache import TurnCache
from render.voices.synthesize import WorkerPool, _collect


class SilentlyLostPool:
    """A pool whose worker died without a word: its futures never finish (as the executor's
    did when the worker was killed mid-send), and it knows the worker is gone."""

    def submit(self, job: object, cache: object) -> Future:
        return Future()

    def lost(self) -> bool:
        return True


def test_turns_of_a_lost_worker_fail_the_episode_instead_of_hanging(tmp_path) -> None:
    started = time.monotonic()
    with pytest.raises(RenderError) as err:
        list(_collect(SilentlyLostPool(), [object()], TurnCache(tmp_path), None,  # type: ignore[list-item]
                      threading.Event(), lost_grace_s=0.5))
    assert 0.5 <= time.monotonic() - started < 2.5
    assert "worker process died" in str(err.value) and "run the same command again" in (err.value.hint or "")


@pytest.mark.slow
def test_a_killed_worker_is_seen_as_lost() -> None:
    with WorkerPool(1, None) as pool:
        assert not pool.lost()
        pid = pool._pool.submit(os.getpid).result(timeout=60)  # a real worker process
        assert not pool.lost()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not pool.lost() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.lost()
