"""Lay synthesized turns on one timeline: trimmed, resampled, level-matched,
separated by conversational gaps, with intro music ducked under the first words.

Every turn's and sentence's position is recorded here, in the final
sample rate, because captions and chapters must match the audio exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from render.audio.clips import TurnAudio
from render.audio.dsp import RATE, LoudnessMeter, compress, fade, gain_to, loudness, peak_envelope, resample, threads, trim
from render.audio.measure import MP3_FRAME
from render.script.parse import Turn

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
    start: int = 0  # in samples: where the turn's first sample is written
    length: int = 0
    gain: float = 1.0  # the float32 gain its samples were written with (a stem writes them again)
    peak: float = 0.0  # its true peak at that gain, from the cached envelope


@dataclass
class Timeline:
    """The assembled (not yet mastered) episode."""

    audio: np.ndarray
    rate: int
    turns: list[TurnSpan]
    music: str | None
    music_end_s: float
    speech_start_s: float
    envelope: np.ndarray  # 4x-oversampled peak magnitude per sample (float16), for mastering
    voice_levels: dict[str, float] = field(default_factory=dict)  # LUFS each voice was matched from
    music_samples: int = 0  # the intro's length in the timeline (samples from 0)
    music_peak: float = 0.0


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


def on_frame_grid(start: int, previous_end: int) -> int:
    """``start`` moved to the nearest MP3 frame boundary (at most 13 ms), still after ``previous_end``.

    The MP3 is encoded as streams that begin one frame before a turn, and a
    stream reused after an edit moved it must begin on the frame grid with
    the same samples: so every turn starts on it (see render.audio.mp3).
    A pause 13 ms longer or shorter is far below what listeners notice.
    """
    aligned = round(start / MP3_FRAME) * MP3_FRAME
    return aligned if aligned > previous_end else aligned + MP3_FRAME


def condition(audio: TurnAudio) -> TurnAudio:
    """Trim each sentence's silence, resample it to the episode rate, compress it (3:1 from
    6 dB under the turn's loudness), fade its edges and take its true-peak envelope (what
    the mastering limiter works from).

    Synthesis workers do this right after synthesis (in parallel, and once:
    the cache keeps the result), leaving assembly only joins and placement.
    """
    if audio.conditioned:
        return audio
    rate = audio.sample_rate
    clips = [resample(trim(c, rate), rate) for c in audio.sentences]
    level = loudness(np.concatenate(clips)) if clips else -120.0
    if level > -70.0:  # one threshold per turn, so its sentences keep their relative levels
        clips = [compress(c, RATE, level + COMPRESS_BELOW_DB) for c in clips]
    clips = [fade(c, RATE, 0.005, 0.01) for c in clips]
    return TurnAudio(clips, RATE, [peak_envelope(c, dtype=np.float16) for c in clips])


COMPRESS_BELOW_DB = -6.0  # the compressor's threshold, relative to the turn's loudness


@dataclass
class PreparedTurn:
    """One turn ready to place: conditioned sentences, their offsets in the turn, its loudness.

    Sentences are written straight into the timeline at placement, so no
    joined copy of the turn is ever made (at an hour of audio, that copy
    is a quarter gigabyte of memory to fill and free).
    """

    audio: TurnAudio
    spans: list[tuple[int, int]]
    length: int
    lufs: float

    def write(self, out: np.ndarray, envelope: np.ndarray | None, start: int, gain: np.float32) -> None:
        """Write this turn at ``start`` (where ``out`` is silent) with ``gain`` and its edge fades,
        and its envelope there (unless None: a stem needs no envelope).

        Sentences sit between silences longer than the oversampling filter,
        so the turn's envelope is theirs side by side; the edge fades only
        lower the audio, leaving the envelope a safe upper bound.
        """
        assert self.audio.peaks is not None
        for (a, b), clip, peaks in zip(self.spans, self.audio.sentences, self.audio.peaks, strict=True):
            np.multiply(clip, gain, out=out[start + a: start + b])
            if envelope is not None:
                np.multiply(peaks, gain, out=envelope[start + a: start + b], casting="unsafe")
        for n, rev in ((min(int(0.01 * RATE), self.length // 2), False),
                       (min(int(0.015 * RATE), self.length // 2), True)):
            if n > 0:  # the turn's own fades, as fade() gives a whole clip
                ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
                region = out[start + self.length - n: start + self.length] if rev else out[start: start + n]
                region *= ramp[::-1] if rev else ramp


def peak(turn: PreparedTurn) -> float:
    """The turn's true peak before gain, from its cached envelope (no pass over the audio)."""
    assert turn.audio.peaks is not None
    return max((float(p.max()) for p in turn.audio.peaks if len(p)), default=0.0)


