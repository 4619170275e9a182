"""Content-addressed cache of synthesized turns.

The key covers exactly what changes the sound of a turn (its spoken
sentences, the voice fingerprint, the cache format), so editing one line
re-synthesizes one turn and changing pauses or music re-synthesizes
nothing. Entries are written to a temp file and renamed into place, so a
render killed at any instant never leaves a half-written entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.audio.clips import TurnAudio
from render.errors import RenderError
from render.files import KeyedStore, remove_stale_parts

# 5: sentences trimmed, compressed, faded, at 44.1 kHz, with peak envelopes (render.audio.assemble.condition);
# 6: trimmed 60 dB under the peak instead of 45 (weak first and last consonants kept)
FORMAT = 6


# An entry: MAGIC, a little-endian uint32 header length, a JSON header (rate, sentence ends,
# whether peaks follow), then raw float32 audio and float16 peaks. Reading one is a single
# read and two zero-copy views: a re-render reads a hundred of them while it starts synthesis.
MAGIC = b"RNDRTURN"
SUFFIX = ".turn"
SWEPT = ".swept"  # touched when the cache was last cleared of stale temp files
STALE_AFTER_S = 3600.0


def _encode(turn: TurnAudio) -> list[bytes]:
    audio = (np.concatenate(turn.sentences) if turn.sentences else np.zeros(0)).astype("<f4")
    ends = np.cumsum([len(s) for s in turn.sentences]).astype(int).tolist()
    header = json.dumps({"rate": int(turn.sample_rate), "ends": ends, "peaks": turn.peaks is not None}).encode()
    parts = [MAGIC, len(header).to_bytes(4, "little"), header, audio.tobytes()]
    if turn.peaks is not None:
        peaks = np.concatenate(turn.peaks) if turn.peaks else np.zeros(0)
        parts.append(peaks.astype("<f2").tobytes())
    return parts


def _decode(data: bytes) -> TurnAudio | None:
    """The entry in ``data``, or None if it is not a whole, valid entry."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        return None
    size = int.from_bytes(data[len(MAGIC): len(MAGIC) + 4], "little")
    start = len(MAGIC) + 4 + size
    try:
        header = json.loads(data[len(MAGIC) + 4: start])
        ends, rate, has_peaks = list(header["ends"]), int(header["rate"]), bool(header["peaks"])
    except (ValueError, KeyError, TypeError):
        return None
    n = ends[-1] if ends else 0
    if len(data) != start + 4 * n + (2 * n if has_peaks else 0):
        return None  # truncated or padded: not written by put()
    audio = np.frombuffer(data, "<f4", n, start)
    spans = list(zip([0, *ends[:-1]], ends, strict=True))
    peaks = np.frombuffer(data, "<f2", n, start + 4 * n) if has_peaks else None
    return TurnAudio([audio[a:b] for a, b in spans], rate,
                     None if peaks is None else [peaks[a:b] for a, b in spans])


def _cache_error(exc: OSError, path: Path) -> RenderError:
    return RenderError(f"cannot write to the turn cache: {exc.strerror}", path.parent.parent,
                       hint="free disk space, fix permissions, or pass --cache-dir DIR / --no-cache")


def user_model_dir() -> Path:
    """Where models joined from PyPI parts live: one copy per user, whatever turn cache a
    render uses (a fresh ``--cache-dir`` or ``--no-cache`` does not copy them again)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "render" / "models"


def turn_key(sentences: list[str], voice_fingerprint: str) -> str:
    blob = json.dumps({"f": FORMAT, "v": voice_fingerprint, "s": sentences})
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class TurnCache:
    """Clips on disk under ``root/ab/abcdef….turn``; ``root=None`` disables caching."""

    root: Path | None

    @property
    def models(self) -> Path | None:
        """Where engines keep compiled models (Piper's optimized graphs) beside the turns."""
        return None if self.root is None else self.root / "models"

    @property
    def streams(self) -> Path | None:
        """Encoded MP3 streams (render.audio.mp3), reused when an edit leaves them as they were."""
        return None if self.root is None else self.root / "mp3"

    @property
    def checks(self) -> Path | None:
        """Where render check keeps what was heard in each turn, beside the turns it heard."""
        return None if self.root is None else self.root / "check"

    @property
    def _store(self) -> KeyedStore:
        return KeyedStore(self.root, SUFFIX, durable=True)

    def get(self, key: str) -> TurnAudio | None:
        data = self._store.read(key)
        return None if data is None else _decode(data)  # missing or damaged: synthesize again

    def put(self, key: str, turn: TurnAudio) -> None:
        self._store.write(key, _encode(turn), error=_cache_error)

    def remove_stale_parts(self) -> int:
        """Temp files that processes killed mid-write left in the cache (turns, MP3 streams,
        what was heard); only those over an hour old, since other renders may share the cache.

        Walking a big cache costs most of a second, so it is walked at most once an hour
        (a marker file's age says when it last was): more often could find nothing new.
        """
        if self.root is None:
            return 0
        marker = self.root / SWEPT
        with contextlib.suppress(OSError):
            if time.time() - marker.stat().st_mtime < STALE_AFTER_S:
                return 0
        removed = remove_stale_parts(self.root, older_than_s=STALE_AFTER_S, recursive=True)
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            marker.touch()
        return removed

    def has(self, key: str) -> bool:
        return self.root is not None and self._store.path(key).exists()

    def info(self) -> tuple[int, int]:
        """(entries, bytes) currently stored."""
        files = self._store.entries()
        return len(files), sum(f.stat().st_size for f in files)

    def streams_info(self) -> tuple[int, int]:
        """(MP3 streams, bytes) kept for incremental re-encoding (render.audio.mp3)."""
        if self.streams is None or not self.streams.exists():
            return 0, 0
        files = list(self.streams.glob("*/*.npz"))
        return len(files), sum(f.stat().st_size for f in files)

    def clear(self) -> int:
        count, _ = self.info()
        if self.root is not None and self.root.exists():
            shutil.rmtree(self.root)
        return count
