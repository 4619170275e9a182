"""Piper neural voices through the piper-tts package (ONNX Runtime on the CPU)."""

from __future__ import annotations

import json
from importlib.metadata import version

import numpy as np
import onnx as onnx_format
import onnxruntime

from render.engines.base import Clip
from render.engines.onnx_layout import decoder_as_2d
from render.voices import Voice, file_digest, fingerprint, resolve_piper_model


def engine_version() -> str:
    # "decoder-2d" versions how the graph is run (render.engines.onnx_layout): it rounds differently.
    return f"piper-tts {version('piper-tts')} onnxruntime {onnxruntime.__version__} decoder-2d-1"


def voice_fingerprint(voice: Voice) -> str:
    onnx, cfg = resolve_piper_model(voice.model or "", voice.source)
    return fingerprint(voice, engine_version(), file_digest(onnx) + file_digest(cfg))


class PiperEngine:
    """Loads the ONNX model once with a bounded thread count.

    The session is built here rather than by ``PiperVoice.load`` so that
    worker processes can cap ONNX Runtime's threads and not fight over cores,
    and so that the decoder runs in ONNX Runtime's faster 2-D layout.
    """

    def __init__(self, voice: Voice, threads: int = 1) -> None:
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig

        onnx, cfg = resolve_piper_model(voice.model or "", voice.source)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        model = onnx_format.load(str(onnx))
        self.decoder_convs_2d = decoder_as_2d(model)
        session = onnxruntime.InferenceSession(model.SerializeToString(), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        del model
        config = PiperConfig.from_dict(json.loads(cfg.read_text(encoding="utf-8")))
        self._voice = PiperVoice(session=session, config=config)
        self._syn = SynthesisConfig(length_scale=voice.length_scale,
                                    noise_scale=voice.noise_scale,
                                    noise_w_scale=voice.noise_w, normalize_audio=False)
        self.sample_rate = int(config.sample_rate)
        self.fingerprint = voice_fingerprint(voice)

    def synthesize(self, text: str) -> Clip:
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, self._syn)]
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return Clip(audio.astype(np.float32, copy=False), self.sample_rate)

    def close(self) -> None:
        """Nothing to release: the ONNX session goes with the object."""