def sentence_spans(lengths: list[int], sentence_silence: float, pauses: list[float] | None = None
                   ) -> list[tuple[int, int]]:
    """Where each sentence of a turn sits in it (samples), with the voice's pause between them,
    or the script's own where its markup asks for a longer one (``pauses[i]``: after sentence i)."""
    pauses = pauses or []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, n in enumerate(lengths):
        if spans:
            pos += int(max(sentence_silence, pauses[i - 1] if i - 1 < len(pauses) else 0.0) * RATE)
        spans.append((pos, pos + n))
        pos += n
    return spans


def prepare_turn(audio: TurnAudio, sentence_silence: float, pauses: list[float] | None = None) -> PreparedTurn:
    """Lay out one turn's conditioned sentences with its voice's pause (or the script's own,
    ``pauses``), and measure its loudness."""
    audio = condition(audio)
    spans = sentence_spans([len(c) for c in audio.sentences], sentence_silence, pauses)
    length = spans[-1][1] if spans else 0
    meter = LoudnessMeter(RATE)
    for i, clip in enumerate(audio.sentences):
        if i:
            meter.feed(np.zeros(spans[i][0] - spans[i - 1][1], np.float32))
        meter.feed(clip)
    return PreparedTurn(audio, spans, length, meter.lufs() if length else -120.0)


LEVEL_KEEP_DB = 0.3


def voice_levels(levels: dict[int, float], turns: list[Turn], keep: dict[str, float] | None = None,
                 keep_within_db: float = LEVEL_KEEP_DB) -> dict[str, float]:
    """Each voice's level: the median loudness of its turns, or ``keep[voice]`` (the last render's)
    while the median stays within ``keep_within_db`` of it (``math.inf``: always, as
    ``render check --try`` does to say a few turns at the level the whole episode gives them).

    Editing one turn can move a voice's median a little, which would move
    every other turn of that voice by a fraction of a dB. Keeping the level
    keeps their samples exactly, so the MP3 streams that hold them are
    reused (render.audio.mp3); 0.3 dB of level matching between voices is
    well under what a listener hears.
    """
    by_speaker: dict[str, list[float]] = {}
    for t in turns:
        by_speaker.setdefault(t.speaker, []).append(levels[t.index])
    out: dict[str, float] = {}
    for speaker, values in by_speaker.items():
        valid = [lu for lu in values if lu > -70]
        if not valid:
            continue
        mid = float(median(valid))
        previous = (keep or {}).get(speaker)
        out[speaker] = previous if previous is not None and abs(mid - previous) <= keep_within_db else mid
    return out


def _voice_gains(levels: dict[int, float], turns: list[Turn], mids: dict[str, float],
                 target: float) -> dict[int, float]:
    """One gain per voice (from its level), nudged per turn within ±3 dB."""
    gains: dict[int, float] = {}
    for t in turns:
        lu = levels[t.index]
        mid = mids.get(t.speaker, target)
        deviation = float(np.clip(lu - mid, -3, 3)) if lu > -70 else 0.0
        gains[t.index] = target - mid - deviation * 0.5
    return gains


def music_envelope(length: int, speech_start: int, pacing: Pacing) -> np.ndarray:
    """Full level alone, ducked under speech, then faded out (an intro shorter than the
    lead simply ends early)."""
    full = length
    length = max(length, speech_start)
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
    return env[:full]


def music_track(bed: np.ndarray, speech_start_s: float, pacing: Pacing) -> np.ndarray:
    """The intro as it sits in the mix: ducked under the first words, faded, at its level
    (the music stem is exactly this)."""
    env = music_envelope(len(bed), int(speech_start_s * RATE), pacing)
    nonzero = np.nonzero(env)[0]
    bed_len = int(nonzero[-1]) + 1 if nonzero.size else 0
    level = loudness(bed[: int(speech_start_s * RATE)] if speech_start_s > 0.5 else bed)
    return gain_to(bed[:bed_len] * env[:bed_len], level, pacing.voice_lufs + pacing.music_level_lu)


def speech_start_s(music: bool, pacing: Pacing) -> float:
    """Where the first words start: after the intro's lead when there is music."""
    return pacing.music_lead_s if music else pacing.lead_s


