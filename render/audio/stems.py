"""Stems: one full-length track per host and one for the music, summing to the master.

Every render records where it wrote each turn and with what gain
(:class:`Mix`, kept as ``mix.json`` beside the audio). A stem is that
record played again from the turn cache, one turn at a time, straight into
the file: silence up to a turn, the turn with its gain and edge fades, as
:meth:`render.audio.assemble.PreparedTurn.write` placed it in the mix. No
track is ever held whole in memory, so writing stems of an hour costs what
one turn costs.

Levels: stems raised by ``trim_db`` sum to the master before its limiter,
sample for sample. They cannot simply carry the master's gain: the sum then
peaks well above full scale (the limiter takes the voices' peaks down by
several dB), which a 24-bit file cannot hold. So they carry a whole number
of dB of gain over the mix (:meth:`Mix.stem_db`) that leaves them 1 dB of
headroom, and the summary and the timeline files say how far under the
master that is.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from render.audio.assemble import PreparedTurn, Timeline, sentence_spans
from render.audio.clips import TurnAudio
from render.audio.dsp import RATE
from render.files import atomic_path, write_text

MIX = "mix.json"
STEMS = "stems"
MANIFEST = "stems.json"
FORMATS = {"wav": ("WAV", "PCM_24", "24-bit WAV"), "flac": ("FLAC", "PCM_24", "24-bit FLAC")}
HEADROOM_DB = 1.0  # stems peak at least this far under full scale
MUSIC = "music"
_BLOCK = 1 << 16  # samples of silence written at a time


@dataclass(frozen=True)
class PlacedTurn:
    """One turn as the mix holds it."""

    turn: int  # its number, from 1
    speaker: str
    key: str  # its turn-cache key
    start: int  # samples from the timeline's start
    length: int
    gain: float  # the float32 gain it was written with
    peak: float  # its true peak at that gain


@dataclass
class Mix:
    """Where a render put every turn, and at what gain: what stems are made from (``mix.json``)."""

    rate: int
    length: int  # samples of the timeline
    offset: int  # samples the delivered file plays before the timeline's first (the MP3 codec's delay)
    gain_db: float  # the master's gain, applied before its limiter
    music_samples: int
    music_peak: float
    turns: list[PlacedTurn] = field(default_factory=list)

    @classmethod
    def of(cls, timeline: Timeline, keys: dict[int, tuple[int, str]], offset_s: float, gain_db: float) -> Mix:
        """The record of ``timeline`` (``keys``: each turn index's number and cache key)."""
        turns = [PlacedTurn(keys[t.index][0], t.speaker, keys[t.index][1], t.start, t.length, t.gain, t.peak)
                 for t in timeline.turns]
        return cls(timeline.rate, len(timeline.audio), round(offset_s * timeline.rate), gain_db,
                   timeline.music_samples, timeline.music_peak, turns)

    def save(self, folder: Path) -> None:
        write_text(json.dumps(asdict(self), indent=1) + "\n", folder / MIX)

    @classmethod
    def load(cls, folder: Path) -> Mix | None:
        """``folder/mix.json``, or None when there is none (renders before stems existed) or it
        cannot be read."""
        try:
            data = json.loads((folder / MIX).read_text(encoding="utf-8"))
            return cls(**{**data, "turns": [PlacedTurn(**t) for t in data["turns"]]})
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def speakers(self) -> list[str]:
        """The hosts in the order they first speak."""
        return list(dict.fromkeys(t.speaker for t in self.turns))

    def stem_db(self) -> int:
        """The stems' gain over the mix, in whole dB: the master's gain, rounded, or less where
        that would leave a stem under :data:`HEADROOM_DB` of headroom. Whole dB, so an edit
        that moves the master's gain a little changes no stem it did not touch."""
        peak = max([t.peak for t in self.turns] + [self.music_peak, 1e-9])
        return min(round(self.gain_db), math.floor(-20 * math.log10(peak) - HEADROOM_DB + 1e-9))

    def trim_db(self) -> float:
        """How far the stems sit under the master before its limiter."""
        return round(self.gain_db - self.stem_db(), 3)

    def stem_gain(self) -> np.float32:
        return np.float32(10 ** (self.stem_db() / 20))

    @property
    def samples(self) -> int:
        """A stem's length: the delivered file's offset, then the whole timeline."""
        return self.offset + self.length


def stem_name(track: str) -> str:
    """A track's file stem: ``Jordan`` → ``jordan``, ``Speaker 1`` → ``speaker-1``."""
    return re.sub(r"[^a-z0-9]+", "-", track.lower()).strip("-") or "host"


@dataclass(frozen=True)
class Stem:
    """One track to write: its name, its file, and what its samples are made of.

    ``parts`` lists what sits where (first sample, length, and the identity of its
    audio: a turn's cache key and gain, or the intro's source); ``base`` what applies to
    all of it. Two stems with equal ``key`` are the same samples; two with equal ``base``
    and a common first run of ``parts`` are the same samples up to the end of that run.
    """

    track: str
    path: Path
    base: str
    samples: int
    parts: list[tuple[int, int, str]]

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps([self.base, self.samples, self.parts]).encode()).hexdigest()

    def to_data(self) -> dict[str, object]:
        return {"key": self.key, "base": self.base, "samples": self.samples, "parts": self.parts}

    def unchanged_until(self, before: dict[str, object] | None) -> int:
        """How many of the file's first samples ``before`` (the manifest's record of the
        file as it was last written) already holds as this stem would write them: 0 when the
        base changed, ``samples`` when nothing did. Between parts both files are silent, so
        they agree up to where the first differing part starts in either."""
        if not before or before.get("base") != self.base:
            return 0
        if before.get("key") == self.key:
            return self.samples
        old = [tuple(x) for x in before.get("parts", [])]  # type: ignore[attr-defined]
        n = 0
        while n < min(len(self.parts), len(old)) and tuple(self.parts[n]) == old[n]:
            n += 1
        mine = self.parts[n][0] if n < len(self.parts) else self.samples
        theirs = old[n][0] if n < len(old) else int(before.get("samples", 0))  # type: ignore[call-overload]
        return max(0, min(mine, theirs, self.samples))


