"""What a render read: every input file (with a digest of its bytes) and every setting
that shapes the output, and the render key made from them.

The key used to be a hand-kept list of inputs, and it missed the outline and
the cover: an edited chapter heading was reported up to date. Now the code
that opens a file records it here as it opens it, and a file looked for but
absent is recorded too (adding a cover later must redo the episode), so the
key cannot forget an input that the render actually used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

KEY_VERSION = 11  # bump when the code changes what the same inputs produce


def digest(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it does not exist (or cannot be read)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


@dataclass
class Inputs:
    """Files read (path → digest, None where looked for and absent) and settings used."""

    root: Path = field(default_factory=Path.cwd)
    files: dict[str, str | None] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=dict)

    def name(self, path: Path) -> str:
        """A path as the report shows it: relative to the project root when inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path.resolve())

    def read(self, path: Path) -> Path:
        """Record ``path`` (present or not) as read; returns it, to wrap the open call."""
        self.files[self.name(path)] = digest(path)
        return path

    def first(self, candidates: list[Path]) -> Path | None:
        """Record each candidate up to the first that exists, which is returned (a cover,
        an intro): creating an earlier one later changes the key."""
        for path in candidates:
            self.read(path)
            if self.files[self.name(path)] is not None:
                return path
        return None

    def use(self, **settings: object) -> None:
        """Record settings that shape the output (JSON-serializable, or stringified)."""
        self.settings.update(settings)

    def key(self, *derived: object) -> str:
        """Hash of everything recorded, plus ``derived`` values that carry what no file
        holds (the engines' and models' versions inside the turn keys)."""
        blob = json.dumps({"v": KEY_VERSION, "files": self.files, "settings": self.settings,
                           "derived": list(derived)}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:24]
