"""What listeners get, measured on decoded audio: length, loudness, true peak, clipping.

An MP3 made of streams is measured stream by stream as each is encoded, and
a stream's measures do not depend on where it sits in the episode: its
loudness is kept as K-weighted energy in bins small enough that the
BS.1770 100 ms grid falls on their edges wherever the stream lands (see
:meth:`LoudnessMeter.placed`). A stream reused from the cache after an edit
moved it is therefore measured without being decoded again.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from render.audio.dsp import LoudnessMeter, oversampled_peak
from render.errors import RenderError

MP3_FRAME = 1152  # samples per MPEG-1 Layer III frame: streams start on multiples of it


def bin_samples(rate: int) -> int:
    """The energy bin: both the 100 ms loudness grid and every stream start fall on its edges."""
    return math.gcd(MP3_FRAME, round(0.1 * rate))


@dataclass
class FileMeasure:
    """What listeners get, measured on the decoded file block by block."""

    seconds: float
    integrated_lufs: float
    true_peak_dbtp: float
    clipped_samples: int
    streams_reused: int = 0  # MP3 streams taken from the cache as they were
    streams_encoded: int = 0


@dataclass
class StreamMeasure:
    """Measures of one decoded stream that hold wherever it is placed in a program."""

    rate: int
    frames: int
    peak: float
    clipped: int
    bins: np.ndarray  # K-weighted energy per bin_samples(rate) samples
    rest: tuple[int, float]  # samples and energy after the last whole bin
    square_sum: float  # what a very short program's RMS estimate needs

    def meter(self, offset: int) -> LoudnessMeter:
        return LoudnessMeter.placed(self.bins, bin_samples(self.rate), self.rest, offset,
                                    self.rate, self.square_sum)


def measure_stream(source: Path | io.BytesIO, name: str, block: int = 1 << 18) -> StreamMeasure:
    """Decode ``source`` in blocks: energy bins, true peak and clipping in flat memory."""
    try:
        f = sf.SoundFile(source)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise RenderError(f"cannot read back the written {name}: {exc}",
                          source if isinstance(source, Path) else None) from exc
    with f:
        size = bin_samples(f.samplerate)
        meter = LoudnessMeter(f.samplerate, bin_samples=size)
        frames, clipped, peak = 0, 0, 0.0
        tail = np.zeros(0, np.float32)
        while True:
            # read() trims to what was really decoded; an MP3's header frame count is an estimate
            chunk = f.read(block, dtype="float32", always_2d=True)
            if not len(chunk):
                break
            mono = np.ascontiguousarray(chunk[:, 0]) if chunk.shape[1] == 1 else chunk.mean(axis=1)
            meter.feed(mono)
            peak = max(peak, oversampled_peak(np.concatenate([tail, mono])))
            frames += len(mono)
            clipped += int(np.count_nonzero(np.abs(mono) >= 0.9999))
            tail = mono[-256:]
    bins = np.concatenate(meter.energies) if meter.energies else np.zeros(0)
    return StreamMeasure(f.samplerate, frames, peak, clipped, bins,
                         (len(meter.carry), float(meter.carry.sum())), meter.square_sum)


def combine(parts: list[tuple[int, StreamMeasure]]) -> FileMeasure:
    """The measures of consecutive streams, each at its offset in the decoded whole."""
    rate = parts[0][1].rate
    peak = max(m.peak for _, m in parts)
    return FileMeasure(sum(m.frames for _, m in parts) / rate,
                       round(LoudnessMeter.joined([m.meter(offset) for offset, m in parts]).lufs(), 2),
                       round(float(20 * np.log10(peak)) if peak > 0 else -120.0, 2),
                       sum(m.clipped for _, m in parts))


def measure_file(path: Path) -> FileMeasure:
    """Duration, loudness, true peak and clipping of the decoded file at ``path``."""
    return combine([(0, measure_stream(path, "file"))])


def decode(data_path: Path) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(data_path, dtype="float32", always_2d=True)
    mono = audio[:, 0] if audio.shape[1] == 1 else audio.mean(axis=1)
    return np.ascontiguousarray(mono), int(rate)


def read_back(path: Path) -> tuple[np.ndarray, int]:
    """Decode the written file: every delivery figure is measured on what listeners get."""
    try:
        return decode(path)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise RenderError(f"cannot read back the written file: {exc}", path) from exc
