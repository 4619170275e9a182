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

from render.audio.dsp import RATE
from render.audio.measure import FileMeasure, measure_file
from render.audio.mp3 import StreamStore, encode_mp3_measured
from render.errors import RenderError


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
                read: Callable[[int, int], np.ndarray] | None = None,
                store: StreamStore | None = None) -> FileMeasure:
    """Write MP3 (128 kbps CBR, LAME, no ffmpeg) or 16-bit WAV; return the decoded file's measures.

    ``finish`` runs on the complete temp file (tags, chapters) before the rename.
    ``read(a, b)``, when given, supplies the samples of ``audio``'s ``[a, b)`` block by block
    (a mastering limiter, so nothing is mastered ahead into a copy); either way the
    writer clips to ±1.
    An MP3 is measured by decoding the very streams written to it, in
    parallel, as soon as each is encoded (streams found in ``store`` are
    reused with their measures); a WAV is read back from disk.
    """
    measured = None
    with atomic_path(path) as tmp:
        if fmt == "mp3":
            data, measured = encode_mp3_measured(audio, rate, read=read, store=store)
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


def write_text(text: str, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
