"""Proof-listening: transcribe a rendered episode turn by turn and flag what a listener would mishear.

A render writes ``turns.json`` beside the MP3: each turn's place in the file,
its written and spoken text, and its audio key (the turn cache's key, which
changes exactly when the turn's sound does). The check cuts every turn out of
the decoded MP3, transcribes it (:mod:`render.recognize`) and compares it with
the spoken text (:mod:`render.proofread`).

What was heard is cached per turn under the turn cache (``check/``), keyed by
the turn's audio key and the recognizer's version, so a re-render after an
edit transcribes only the edited turns, and a warm re-render none.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from render.errors import RenderError
from render.export import decode, write_text
from render.proofread import Phonemes, TurnCheck, compare, confirm, heard_at, spelled, words
from render.recognize import MODELS, RATE, Recognizer, Window, model_version, pack

LAYOUT = "turns.json"
PAD_S = 0.05  # cut a little either side of a turn: its first and last phonemes are soft


@dataclass
class TurnLayout:
    """One turn of a render, as ``turns.json`` records it."""

    turn: int
    speaker: str
    line: int
    start_s: float
    end_s: float
    key: str
    text: str
    spoken: str
    lexicon: list[tuple[str, str]] = field(default_factory=list)  # lexicon entries it uses: (written, said)


@dataclass
class CheckResult:
    """The whole episode, as heard."""

    model: str
    turns: list[TurnCheck]
    transcribed: int  # turns sent to the recognizer this time
    cached: int
    seconds: float
    written: dict[int, str] = field(default_factory=dict)  # each turn's script text
    letters: dict[int, set[str]] = field(default_factory=dict)  # words each turn spells out
    second: int = 0  # turns the second recognizer heard to confirm flags
    lexicon: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # entries each turn uses

    @property
    def flagged(self) -> list[TurnCheck]:
        return [t for t in self.turns if t.flagged]

    def wer(self, speaker: str | None = None) -> float:
        picked = [t for t in self.turns if speaker is None or t.speaker == speaker]
        total = sum(len(t.expected) for t in picked)
        return round(sum(t.errors for t in picked) / total, 4) if total else 0.0

    def as_dict(self) -> dict:
        speakers = sorted({t.speaker for t in self.turns})
        return {"model": self.model, "wer": self.wer(), "by_speaker": {s: self.wer(s) for s in speakers},
                "turns": len(self.turns), "transcribed": self.transcribed, "cached": self.cached,
                "second_opinions": self.second,
                "seconds": round(self.seconds, 2), "flagged": [t.as_dict() for t in self.flagged]}


def write_layout(turns: list[TurnLayout], path: Path) -> None:
    write_text(json.dumps([t.__dict__ for t in turns], indent=1, ensure_ascii=False) + "\n", path)


def read_layout(folder: Path) -> tuple[list[TurnLayout], Path]:
    """The turns of the render in ``folder`` and its audio file."""
    path = folder / LAYOUT
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        turns = [TurnLayout(**t) for t in json.loads(path.read_text(encoding="utf-8"))]
        for t in turns:
            t.lexicon = [(str(k), str(v)) for k, v in t.lexicon]
        audio = folder / Path(report["audio"]).name
    except FileNotFoundError:
        raise RenderError(f"no render to check in {folder}",
                          hint="render the episode first: render episode EP") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise RenderError(f"{path} is not a turn layout written by this version of render", path,
                          hint="render the episode again") from exc
    if not audio.exists():
        raise RenderError(f"{audio} is missing", folder, hint="render the episode again")
    return turns, audio


def heard_key(audio_key: str, recognizer_version: str) -> str:
    blob = json.dumps({"v": 3, "turn": audio_key, "asr": recognizer_version, "window": "packed-28s"})
    return hashlib.sha256(blob.encode()).hexdigest()


class HeardCache:
    """What was heard in each turn, on disk under ``root/ab/abcd….json``; ``root=None`` keeps nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[str] | None:
        if self.root is None:
            return None
        try:
            heard = json.loads(self._path(key).read_text(encoding="utf-8"))["heard"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return [str(w) for w in heard] if isinstance(heard, list) else None

    def put(self, key: str, heard: list[str]) -> None:
        if self.root is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(json.dumps({"heard": heard}), path)


def split_heard(expected: list[list[str]], heard: list[str]) -> list[list[str]]:
    """Share out the words heard in a window among its turns, by aligning them with the
    turns' expected words; a word heard between two turns goes to the earlier one."""
    owner = [k for k, ws in enumerate(expected) for _ in ws]
    out: list[list[str]] = [[] for _ in expected]
    if not owner:
        out[0] = list(heard)
        return out
    for k, there in zip(owner, heard_at([w for ws in expected for w in ws], heard), strict=True):
        out[k] += there
    return out


def cut(audio: np.ndarray, rate: int, start_s: float, end_s: float) -> np.ndarray:
    """One turn at the recognizer's rate."""
    import soxr

    a = max(0, int((start_s - PAD_S) * rate))
    b = min(len(audio), int((end_s + PAD_S) * rate))
    return soxr.resample(audio[a:b], rate, RATE).astype(np.float32)


def transcribe_turns(clips: list[tuple[int, np.ndarray]], expected: dict[int, list[str]], recognizer: Recognizer,
                     progress: Callable[[int], None] | None = None) -> dict[int, list[str]]:
    """Words heard in each (turn, 16 kHz audio), transcribed in packed windows."""
    windows = pack(clips)
    heard: dict[int, list[str]] = {}
    step = 8  # windows per batch: one progress tick each
    for i in range(0, len(windows), step):
        part: list[Window] = windows[i:i + step]
        for window, text in zip(part, recognizer.transcribe(part), strict=True):
            shares = split_heard([expected[t] for t in window.turns], words(text))
            heard.update(zip(window.turns, shares, strict=True))
            if progress:
                progress(len(window.turns))
    return heard


class _Audio:
    """The decoded episode, read only if some turn has to be heard again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._audio: tuple[np.ndarray, int] | None = None

    def turn(self, t: TurnLayout) -> np.ndarray:
        if self._audio is None:
            self._audio = decode(self.path)
        audio, rate = self._audio
        return cut(audio, rate, t.start_s, t.end_s)


def _hear(turns: list[TurnLayout], expected: dict[int, list[str]], audio: _Audio, cache: HeardCache, model: str,
          threads: int | None, progress: Callable[[int], None] | None = None) -> tuple[dict[int, list[str]], int]:
    """Words heard in each turn by ``model``: from the cache, or transcribed now. (heard, transcribed)"""
    version = model_version(model)
    keys = {t.turn: heard_key(t.key, version) for t in turns}
    heard: dict[int, list[str]] = {}
    for t in turns:
        got = cache.get(keys[t.turn])
        if got is not None:
            heard[t.turn] = got
    if progress:
        progress(len(heard))
    todo = [t for t in turns if t.turn not in heard]
    if todo:
        recognizer = Recognizer(model, threads)
        clips = [(t.turn, audio.turn(t)) for t in todo]
        fresh = transcribe_turns(clips, expected, recognizer, progress)
        for t in todo:
            cache.put(keys[t.turn], fresh[t.turn])
        heard.update(fresh)
    return heard, len(todo)


def check_render(folder: Path, cache_root: Path | None, *,
                 progress: Callable[[int, int], None] | None = None, threads: int | None = None) -> CheckResult:
    """Check the render in ``folder``: every turn heard by Whisper tiny.en (from the cache where
    possible) and compared; what it flags is heard again by Whisper base, and kept only if base
    mishears it too."""
    t0 = time.perf_counter()
    layout, audio_path = read_layout(folder)
    audio = _Audio(audio_path)
    cache = HeardCache(cache_root)
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(done[0], len(layout))

    tick(0)
    expected = {t.turn: words(t.spoken) for t in layout}
    heard, transcribed = _hear(layout, expected, audio, cache, "tiny.en", threads, tick)
    phonemes = Phonemes()
    letters = {t.turn: spelled(t.spoken) for t in layout}
    checks = [compare(t.turn, t.speaker, t.line, expected[t.turn], heard[t.turn], t.lexicon, letters[t.turn],
                      phonemes) for t in layout]
    doubtful = [t for t, c in zip(layout, checks, strict=True) if c.flagged]
    second, _ = _hear(doubtful, expected, audio, cache, "base", threads) if doubtful else ({}, 0)
    for t, c in zip(layout, checks, strict=True):
        if t.turn in second:
            confirm(c, second[t.turn], t.lexicon, letters[t.turn], phonemes)
    return CheckResult(f"{MODELS['tiny.en'][0]}, flags confirmed by {MODELS['base'][0]}", checks, transcribed,
                       len(layout) - transcribed, time.perf_counter() - t0,
                       {t.turn: t.text for t in layout}, letters, second=len(doubtful),
                       lexicon={t.turn: t.lexicon for t in layout})
