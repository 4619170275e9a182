"""Mastering: integrated loudness to a target and a true-peak ceiling.

The ceiling is set below the delivery limit because MP3 encoding adds
inter-sample overshoot; :func:`master_to_file` measures the decoded file
and masters again with a lower ceiling if needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.audio import memory
from render.audio.assemble import Timeline
from render.audio.dsp import RATE, Limiter, loudness, peak_envelope, true_peak
from render.audio.export import write_audio
from render.audio.measure import FileMeasure
from render.audio.mp3 import StreamStore, round_trip
from render.report import Master


@dataclass(frozen=True)
class MasterSpec:
    """Delivery targets: −16 LUFS and −1 dBTP are the podcast norm (Apple, Spotify)."""

    lufs: float = -16.0
    true_peak_db: float = -1.0
    headroom_db: float = 0.8

    def ceiling_db(self, extra_headroom_db: float = 0.0) -> float:
        """Where the limiter holds the peaks: under the true-peak target by the headroom the
        encoder's overshoot needs, and by any extra a missed render asked for."""
        return self.true_peak_db - self.headroom_db - extra_headroom_db


@dataclass
class Measured:
    integrated_lufs: float
    true_peak_dbtp: float


# Limited peaks don't get louder with gain, so loudness rises slower than gain: the slope
# measured on speech at -16 LUFS against a -1.8 dBTP ceiling is ~0.65 LU per dB.
LIMITED_SLOPE = 0.65


def can_start_from(plan: Master, spec: MasterSpec, fmt: str) -> bool:
    """Whether the last render's plan (kept in its report) is where this one may start.

    After an edit the episode's loudness barely moves, so the same gain
    usually still lands on the target; keeping it exactly leaves every
    unedited part of the master sample for sample the same, which is what
    lets the MP3 reuse its encoded streams (render.audio.mp3).
    """
    numbers = (plan.gain_db, plan.extra_headroom_db, plan.codec_offset_lu)
    return (plan.lufs, plan.true_peak_db, plan.fmt) == (spec.lufs, spec.true_peak_db, fmt) and \
        all(math.isfinite(x) for x in numbers)


def plan_master(audio: np.ndarray, envelope: np.ndarray, gain_db: float, spec: MasterSpec,
                extra_headroom_db: float = 0.0, lufs_offset: float = 0.0,
                rate: int = RATE) -> tuple[Limiter, float]:
    """The limiter (and its gain in dB) that lands ``audio`` on the target, for audio that is mastered as it is encoded.

    Starts from ``gain_db`` (the target minus the input's loudness, or the
    last render's gain) and keeps it if it lands within 0.1 LU. Measured
    passes (block-parallel, no copy of the episode, ~0.3 s each) then take
    secant steps from the usual slope: how much loudness a dB of gain buys
    depends on how hard the voices hit the limiter, and a pass here is much
    cheaper than encoding the MP3 again. Not verified here: the caller
    measures the delivered file and plans again if it missed.
    """
    target = spec.lufs + lufs_offset
    limiter = Limiter(audio, envelope, spec.ceiling_db(extra_headroom_db), 10 ** (gain_db / 20), rate)
    measured, slope = limiter.loudness(), LIMITED_SLOPE
    for _ in range(PLAN_STEPS):
        error = target - measured
        if abs(error) < 0.1:  # the delivered file may miss by 0.3 before it is mastered again
            break
        step = error / slope
        limiter.gain = 10 ** ((gain_db + step) / 20)
        after = limiter.loudness()
        slope = float(np.clip((after - measured) / step, 0.2, 1.0))
        gain_db, measured = gain_db + step, after
    return limiter, gain_db


PLAN_STEPS = 3


def master(audio: np.ndarray, spec: MasterSpec, extra_headroom_db: float = 0.0,
           lufs_offset: float = 0.0, rate: int = RATE) -> np.ndarray:
    """A mastered copy of ``audio``, by the same plan an episode is mastered with
    (:func:`plan_master`): for short audio, such as the excerpt :func:`codec_offset` probes.

    ``lufs_offset`` compensates for the codec: MP3's low-pass removes energy
    that K-weighting counts, so the decoded file measures lower than the PCM.
    """
    gain_db = spec.lufs + lufs_offset - loudness(audio, rate)
    limiter, _ = plan_master(audio, peak_envelope(audio), gain_db, spec, extra_headroom_db, lufs_offset, rate)
    return np.clip(limiter.block(0, len(audio)), -1.0, 1.0)


def measure(audio: np.ndarray, rate: int = RATE) -> Measured:
    return Measured(round(float(loudness(audio, rate)), 2), round(float(true_peak(audio)), 2))


def codec_offset(audio: np.ndarray, spec: MasterSpec, encode_decode: Callable[[np.ndarray], np.ndarray],
                 rate: int = RATE, excerpt_s: float = 30.0) -> float:
    """Loudness the codec loses, measured on a mastered excerpt (cheap next to a full encode)."""
    n = int(excerpt_s * rate)
    mid = max(0, len(audio) // 2 - n // 2)
    excerpt = master(audio[mid: mid + n], spec, rate=rate)
    return loudness(excerpt, rate) - loudness(encode_decode(excerpt), rate)


Stage = Callable[[str], AbstractContextManager[object]]


def _untimed(name: str) -> AbstractContextManager[object]:
    return nullcontext()


def master_to_file(timeline: Timeline, path: Path, fmt: str, spec: MasterSpec, stage: Stage = _untimed,
                   finish: Callable[[Path], None] | None = None, store: StreamStore | None = None,
                   previous: Master | None = None) -> tuple[FileMeasure, Master]:
    """Master and write, then measure the decoded file; correct and rewrite if it misses.

    ``previous``, the last render's plan, is where mastering starts: its gain
    is kept if it still lands on the target, and with it every MP3 stream the
    edit did not touch is taken from ``store`` as it was. ``stage(name)``
    times the "master" and "export" parts.
    """
    if previous is not None and can_start_from(previous, spec, fmt):
        extra, offset, gain_db = previous.extra_headroom_db, previous.codec_offset_lu, previous.gain_db
    else:
        with stage("master"), ThreadPoolExecutor(1) as side:
            # The codec's loudness loss is measured on an excerpt, on the other core meanwhile.
            codec = side.submit(codec_offset, timeline.audio, spec, round_trip) if fmt == "mp3" else None
            input_lufs = loudness(timeline.audio)
            extra, offset = 0.0, codec.result() if codec is not None else 0.0
            gain_db = spec.lufs + offset - input_lufs
    for _ in range(4):
        with stage("master"):
            memory.release()
            limiter, gain_db = plan_master(timeline.audio, timeline.envelope, gain_db, spec, extra, offset)
        with stage("export"):
            # Each MP3 stream masters its own range as it encodes it: no mastered copy of the
            # episode. The written file is measured, and mastered again if it misses.
            measured = write_audio(timeline.audio, path, fmt, finish=finish, read=limiter.block, store=store)
        lufs_error = spec.lufs - measured.integrated_lufs
        if measured.true_peak_dbtp <= spec.true_peak_db and abs(lufs_error) <= 0.3:
            break
        offset += lufs_error
        gain_db += lufs_error
        if measured.true_peak_dbtp > spec.true_peak_db:
            extra += measured.true_peak_dbtp - spec.true_peak_db + 0.3
    return measured, Master(gain_db, extra, offset, spec.lufs, spec.true_peak_db, fmt)
