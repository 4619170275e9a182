"""Write deliverables atomically: a finished file or the previous one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

from render.audio.dsp import RATE, LoudnessMeter, oversampled_peak, threads
from render.errors import RenderError

MP3_KBPS = 128
MP3_QUALITY = 5  # LAME's standard "good" setting; 3x faster than libsndfile's choice


def check_writable(folder: Path) -> None:
    """Fail before any synthesis if results could not be saved."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe.", suffix=".part")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise os_error(exc, folder / "x") from exc


def remove_stale_parts(folder: Path) -> None:
    """Delete temp files a render killed with SIGKILL left behind (``.name.XXXX.part``)."""
    if folder.is_dir():
        for part in folder.glob(".*.part"):
            part.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temp path beside ``final``; rename over it only if the block succeeds."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
        os.close(fd)
    except OSError as exc:
        raise os_error(exc, final) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; deliverables are ordinary files
        os.replace(tmp_path, final)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise os_error(exc, final) from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def os_error(exc: OSError, path: Path) -> RenderError:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return RenderError("no space left on the device", path,
                           hint="free some space or pass --out DIR on another disk; "
                                "synthesized turns stay cached")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return RenderError("output folder is not writable", path.parent,
                           hint="fix its permissions or pass --out DIR")
    return RenderError(f"cannot write file: {exc.strerror}", path)


def write_audio(audio: np.ndarray, path: Path, fmt: str, rate: int = RATE,
                finish: Callable[[Path], None] | None = None,
                read: Callable[[int, int], np.ndarray] | None = None) -> FileMeasure:
    """Write MP3 (128 kbps CBR, LAME, no ffmpeg) or 16-bit WAV; return the decoded file's measures.

    ``finish`` runs on the complete temp file (tags, chapters) before the rename.
    ``read(a, b)``, when given, supplies the samples of ``audio``'s ``[a, b)`` block by block
    (a mastering limiter, so nothing is mastered ahead into a copy); either way the
    writer clips to ±1.
    An MP3 is measured by decoding the very streams written to it, in
    parallel, as soon as each is encoded; a WAV is read back from disk.
    """
    measured = None
    with atomic_path(path) as tmp:
        if fmt == "mp3":
            data, measured = encode_mp3_measured(audio, rate, read=read)
            tmp.write_bytes(data)
            del data
        else:
            source = read or (lambda a, b: audio[a:b])
            with sf.SoundFile(tmp, "w", rate, 1, format="WAV", subtype="PCM_16") as f:
                for a in range(0, len(audio), 1 << 18):
                    f.write(np.clip(source(a, min(len(audio), a + (1 << 18))), -1.0, 1.0))
        if finish is not None:
            finish(tmp)
    return measured if measured is not None else measure_file(path)


MP3_FRAME = 1152  # samples per MPEG-1 Layer III frame
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)


