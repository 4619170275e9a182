"""Write deliverables atomically: a finished file or the previous one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

from render.dsp import RATE, LoudnessMeter, true_peak
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
                finish: Callable[[Path], None] | None = None) -> None:
    """MP3 (128 kbps CBR via libsndfile/LAME, no ffmpeg) or 16-bit WAV.

    ``finish`` runs on the complete temp file (tags, chapters) before the rename.
    """
    with atomic_path(path) as tmp:
        if fmt == "mp3":
            tmp.write_bytes(encode_mp3(audio, rate))
        else:
            sf.write(tmp, audio, rate, format="WAV", subtype="PCM_16")
        if finish is not None:
            finish(tmp)


def encode_mp3(audio: np.ndarray, rate: int = RATE) -> bytes:
    """128 kbps CBR mono MP3 with LAME (lameenc); no ffmpeg needed."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(MP3_KBPS)
    enc.set_in_sample_rate(rate)
    enc.set_channels(1)
    enc.set_quality(MP3_QUALITY)
    out = bytearray()
    for start in range(0, len(audio), 1 << 20):  # blocks keep the int16 copy small
        pcm = np.round(np.clip(audio[start: start + (1 << 20)], -1.0, 1.0) * 32767).astype("<i2")
        out += enc.encode(pcm.tobytes())
    out += enc.flush()
    return bytes(out)


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


def measure_file(path: Path, block: int = 1 << 20) -> FileMeasure:
    """Decode ``path`` in blocks: duration, loudness, true peak and clipping in flat memory."""
    try:
        f = sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise RenderError(f"cannot read back the written file: {exc}", path) from exc
    with f:
        rate = f.samplerate
        meter = LoudnessMeter(rate)
        frames, peak, clipped = 0, 0.0, 0
        tail = np.zeros(0, np.float32)
        while True:
            # read() trims to what was really decoded; an MP3's header frame count is an estimate
            chunk = f.read(block, dtype="float32", always_2d=True)
            if not len(chunk):
                break
            mono = chunk[:, 0] if chunk.shape[1] == 1 else chunk.mean(axis=1)
            meter.feed(mono)
            frames += len(mono)
            clipped += int(np.count_nonzero(np.abs(mono) >= 0.9999))
            seg = np.concatenate([tail, mono])
            peak = max(peak, 10 ** (true_peak(seg) / 20))
            tail = mono[-256:]
    return FileMeasure(frames / rate, round(meter.lufs(), 2),
                       round(float(20 * np.log10(peak)) if peak > 0 else -120.0, 2), clipped)


def read_back(path: Path) -> tuple[np.ndarray, int]:
    """Decode the written file: every delivery figure is measured on what listeners get."""
    try:
        return decode(path)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise RenderError(f"cannot read back the written file: {exc}", path) from exc
