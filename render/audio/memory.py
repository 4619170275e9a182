"""Give freed audio buffers back to the operating system between stages.

glibc raises its mmap threshold after large frees, so later block-sized arrays
land on the heap and stay resident after they are freed. Trimming at stage
boundaries keeps a 26-minute episode under 1 GB of RSS without the cost of a
fixed low threshold (which made mastering 70 % slower with page faults).
"""

from __future__ import annotations

import ctypes
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None  # not glibc: nothing to trim


def release() -> None:
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
