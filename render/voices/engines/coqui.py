"""Coqui TTS voices through the public ``TTS.api.TTS`` API.

A voice names a model (``tts_models/en/vctk/vits``: Coqui downloads and
caches it on a machine with internet) or a local checkpoint
(``model_path`` + ``config_path``), an optional ``speaker`` for
multi-speaker models, and ``speaker_wav`` reference clips for XTTS.
PyTorch is imported only when a Coqui voice is used.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from render.errors import RenderError
from render.voices.engines.base import Clip, as_float32, split_rate, words_for_phonemes
from render.voices.voice import Voice, file_digest, fingerprint

INSTALL_HINT = "install the extra: .venv/bin/pip install -e '.[coqui]'"


def engine_version(source: str | None = None) -> str:
    try:
        return f"coqui-tts {version('coqui-tts')}"
    except PackageNotFoundError as exc:
        raise RenderError("Coqui TTS is not installed", source, hint=INSTALL_HINT) from exc


def voice_fingerprint(voice: Voice) -> str:
    """Local checkpoints are hashed; named models are identified by name and Coqui's version."""
    digest = voice.model or ""
    if voice.model_path:
        digest = file_digest(_existing(voice.model_path, voice, "model_path"))
        if voice.config_path:
            digest += file_digest(_existing(voice.config_path, voice, "config_path"))
    if voice.speaker_wav:
        digest += file_digest(_existing(voice.speaker_wav, voice, "speaker_wav"))
    return fingerprint(voice, engine_version(voice.source), digest)


def _existing(path: str, voice: Voice, key: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise RenderError(f"{key} {p} not found", voice.source, hint=f"fix '{key}' in this voice file")
    return p


@contextlib.contextmanager
def _quiet() -> Iterator[io.StringIO]:
    """Coqui prints progress and logs tracebacks; users see our one-line errors instead."""
    logger = logging.getLogger("TTS")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            yield buf
    finally:
        logger.setLevel(level)


class CoquiEngine:
    """One loaded Coqui model; multi-speaker models speak as ``voice.speaker``."""

    def __init__(self, voice: Voice, threads: int = 1) -> None:
        self.fingerprint = voice_fingerprint(voice)
        try:
            import torch
            from TTS.api import TTS
        except ImportError as exc:
            raise RenderError("Coqui TTS is not installed", voice.source, hint=INSTALL_HINT) from exc
        torch.set_num_threads(max(1, threads))
        device = voice.device or "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise RenderError(f"device = {device!r} but no CUDA GPU is available", voice.source,
                              hint='use device = "cpu"')
        self._voice = voice
        with _quiet():
            if voice.model_path:
                config = _existing(voice.config_path or "", voice, "config_path") if voice.config_path else None
                model = _existing(voice.model_path, voice, "model_path")
                try:
                    self._tts = TTS(model_path=str(model), config_path=str(config) if config else None,
                                    progress_bar=False)
                except (OSError, ValueError, KeyError, RuntimeError) as exc:
                    raise RenderError(f"cannot load the Coqui model: {exc}", voice.source,
                                      hint="model_path must be a Coqui checkpoint (.pth) and "
                                           "config_path its config.json") from exc
            else:
                try:
                    self._tts = TTS(model_name=voice.model or "", progress_bar=False)
                except Exception as exc:  # requests' ConnectionError, zip errors, unknown names
                    raise RenderError(
                        f"Coqui model '{voice.model}' is not available offline and could not be "
                        f"downloaded ({type(exc).__name__})", voice.source,
                        hint="download it once on a machine with internet (Coqui caches it under "
                             "~/.local/share/tts), or point model_path and config_path at a local "
                             "copy in this voice file") from exc
            self._tts.to(device)
        speakers = self._tts.speakers or []
        if speakers and not voice.speaker and not voice.speaker_wav:
            raise RenderError("this Coqui model has several speakers; choose one", voice.source,
                              hint="add speaker = one of: " + ", ".join(speakers[:20])
                                   + (" …" if len(speakers) > 20 else ""))
        if voice.speaker and voice.speaker not in speakers:
            shown = ", ".join(speakers[:20]) + (" …" if len(speakers) > 20 else "")
            raise RenderError(f"speaker '{voice.speaker}' is not in this Coqui model", voice.source,
                              hint=f"valid speakers: {shown}" if speakers else "the model has one speaker: "
                                   "remove 'speaker'")
        self.sample_rate = int(self._tts.synthesizer.output_sample_rate)
        model = self._tts.synthesizer.tts_model
        self._speed: float | None = None
        if hasattr(model, "length_scale"):  # VITS-family: phoneme durations scale directly
            model.length_scale = voice.length_scale
        elif voice.length_scale != 1.0:  # XTTS takes a speed factor per call
            self._speed = 1.0 / voice.length_scale
        if voice.noise_scale is not None and hasattr(model, "inference_noise_scale"):
            model.inference_noise_scale = voice.noise_scale
        if voice.noise_w is not None and hasattr(model, "inference_noise_scale_dp"):
            model.inference_noise_scale_dp = voice.noise_w

    def synthesize(self, text: str) -> Clip:
        text = words_for_phonemes(split_rate(text, "Coqui")[0], "Coqui")
        kwargs: dict[str, object] = {}
        if self._voice.speaker:
            kwargs["speaker"] = self._voice.speaker
        if self._voice.speaker_wav:
            kwargs["speaker_wav"] = self._voice.speaker_wav
        if self._voice.language:
            kwargs["language"] = self._voice.language
        if self._speed is not None:
            kwargs["speed"] = self._speed
        with _quiet():
            wav = self._tts.tts(text, split_sentences=False, **kwargs)
        return Clip(as_float32(np.asarray(wav, dtype=np.float32)), self.sample_rate)

    def close(self) -> None:
        """Nothing to release: the model goes with the object."""
