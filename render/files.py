"""Every file render writes goes through here: whole or not at all, never half of one.

:func:`atomic_path` is the one temp-file-and-rename writer (deliverables,
reports, the caches, models built on first use). Its temp files are named
``.NAME.XXXX.part`` beside the final file, so a render killed with SIGKILL
leaves only names that :func:`remove_stale_parts` recognises and clears at
the next start. :class:`KeyedStore` is the one content-keyed folder layout
the three caches share (``root/ab/abcdef….suffix``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from render.errors import RenderError

PART = ".part"


def os_error(exc: OSError, path: Path) -> RenderError:
    """A failed write as a message that says what to do."""
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return RenderError("no space left on the device", path,
                           hint="free some space or pass --out DIR on another disk; "
                                "synthesized turns stay cached")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return RenderError("output folder is not writable", path.parent,
                           hint="fix its permissions or pass --out DIR")
    return RenderError(f"cannot write file: {exc.strerror}", path)


@contextlib.contextmanager
def atomic_path(final: Path, *, durable: bool = True,
                error: Callable[[OSError, Path], Exception] = os_error) -> Iterator[Path]:
    """Yield a temp path beside ``final``; rename it over ``final`` only if the block succeeds.

    ``durable`` fsyncs the data before the rename (deliverables and the turn
    cache: a power loss must not leave a renamed empty file); a failure of the
    disk becomes ``error(exc, final)``; any failure removes the temp file.
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=PART)
        os.close(fd)
    except OSError as exc:
        raise error(exc, final) from exc
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise error(exc, final) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(data: bytes | list[bytes], path: Path, *, durable: bool = True,
                error: Callable[[OSError, Path], Exception] = os_error) -> None:
    with atomic_path(path, durable=durable, error=error) as tmp, open(tmp, "wb") as f:
        for chunk in [data] if isinstance(data, bytes) else data:
            f.write(chunk)


def write_text(text: str, path: Path) -> None:
    write_bytes(text.encode("utf-8"), path)


def remove_stale_parts(folder: Path, older_than_s: float = 0.0, recursive: bool = False) -> int:
    """Delete temp files a killed process left behind (``.NAME.XXXX.part``); in a folder
    other processes may be writing to (a shared cache), only those older than ``older_than_s``."""
    if not folder.is_dir():
        return 0
    now, removed = time.time(), 0
    for part in folder.glob(f"**/.*{PART}" if recursive else f".*{PART}"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime >= older_than_s:
                part.unlink()
                removed += 1
    return removed


def check_writable(folder: Path) -> None:
    """Fail before any synthesis if results could not be saved."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe.", suffix=PART)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise os_error(exc, folder / "x") from exc


@contextlib.contextmanager
def folder_lock(folder: Path, what: str = "this episode is already being rendered") -> Iterator[None]:
    """One process at a time in ``folder``; a second one refuses with a clear message."""
    check_writable(folder)
    handle = open(folder / ".render.lock", "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RenderError(f"{what} by {holder}", folder,
                              hint="wait for it to finish, or render into another --out DIR") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


@dataclass
class KeyedStore:
    """Blobs on disk under ``root/ab/abcdef….suffix`` by a content key; ``root=None`` keeps
    nothing. What a cache stores is its own business; this is where and how."""

    root: Path | None
    suffix: str
    durable: bool = False  # fsync each entry (the turn cache: hours of synthesis)

    def path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}{self.suffix}"

    def read(self, key: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            return self.path(key).read_bytes()
        except OSError:
            return None  # missing or unreadable: computed again

    def write(self, key: str, data: bytes | list[bytes],
              error: Callable[[OSError, Path], Exception] = os_error) -> None:
        if self.root is not None:
            write_bytes(data, self.path(key), durable=self.durable, error=error)

    def entries(self) -> list[Path]:
        if self.root is None or not self.root.exists():
            return []
        return list(self.root.glob(f"*/*{self.suffix}"))
