"""The timeline's memory, allocated ahead while synthesis runs.

Writing to fresh memory costs a page fault per page; for a long episode
that is most of a second, paid here on a helper thread meanwhile instead of
during assembly.
"""

from __future__ import annotations

import threading

import numpy as np

from render.audio.assemble import Pacing, sentence_spans
from render.audio.clips import TurnAudio
from render.audio.dsp import RATE
from render.script.parse import Turn


class TimelineBuffers:
    """The timeline's zeroed audio and envelope buffers, allocated and touched on a helper thread.

    The first write to fresh memory costs a page fault per page (on this
    kind of VM ~2 ms per MB: half a second for an episode's two buffers).
    Started with a size estimate while synthesis still runs, that cost is
    paid meanwhile; :meth:`take` falls back to fresh buffers if the
    timeline turns out longer than estimated.
    """

    def __init__(self, samples: int) -> None:
        self._samples = samples
        self._ready: tuple[np.ndarray, np.ndarray] | None = None
        self._thread = threading.Thread(target=self._touch, name="render-prefault", daemon=True)
        self._thread.start()

    def _touch(self) -> None:
        audio, envelope = np.empty(self._samples, np.float32), np.empty(self._samples, np.float16)
        audio[:] = 0  # numpy writes without the GIL: the page faults happen on this thread
        envelope[:] = 0
        self._ready = (audio, envelope)

    def take(self, samples: int) -> tuple[np.ndarray, np.ndarray]:
        self._thread.join()
        ready, self._ready = self._ready, None
        if ready is None or samples > self._samples:
            return np.zeros(samples, np.float32), np.zeros(samples, np.float16)
        return ready[0][:samples], ready[1][:samples]


PREFAULT_BUDGET = 600 * 2**20  # bytes: keeps a 25-minute episode's peak memory under 1 GB


def timeline_samples(turns: list[Turn], cached: dict[int, TurnAudio], pacing: Pacing, silences: dict[str, float],
                     music: bool) -> int | None:
    """Samples the timeline will need when most turns are cached (exact for those, generous for
    the rest), to allocate its buffers ahead (:class:`TimelineBuffers`); None when too much is
    unknown to allocate ahead without wasting memory."""
    total, unknown = 0, 0
    for t in turns:
        hit = cached.get(t.index)
        if hit is None:
            unknown += 1
            total += int(0.1 * RATE * len(t.text))  # 10 characters a second: slower than these voices
        else:
            spans = sentence_spans([len(s) for s in hit.sentences], silences[t.speaker], t.pauses)
            total += spans[-1][1] if spans else 0
    if unknown > max(2, len(turns) // 10):
        return None
    total += int((len(turns) * pacing.max_gap() + pacing.music_lead_s + pacing.tail_s + 1.0) * RATE)
    total += int(20 * RATE) if music else 0
    # Both buffers (6 bytes a sample) then coexist with the cached turns (6 bytes a sample):
    # past PREFAULT_BUDGET that would lift peak memory, so long episodes fault as they fill.
    return total if 12 * total <= PREFAULT_BUDGET else None
