"""Lay synthesized turns on one timeline: trimmed, resampled, level-matched,
separated by conversational gaps, with intro music ducked under the first words.

Every turn's and sentence's position is recorded here, in the final
sample rate, because captions and chapters must match the audio exactly.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from render.cache import TurnAudio
from render.dsp import RATE, fade, gain_to, loudness, resample, threads, trim
from render.script import Turn

_INTERJECTION = re.compile(
    r"^(?:wait|hold on|exactly|right|yeah|yep|yes|no|okay|ok|sure|true|fair|huh|wow|and|but|so)\b",
    re.I)


@dataclass(frozen=True)
class Pacing:
    """Gaps and music timing in seconds; levels in LU/dB. Changing these re-synthesizes nothing."""

    gap_s: float = 0.38
    question_gap_s: float = 0.28
    interjection_gap_s: float = 0.22
    long_turn_extra_s: float = 0.12
    section_gap_s: float = 0.9
    lead_s: float = 0.4
    tail_s: float = 1.2
    music_lead_s: float = 4.0
    music_bed_s: float = 4.0
    music_fade_s: float = 3.0
    duck_db: float = 20.0
    music_level_lu: float = -3.0
    voice_lufs: float = -20.0

    def scaled(self, factor: float) -> Pacing:
        """All conversational gaps times ``factor`` (used by ``--fit``)."""
        return Pacing(**{**self.__dict__, **{k: getattr(self, k) * factor for k in (
            "gap_s", "question_gap_s", "interjection_gap_s", "long_turn_extra_s",
            "section_gap_s")}})

    def max_gap(self) -> float:
        return max(self.gap_s + self.long_turn_extra_s, self.section_gap_s,
                   self.question_gap_s, self.interjection_gap_s)


@dataclass
class TurnSpan:
    """Where one turn sits in the final audio, and each of its sentences."""

    index: int
    speaker: str
    start_s: float
    end_s: float
    sentences: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Timeline:
    """The assembled (not yet mastered) episode."""

    audio: np.ndarray
    rate: int
    turns: list[TurnSpan]
    music: str | None
    music_end_s: float
    speech_start_s: float


def gap_after(turn: Turn, following: Turn, pacing: Pacing, section_break: bool) -> float:
    """A natural pause before ``following``: quick after questions and for interjections."""
    if section_break:
        return pacing.section_gap_s
    if _INTERJECTION.match(following.text):
        gap = pacing.interjection_gap_s
    elif turn.text.rstrip().endswith("?"):
        gap = pacing.question_gap_s
    else:
        gap = pacing.gap_s
    if len(turn.text.split()) > 45:
        gap += pacing.long_turn_extra_s
    if following.speaker == turn.speaker:
        gap += pacing.gap_s
    return gap


def condition(audio: TurnAudio) -> TurnAudio:
    """Trim each sentence's silence, resample it to the episode rate and fade its edges.

    Synthesis workers do this right after synthesis (in parallel, and once:
    the cache keeps the result), leaving assembly only joins and placement.
    """
    if audio.conditioned:
        return audio
    rate = audio.sample_rate
    return TurnAudio([fade(resample(trim(c, rate), rate), RATE, 0.005, 0.01) for c in audio.sentences],
                     RATE, conditioned=True)


def prepare_turn(audio: TurnAudio, sentence_silence: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Join one turn's conditioned sentences with its voice's pause; return audio and sentence spans."""
    parts: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []
    gap = np.zeros(int(sentence_silence * RATE), np.float32)
    pos = 0
    for s in condition(audio).sentences:
        if parts:
            parts.append(gap)
            pos += len(gap)
        parts.append(s)
        spans.append((pos, pos + len(s)))
        pos += len(s)
    joined = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return fade(joined, RATE), spans


def _voice_gains(levels: dict[int, float], turns: list[Turn], target: float) -> dict[int, float]:
    """One gain per voice (from its median turn loudness), nudged per turn within ±3 dB."""
    by_speaker: dict[str, list[tuple[int, float]]] = {}
    for t in turns:
        by_speaker.setdefault(t.speaker, []).append((t.index, levels[t.index]))
    gains: dict[int, float] = {}
    for items in by_speaker.values():
        valid = [lu for _, lu in items if lu > -70]
        mid = median(valid) if valid else target
        for index, lu in items:
            deviation = float(np.clip(lu - mid, -3, 3)) if lu > -70 else 0.0
            gains[index] = target - mid - deviation * 0.5
    return gains


