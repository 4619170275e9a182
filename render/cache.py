"""Content-addressed cache of synthesized turns.

The key covers exactly what changes the sound of a turn (its spoken
sentences, the voice fingerprint, the cache format), so editing one line
re-synthesizes one turn and changing pauses or music re-synthesizes
nothing. Entries are written to a temp file and renamed into place, so a
render killed at any instant never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.errors import RenderError

FORMAT = 3  # 3: sentences stored trimmed, faded, at 44.1 kHz, with peak envelopes (render.assemble.condition)


@dataclass
class TurnAudio:
    """One turn's sentences as separate clips, kept apart so pauses stay adjustable.

    Conditioned clips are already trimmed, faded and at the episode rate,
    and ``peaks`` holds each one's true-peak envelope (float16): the state
    the cache stores, so a re-render does no per-turn DSP again.
    """

    sentences: list[np.ndarray]
    sample_rate: int
    peaks: list[np.ndarray] | None = None

    @property
    def conditioned(self) -> bool:
        return self.peaks is not None


def _cache_error(exc: OSError, path: Path) -> RenderError:
    return RenderError(f"cannot write to the turn cache: {exc.strerror}", path.parent.parent,
                       hint="free disk space, fix permissions, or pass --cache-dir DIR / --no-cache")


def turn_key(sentences: list[str], voice_fingerprint: str) -> str:
    blob = json.dumps({"f": FORMAT, "v": voice_fingerprint, "s": sentences})
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class TurnCache:
    """Clips on disk under ``root/ab/abcdef….npz``; ``root=None`` disables caching."""

    root: Path | None

    @property
    def models(self) -> Path | None:
        """Where engines keep compiled models (Piper's optimized graphs) beside the turns."""
        return None if self.root is None else self.root / "models"

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.npz"

    def get(self, key: str) -> TurnAudio | None:
        if self.root is None:
            return None
        path = self._path(key)
        try:
            with np.load(path) as data:
                audio = data["audio"].astype(np.float32, copy=False)
                ends = data["ends"].tolist()
                rate = int(data["rate"])
                peaks = data["peaks"] if "peaks" in data.files else None
        except (OSError, KeyError, ValueError, EOFError):
            return None  # missing or unreadable: synthesize again
        starts = [0, *ends[:-1]]
        cut = list(zip(starts, ends, strict=True))
        return TurnAudio([audio[a:b] for a, b in cut], rate,
                         None if peaks is None else [peaks[a:b] for a, b in cut])

    def put(self, key: str, turn: TurnAudio) -> None:
        if self.root is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cache_error(exc, path) from exc
        audio = (np.concatenate(turn.sentences) if turn.sentences
                 else np.zeros(0, np.float32)).astype(np.float32)
        ends = np.cumsum([len(s) for s in turn.sentences]).astype(np.int64)
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError as exc:
            raise _cache_error(exc, path) from exc
        try:
            with os.fdopen(fd, "wb") as f:
                extra = {} if turn.peaks is None else {
                    "peaks": np.concatenate(turn.peaks) if turn.peaks else np.zeros(0, np.float16)}
                np.savez(f, audio=audio, ends=ends, rate=np.int64(turn.sample_rate), **extra)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _cache_error(exc, path) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def has(self, key: str) -> bool:
        return self.root is not None and self._path(key).exists()

    def info(self) -> tuple[int, int]:
        """(entries, bytes) currently stored."""
        if self.root is None or not self.root.exists():
            return 0, 0
        files = list(self.root.glob("*/*.npz"))
        return len(files), sum(f.stat().st_size for f in files)

    def clear(self) -> int:
        count, _ = self.info()
        if self.root is not None and self.root.exists():
            shutil.rmtree(self.root)
        return count