Buffers = Callable[[int], tuple[np.ndarray, np.ndarray]]  # zeroed audio and envelope of n samples


def assemble(turns: list[Turn], audio: Iterable[tuple[int, TurnAudio]] | dict[int, TurnAudio],
             silences: dict[str, float], pacing: Pacing,
             music: tuple[np.ndarray, str] | Future[tuple[np.ndarray, str]] | None,
             section_starts: set[int] | None = None, buffers: Buffers | None = None,
             keep_levels: dict[str, float] | None = None, keep_within_db: float = LEVEL_KEEP_DB) -> Timeline:
    """Build the episode timeline. ``silences`` is each speaker's sentence pause; ``keep_levels``
    the last render's voice levels, kept while within ``keep_within_db`` (see :func:`voice_levels`).

    ``audio`` yields (turn index, audio) pairs in any order, e.g. as synthesis
    finishes them; each turn is prepared (conditioned if need be, laid out,
    measured) on a thread the moment it arrives. A dict is consumed.
    """
    section_starts = section_starts or set()
    by_index = {t.index: t for t in turns}
    prepared: dict[int, PreparedTurn] = {}

    def prepare_one(index: int, turn_audio: TurnAudio) -> None:
        turn = by_index[index]
        prepared[index] = prepare_turn(turn_audio, silences[turn.speaker], turn.pauses)

    pairs = _drain(audio) if isinstance(audio, dict) else audio
    with ThreadPoolExecutor(threads()) as pool:  # soxr and the loudness filter release the GIL
        for fut in [pool.submit(prepare_one, index, turn_audio) for index, turn_audio in pairs]:
            fut.result()
    levels = {i: p.lufs for i, p in prepared.items()}
    mids = voice_levels(levels, turns, keep_levels, keep_within_db)
    gains = {i: np.float32(10 ** (g / 20)) for i, g in _voice_gains(levels, turns, mids, pacing.voice_lufs).items()}
    if isinstance(music, Future):  # loaded on the side while the turns arrived
        music = music.result()

    speech_start = speech_start_s(music is not None, pacing)
    cursor = int(speech_start * RATE)
    starts: dict[int, int] = {}
    for i, t in enumerate(turns):
        starts[t.index] = cursor
        cursor += prepared[t.index].length
        if i + 1 < len(turns):
            nxt = turns[i + 1]
            end = cursor
            cursor += int(gap_after(t, nxt, pacing, nxt.index in section_starts) * RATE)
            cursor = on_frame_grid(cursor, end)
    music_audio = None
    music_end = 0.0
    if music is not None:
        music_audio = music_track(music[0], speech_start, pacing)
        music_end = len(music_audio) / RATE
    total = max(cursor + int(pacing.tail_s * RATE), len(music_audio) if music_audio is not None else 0)
    out, envelope = buffers(total) if buffers is not None else (np.zeros(total, np.float32),
                                                                     np.zeros(total, np.float16))
    if music_audio is not None:
        out[: len(music_audio)] += music_audio
    placed: list[TurnSpan] = []
    for t in turns:
        s = starts[t.index]
        turn = prepared.pop(t.index)
        if music_audio is not None and s < len(music_audio):  # fades must not touch the music under it
            alone = np.zeros(turn.length, np.float32)
            turn.write(alone, envelope[s: s + turn.length], 0, gains[t.index])
            out[s: s + turn.length] += alone
        else:
            turn.write(out, envelope, s, gains[t.index])
        placed.append(TurnSpan(t.index, t.speaker, s / RATE, (s + turn.length) / RATE,
                               [((s + a) / RATE, (s + b) / RATE) for a, b in turn.spans],
                               s, turn.length, float(gains[t.index]), peak(turn) * float(gains[t.index])))
    if music_audio is not None:  # where music and speech overlap, only the mix has the right envelope
        n = min(total, len(music_audio) + 1024)
        envelope[:n] = peak_envelope(out[: min(total, n + 1024)], dtype=np.float16)[:n]
    return Timeline(out, RATE, placed, music[1] if music else None, music_end, speech_start, envelope, mids,
                    0 if music_audio is None else len(music_audio),
                    0.0 if music_audio is None or not len(music_audio) else float(np.abs(music_audio).max()))


def _drain(audio: dict[int, TurnAudio]) -> Iterator[tuple[int, TurnAudio]]:
    while audio:
        yield audio.popitem()  # popped: each turn's audio lives in one place only
