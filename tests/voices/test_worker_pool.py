"""The synthesis worker pool when a worker dies: its unfinished turns fail and fresh workers
take the next ones, even when the executor itself never notices (a worker killed half-way
through sending back a turn's audio leaves CPython 3.11's executor waiting for ever)."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from render.voices.synthesize import WorkerPool

pytestmark = pytest.mark.slow  # real worker processes


def test_turns_the_executor_never_answers_fail_and_the_pool_starts_fresh_workers() -> None:
    with WorkerPool(1, None, lost_grace_s=0.5) as pool:
        pid = pool._pool.submit(os.getpid).result(timeout=60)  # a real worker process
        # A turn the executor will never answer, as when its worker died mid-send.
        orphan: Future = Future()
        pool._issued.add(orphan)
        old = pool._pool
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            orphan.result(timeout=10)
        deadline = time.monotonic() + 5
        while pool._pool is old and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool._pool is not old  # fresh workers for the next turns
        assert pool._pool.submit(os.getpid).result(timeout=60) != pid
