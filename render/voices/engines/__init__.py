"""Engine registry: build an engine for a voice, or fingerprint it without loading."""

from __future__ import annotations

from pathlib import Path

from render.voices.engines.base import Clip, Engine
from render.voices.voice import Voice

__all__ = ["Clip", "Engine", "load_engine", "voice_fingerprint"]


def load_engine(voice: Voice, threads: int = 1, model_dir: Path | None = None) -> Engine:
    """Load the model behind ``voice``; imports are lazy so unused engines cost nothing.

    ``model_dir`` keeps engine-specific compiled models between runs (Piper's optimized graph).
    """
    if voice.engine == "kokoro":
        from render.voices.engines.kokoro import KokoroEngine
        return KokoroEngine(voice, threads, model_dir)
    if voice.engine == "piper":
        from render.voices.engines.piper import PiperEngine
        return PiperEngine(voice, threads, model_dir)
    if voice.engine == "festival":
        from render.voices.engines.festival import FestivalEngine
        return FestivalEngine(voice, threads)
    from render.voices.engines.coqui import CoquiEngine
    return CoquiEngine(voice, threads)


def voice_fingerprint(voice: Voice) -> str:
    """The cache identity of a voice, computed without loading the model."""
    if voice.engine == "kokoro":
        from render.voices.engines.kokoro import voice_fingerprint as fp
    elif voice.engine == "piper":
        from render.voices.engines.piper import voice_fingerprint as fp
    elif voice.engine == "festival":
        from render.voices.engines.festival import voice_fingerprint as fp
    else:
        from render.voices.engines.coqui import voice_fingerprint as fp
    return fp(voice)