def _lame_stream(read: Callable[[int, int], np.ndarray], start: int, stop: int, rate: int) -> bytes:
    """One complete 128 kbps CBR mono LAME stream (lameenc) of ``read(a, b)`` over ``[start, stop)``."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(MP3_KBPS)
    enc.set_in_sample_rate(rate)
    enc.set_channels(1)
    enc.set_quality(MP3_QUALITY)
    out = bytearray()
    for a in range(start, stop, 1 << 18):  # blocks keep the int16 copy small
        pcm = np.round(np.clip(read(a, min(stop, a + (1 << 18))), -1.0, 1.0) * 32767).astype("<i2")
        out += enc.encode(pcm.tobytes())
    out += enc.flush()
    return bytes(out)


def lame_frames(samples: int) -> int:
    """Frames LAME writes for ``samples`` input samples: its delay plus padding to a whole frame.

    Measured for lameenc's LAME; :func:`encode_mp3` checks it on every stream it joins.
    """
    return -(-(samples + MP3_FRAME) // MP3_FRAME)


def count_frames(data: bytes) -> int:
    """MPEG-1 Layer III frames in ``data``, walking the frame headers."""
    pos = frames = 0
    while pos + 4 <= len(data):
        header = int.from_bytes(data[pos: pos + 4], "big")
        if header >> 21 != 0x7FF:
            raise ValueError(f"no MP3 frame header at byte {pos}")
        bitrate = _BITRATES[(header >> 12) & 15] * 1000
        rate = _RATES[(header >> 10) & 3]
        pos += 144 * bitrate // rate + ((header >> 9) & 1)
        frames += 1
    return frames


def _silent_run(audio: np.ndarray, target: int, lo: int, min_run: int, window: int) -> tuple[int, int] | None:
    """The run of digital silence (at least ``min_run`` long, after ``lo``) starting nearest ``target``."""
    a, b = max(lo, target - window), min(len(audio), target + window)
    if b - a < min_run:
        return None
    loud = np.flatnonzero(audio[a:b])
    edges = np.concatenate([[-1], loud, [b - a]])
    gaps = np.diff(edges) - 1
    good = np.flatnonzero(gaps >= min_run)
    if good.size == 0:
        return None
    starts = a + edges[good] + 1
    best = int(np.argmin(np.abs(starts - target)))
    return int(starts[best]), int(starts[best] + gaps[good[best]])


def stream_bounds(audio: np.ndarray, parts: int, rate: int = RATE) -> list[tuple[int, int]]:
    """Where to cut the episode into ``parts`` separately encoded MP3 streams, losslessly in time.

    Joined MP3 streams decode one after another, so each stream's first
    sample lands after the previous stream's whole frames. Cutting in a
    pause and starting the next stream exactly that many samples later keeps
    every sample at the position a single stream would give it: only a few
    milliseconds of digital silence become the codec's own silence.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    for i in range(1, parts):
        run = _silent_run(audio, i * len(audio) // parts, start + rate, 4 * MP3_FRAME, 20 * rate)
        if run is None:
            continue
        cut = run[0] + MP3_FRAME  # the stream ends on a frame of silence
        following = start + lame_frames(cut - start) * MP3_FRAME
        if following + MP3_FRAME > run[1]:
            continue
        bounds.append((start, cut))
        start = following
    bounds.append((start, len(audio)))
    return bounds


def _streams(audio: np.ndarray, rate: int, parts: int | None,
             then: Callable[[bytes, int], object] | None = None,
             read: Callable[[int, int], np.ndarray] | None = None) -> list[tuple[bytes, object]]:
    """Encode ``audio`` as parallel MP3 streams (see :func:`stream_bounds`), each followed by ``then``.

    ``read(a, b)``, when given, supplies the samples to encode instead of
    ``audio`` (which then only says where the pauses are): a mastering
    limiter, so each stream masters its own range as it encodes it.
    ``then(data, offset)`` runs on the encoding thread as soon as its stream
    is done; ``offset`` is where the stream's audio sits in the decoded whole.
    """
    if parts is None:
        parts = max(1, min(threads(), len(audio) // (60 * rate)))
    bounds = stream_bounds(audio, parts, rate) if parts > 1 else [(0, len(audio))]
    source = read or (lambda a, b: audio[a:b])

    def one(bound: tuple[int, int]) -> tuple[bytes, object]:
        data = _lame_stream(source, bound[0], bound[1], rate)
        return data, then(data, bound[0]) if then else None

    if len(bounds) == 1:
        return [one(bounds[0])]
    with ThreadPoolExecutor(len(bounds)) as pool:
        streams = list(pool.map(one, bounds))
    if any(count_frames(d) != lame_frames(b - a) for (d, _), (a, b) in zip(streams[:-1], bounds[:-1], strict=True)):
        return [one((0, len(audio)))]  # a LAME that pads differently: one stream is always right
    return streams


def encode_mp3(audio: np.ndarray, rate: int = RATE, parts: int | None = None) -> bytes:
    """128 kbps CBR mono MP3, encoded as ``parts`` streams on as many cores (see :func:`stream_bounds`).

    LAME is single-threaded; streams cut in pauses encode in parallel and
    concatenate into one valid MP3 whose timing matches a single stream.
    """
    return b"".join(data for data, _ in _streams(audio, rate, parts))


def encode_mp3_measured(audio: np.ndarray, rate: int = RATE, parts: int | None = None,
                        read: Callable[[int, int], np.ndarray] | None = None) -> tuple[bytes, FileMeasure]:
    """:func:`encode_mp3` (of ``read``'s samples, if given) plus the measures of its decoded
    audio, taken stream by stream."""
    streams = _streams(audio, rate, parts, lambda data, offset: _measure(io.BytesIO(data), "MP3", offset), read)
    measures: list[_Measure] = [m for _, m in streams]  # type: ignore[misc]
    return b"".join(d for d, _ in streams), _combine(measures)


@lru_cache(maxsize=1)
def mp3_delay_s(rate: int = RATE) -> float:
    """How late audio starts in the decoded MP3 (encoder + decoder delay), probed once.

    Captions and chapters add it so they line up with what players play.
    """
    x = np.zeros(rate, np.float32)
    x[rate // 4: rate // 4 + 200] = np.hanning(200).astype(np.float32) * 0.8
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "delay.mp3"
        path.write_bytes(encode_mp3(x, rate))
        y, _ = decode(path)
    return (int(np.argmax(np.abs(y))) - int(np.argmax(np.abs(x)))) / rate


def decode(data_path: Path) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(data_path, dtype="float32", always_2d=True)
    mono = audio[:, 0] if audio.shape[1] == 1 else audio.mean(axis=1)
    return np.ascontiguousarray(mono), int(rate)


def write_text(text: str, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@dataclass
class FileMeasure:
    """What listeners get, measured on the decoded file block by block."""

    seconds: float
    integrated_lufs: float
    true_peak_dbtp: float
    clipped_samples: int


@dataclass
class _Measure:
    """Measures of one decoded stream, kept mergeable with its neighbours'."""

    meter: LoudnessMeter
    frames: int
    peak: float
    clipped: int


def _measure(source: Path | io.BytesIO, name: str, offset: int = 0, block: int = 1 << 18) -> _Measure:
    """Decode ``source`` in blocks: loudness, true peak and clipping in flat memory."""
    try:
        f = sf.SoundFile(source)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise RenderError(f"cannot read back the written {name}: {exc}", source if isinstance(source, Path) else None) from exc
    with f:
        meter = LoudnessMeter(f.samplerate, offset)
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
    return _Measure(meter, frames, peak, clipped)


def _combine(parts: list[_Measure]) -> FileMeasure:
    rate = parts[0].meter.rate
    peak = max(p.peak for p in parts)
    return FileMeasure(sum(p.frames for p in parts) / rate,
                       round(LoudnessMeter.joined([p.meter for p in parts]).lufs(), 2),
                       round(float(20 * np.log10(peak)) if peak > 0 else -120.0, 2),
                       sum(p.clipped for p in parts))


def measure_file(path: Path) -> FileMeasure:
    """Duration, loudness, true peak and clipping of the decoded file at ``path``."""
    return _combine([_measure(path, "file")])


def read_back(path: Path) -> tuple[np.ndarray, int]:
    """Decode the written file: every delivery figure is measured on what listeners get."""
    try:
        return decode(path)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise RenderError(f"cannot read back the written file: {exc}", path) from exc