def stems_of(mix: Mix, folder: Path, fmt: str, music_source: str | None) -> list[Stem]:
    """The stems of ``mix`` in ``folder/stems/``: one per host, then the music (if any)."""
    base = hashlib.sha256(json.dumps({"fmt": fmt, "rate": mix.rate, "gain": float(mix.stem_gain())}).encode()
                          ).hexdigest()[:24]
    ext = FORMATS[fmt][0].lower()
    tracks: list[tuple[str, list[tuple[int, int, str]]]] = [
        (s, [(mix.offset + t.start, t.length, f"{t.key}:{t.gain!r}") for t in mix.turns if t.speaker == s])
        for s in mix.speakers()]
    if mix.music_samples:
        tracks.append((MUSIC, [(mix.offset, mix.music_samples, str(music_source))]))
    return [Stem(track, folder / STEMS / f"{stem_name(track)}.{ext}", base, mix.samples, parts)
            for track, parts in tracks]


Piece = tuple[int, np.ndarray]  # (first sample in the stem, samples)


def turn_pieces(mix: Mix, speaker: str, audio: Callable[[PlacedTurn], TurnAudio],
                spans: Callable[[PlacedTurn, TurnAudio], list[tuple[int, int]]], since: int = 0) -> Iterator[Piece]:
    """One host's turns from sample ``since`` on, each rebuilt as the mix wrote it, one at a time."""
    gain = mix.stem_gain()
    for t in mix.turns:
        if t.speaker != speaker or mix.offset + t.start < since:
            continue
        turn_audio = audio(t)
        prepared = PreparedTurn(turn_audio, spans(t, turn_audio), t.length, 0.0)
        out = np.zeros(t.length, np.float32)
        prepared.write(out, None, 0, np.float32(t.gain))
        out *= gain
        yield mix.offset + t.start, out


def music_piece(mix: Mix, track: np.ndarray, since: int = 0) -> Iterator[Piece]:
    if mix.offset >= since:
        yield mix.offset, track[: mix.music_samples] * mix.stem_gain()


def write_stem(path: Path, fmt: str, samples: int, pieces: Iterable[Piece], rate: int = RATE,
               since: int | None = None) -> None:
    """Write ``samples`` of one track: ``pieces`` (in order, not overlapping) with silence
    between, streamed into the file.

    The whole file is written atomically, as every deliverable; or, with ``since``, a WAV
    already holding the right samples before ``since`` is rewritten in place from there
    on and cut or extended to ``samples`` (the caller forgets the file's record first, so
    an interrupted update is written whole next time).
    """
    container, subtype, _ = FORMATS[fmt]
    if since is None:
        with atomic_path(path) as tmp, sf.SoundFile(tmp, "w", rate, 1, format=container, subtype=subtype) as f:
            _fill(f, 0, samples, pieces, path)
        return
    with sf.SoundFile(path, "r+") as f:
        f.seek(since)
        _fill(f, since, samples, pieces, path)
        f.truncate(samples)


def _fill(f: sf.SoundFile, pos: int, samples: int, pieces: Iterable[Piece], path: Path) -> None:
    """Write ``pieces`` from sample ``pos`` with silence between and after, up to ``samples``."""
    silence = np.zeros(_BLOCK, np.float32)

    def quiet(until: int) -> None:
        nonlocal pos
        while pos < until:
            n = min(_BLOCK, until - pos)
            f.write(silence[:n])
            pos += n

    for start, audio in pieces:
        if start < pos:
            raise ValueError(f"{path.name}: a piece at sample {start} overlaps the one before")
        quiet(start)
        f.write(audio)
        pos += len(audio)
    quiet(samples)


def spans_for(silences: dict[str, float], pauses: dict[int, list[float]]) -> Callable[[PlacedTurn, TurnAudio],
                                                                                       list[tuple[int, int]]]:
    """How a turn's sentences sit in it, as assembly laid them out (each voice's pause, or
    the script's own longer ones)."""
    def spans(t: PlacedTurn, audio: TurnAudio) -> list[tuple[int, int]]:
        out = sentence_spans([len(c) for c in audio.sentences], silences[t.speaker], pauses.get(t.turn))
        if (out[-1][1] if out else 0) != t.length:
            raise ValueError(f"turn {t.turn}: its cached audio is not what the last render placed")
        return out
    return spans
