"""Write deliverables atomically: a finished file or the previous one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import soundfile as sf

from render.dsp import RATE
from render.errors import RenderError

# libsndfile maps compression_level linearly onto 320…32 kbps; 0.6667 → 128 kbps CBR.
MP3_128K = 0.6667


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temp path beside ``final``; rename over it only if the block succeeds."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
        os.close(fd)
    except OSError as exc:
        raise _os_error(exc, final) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, final)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise _os_error(exc, final) from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _os_error(exc: OSError, path: Path) -> RenderError:
    if exc.errno == errno.ENOSPC:
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
            sf.write(tmp, audio, rate, format="MP3", subtype="MPEG_LAYER_III",
                     bitrate_mode="CONSTANT", compression_level=MP3_128K)
        else:
            sf.write(tmp, audio, rate, format="WAV", subtype="PCM_16")
        if finish is not None:
            finish(tmp)


def write_text(text: str, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_back(path: Path) -> tuple[np.ndarray, int]:
    """Decode the written file: every delivery figure is measured on what listeners get."""
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    return audio.mean(axis=1), int(rate)
