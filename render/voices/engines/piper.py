"""Piper neural voices through the piper-tts package (ONNX Runtime on the CPU)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from render.errors import RenderError
from render.files import atomic_path
from render.voices.engines.base import (
    ESPEAK_CAPS,
    ESPEAK_LETTER_A,
    PHONEME,
    Clip,
    EspeakText,
    count_phoneme_words,
    cpu_flags,
    espeak_ipa,
    split_rate,
    word_spans,
)
from render.voices.voice import Voice, file_digest, fingerprint, resolve_piper_model

if TYPE_CHECKING:
    import onnxruntime

# onnx and onnxruntime load only with a voice (~0.15 s): fingerprints, which every render
# computes first, need neither.


# Versions how the graph is run (render.voices.engines.onnx_layout): it rounds differently.
DECODER_LAYOUT = "decoder-2d-1"


def engine_version() -> str:
    return (f"piper-tts {version('piper-tts')} onnxruntime {version('onnxruntime')} {DECODER_LAYOUT} "
            f"{ESPEAK_LETTER_A}, {ESPEAK_CAPS}")


def voice_fingerprint(voice: Voice) -> str:
    onnx, cfg = resolve_piper_model(voice.model or "", voice.source)
    return fingerprint(voice, engine_version(), file_digest(onnx) + file_digest(cfg))


def _options(threads: int) -> onnxruntime.SessionOptions:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # ORT's notes on saving optimized models are not for users
    return options


def _runtime_tag() -> str:
    """What an optimized model is only valid for: this ONNX Runtime, this rewrite, this CPU.

    ONNX Runtime's blocked-layout optimizations depend on the CPU's vector
    instructions, so the tag covers the CPU's flags.
    """
    cpu = hashlib.sha256(f"{platform.machine()} {cpu_flags()}".encode()).hexdigest()[:12]
    return f"ort{version('onnxruntime')}-{DECODER_LAYOUT}-{cpu}"


def _session(onnx: Path, threads: int, model_dir: Path | None) -> tuple[onnxruntime.InferenceSession, int]:
    """An ONNX Runtime session for ``onnx`` with the 2-D decoder; (session, convolutions rewritten).

    Building it (parse, rewrite, optimize) takes ~0.5 s longer than loading
    the optimized graph ONNX Runtime can save in its own format, so that is
    kept in ``model_dir`` (the turn cache's ``models/``) and reused by every
    later render and worker. A file that fails to load is rebuilt.
    """
    import onnxruntime

    prefix = file_digest(onnx)[:24]
    cached = None if model_dir is None else model_dir / f"{prefix}-{_runtime_tag()}-aligned.ort"
    if cached is not None and cached.exists():
        options = _options(threads)
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            session = onnxruntime.InferenceSession(str(cached), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            return session, int(session.get_modelmeta().custom_metadata_map.get(_CONVS_KEY, "0"))
        except Exception:  # stale or damaged: build it again below
            cached.unlink(missing_ok=True)
    import onnx as onnx_format  # only to build: loading the saved graph needs no onnx

    from render.voices.engines.onnx_layout import decoder_as_2d

    model = onnx_format.load(str(onnx))
    _with_alignments(model)
    convs = decoder_as_2d(model)
    onnx_format.helper.set_model_props(model, {_CONVS_KEY: str(convs)})
    options = _options(threads)

    def build() -> onnxruntime.InferenceSession:
        return onnxruntime.InferenceSession(model.SerializeToString(), sess_options=options,
                                            providers=["CPUExecutionProvider"])

    if cached is None:
        return build(), convs
    for stale in cached.parent.glob(f"{prefix}-*.ort"):  # built by an earlier render
        if stale != cached:
            stale.unlink(missing_ok=True)
    try:  # ONNX Runtime saves the optimized graph to the temp path; others see no file or a whole one
        with atomic_path(cached, durable=False) as tmp:
            options.optimized_model_filepath = str(tmp)
            options.add_session_config_entry("session.save_model_format", "ORT")
            session = build()
    except RenderError:  # an unwritable cache only costs the time saved
        options = _options(threads)
        session = build()
    return session, convs


_CONVS_KEY = "render.decoder_convs_2d"


def _with_alignments(model: Any) -> None:
    """Expose the samples each phoneme lasts (Piper's own ``add_alignment_output``): where an
    emphasised word sits in the sentence (:meth:`PiperEngine.synthesize_words`). A model
    without the tensor simply has none, and its emphasis is not shaped."""
    from piper.patch_voice_with_alignment import add_alignment_output

    with contextlib.suppress(ValueError):
        add_alignment_output(model)


class PiperEngine:
    """Loads the ONNX model once with a bounded thread count.

    The session is built here rather than by ``PiperVoice.load`` so that
    worker processes can cap ONNX Runtime's threads and not fight over cores,
    and so that the decoder runs in ONNX Runtime's faster 2-D layout.
    """

    def __init__(self, voice: Voice, threads: int = 1, model_dir: Path | None = None) -> None:
        """``model_dir``: where to keep the optimized session (see :func:`_session`); None: don't."""
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig

        onnx, cfg = resolve_piper_model(voice.model or "", voice.source)
        session, self.decoder_convs_2d = _session(onnx, threads, model_dir)
        config = PiperConfig.from_dict(json.loads(cfg.read_text(encoding="utf-8")))
        self._voice = PiperVoice(session=session, config=config)
        self._espeak_text = EspeakText(lambda word: "".join("".join(p) for p in self._voice.phonemize(word)))
        self._syn = SynthesisConfig(length_scale=voice.length_scale,
                                    noise_scale=voice.noise_scale,
                                    noise_w_scale=voice.noise_w, normalize_audio=False)
        self.sample_rate = int(config.sample_rate)
        self.fingerprint = voice_fingerprint(voice)

    def synthesize(self, text: str) -> Clip:
        return self._speak(text, timed=False)[0]

    def synthesize_words(self, text: str) -> tuple[Clip, list[tuple[int, int]]]:
        """The sentence as :meth:`synthesize` says it, and where each of its words is (samples,
        words as espeak-ng groups them: :meth:`count_words`); no words where the model gives
        no alignments."""
        return self._speak(text, timed=True)

    def _speak(self, text: str, timed: bool) -> tuple[Clip, list[tuple[int, int]]]:
        text, rate = split_rate(text)
        text = self._espeak_text(text)
        syn = self._syn if rate == 1.0 else replace(self._syn, length_scale=(self._syn.length_scale or 1.0) / rate)
        # Piper reads [[ phonemes ]] in its text as they are: the markup's phoneme spans go there.
        text = PHONEME.sub(lambda m: f" [[ {espeak_ipa(m.group(2))} ]] ", text) if "⟦" in text else text
        chunks, words, offset, aligned = [], [], 0, timed
        for chunk in self._voice.synthesize(text, syn, include_alignments=timed):
            chunks.append(chunk.audio_float_array)
            if chunk.phoneme_alignments is None:
                aligned = False
            elif aligned:
                ends = offset + np.cumsum([a.num_samples for a in chunk.phoneme_alignments])
                words += word_spans([(a.phoneme, int(end) - a.num_samples, int(end))
                                     for a, end in zip(chunk.phoneme_alignments, ends, strict=True)])
            offset += len(chunk.audio_float_array)
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return Clip(audio.astype(np.float32, copy=False), self.sample_rate), words if aligned else []

    def count_words(self, text: str) -> int:
        """How many words espeak-ng makes of ``text``."""
        return sum(count_phoneme_words("".join(p)) for p in self._voice.phonemize(self._espeak_text(text)))

    def close(self) -> None:
        """Nothing to release: the ONNX session goes with the object."""