def music_envelope(length: int, speech_start: int, pacing: Pacing) -> np.ndarray:
    """Full level alone, ducked under speech, then faded out."""
    env = np.ones(length, np.float32)
    duck = 10 ** (-pacing.duck_db / 20)
    ramp_start = max(0, speech_start - int(0.6 * RATE))
    ramp = np.linspace(1.0, duck, speech_start - ramp_start, dtype=np.float32)
    env[ramp_start:speech_start] = ramp
    env[speech_start:] = duck
    fade_start = speech_start + int(pacing.music_bed_s * RATE)
    fade_len = int(pacing.music_fade_s * RATE)
    if fade_start < length:
        n = min(fade_len, length - fade_start)
        env[fade_start: fade_start + n] = duck * np.linspace(1, 0, fade_len, dtype=np.float32)[:n]
        env[fade_start + n:] = 0
    return env


def assemble(turns: list[Turn], audio: dict[int, TurnAudio], silences: dict[str, float],
             pacing: Pacing, music: tuple[np.ndarray, str] | None,
             section_starts: set[int] | None = None) -> Timeline:
    """Build the episode timeline. ``silences`` is each speaker's sentence pause.

    ``audio`` is consumed (its entries are removed) to keep peak memory to one copy.
    """
    section_starts = section_starts or set()
    prepared: dict[int, np.ndarray] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    levels: dict[int, float] = {}

    def prepare_one(t: Turn) -> None:
        # pop: each turn's synthesized audio is freed as soon as its 44.1 kHz copy exists
        prepared[t.index], spans[t.index] = prepare_turn(audio.pop(t.index), silences[t.speaker])
        levels[t.index] = loudness(prepared[t.index])

    with ThreadPoolExecutor(threads()) as pool:  # soxr and the loudness filter release the GIL
        # (cached turns are conditioned already; this is for audio straight from an engine)
        list(pool.map(prepare_one, turns))
    gains = _voice_gains(levels, turns, pacing.voice_lufs)
    for t in turns:
        prepared[t.index] = gain_to(prepared[t.index], 0.0, gains[t.index])

    speech_start = pacing.music_lead_s if music else pacing.lead_s
    cursor = int(speech_start * RATE)
    starts: dict[int, int] = {}
    for i, t in enumerate(turns):
        starts[t.index] = cursor
        cursor += len(prepared[t.index])
        if i + 1 < len(turns):
            nxt = turns[i + 1]
            cursor += int(gap_after(t, nxt, pacing, nxt.index in section_starts) * RATE)
    music_audio = None
    music_end = 0.0
    if music is not None:
        bed = music[0]
        env = music_envelope(len(bed), int(speech_start * RATE), pacing)
        nonzero = np.nonzero(env)[0]
        bed_len = int(nonzero[-1]) + 1 if nonzero.size else 0
        level = loudness(bed[: int(speech_start * RATE)] if speech_start > 0.5 else bed)
        music_audio = gain_to(bed[:bed_len] * env[:bed_len], level,
                              pacing.voice_lufs + pacing.music_level_lu)
        music_end = bed_len / RATE
    total = max(cursor + int(pacing.tail_s * RATE), len(music_audio) if music_audio is not None else 0)
    out = np.zeros(total, np.float32)
    if music_audio is not None:
        out[: len(music_audio)] += music_audio
    placed: list[TurnSpan] = []
    for t in turns:
        s = starts[t.index]
        clip = prepared.pop(t.index)
        out[s: s + len(clip)] += clip
        placed.append(TurnSpan(t.index, t.speaker, s / RATE, (s + len(clip)) / RATE,
                               [((s + a) / RATE, (s + b) / RATE) for a, b in spans[t.index]]))
    return Timeline(out, RATE, placed, music[1] if music else None, music_end, speech_start)
