"""``render check --try`` hears a tried turn at the level the episode's MP3 has it: the voice
matched from the episode's level, not from the few turns tried, then the master's gain and
limiter (Whisper's features are not gain-invariant)."""

from __future__ import annotations

import math

import numpy as np

from render.audio.assemble import Timeline, TurnSpan, voice_levels
from render.audio.master import MasterSpec
from render.report import Master
from render.respell import _as_mastered
from render.script.parse import Turn

RATE = 24_000


def _db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2))))


def test_tried_turns_keep_the_episodes_voice_level_however_far_their_own_median_is() -> None:
    turns = [Turn(index=0, speaker="Jordan", text="x", line=1), Turn(index=1, speaker="Alex", text="y", line=2)]
    levels = {0: -30.0, 1: -26.0}
    episode = {"Jordan": -34.0, "Alex": -26.0}  # the episode matched Jordan from 4 dB lower
    assert voice_levels(levels, turns, episode)["Jordan"] == -30.0  # a render follows a real change...
    assert voice_levels(levels, turns, episode, keep_within_db=math.inf) == episode  # ...--try keeps the episode's


def test_a_tried_turn_is_heard_through_the_episodes_master_gain_and_limiter() -> None:
    t = np.arange(2 * RATE) / RATE
    audio = (0.05 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    timeline = Timeline(audio, RATE, [TurnSpan(0, "Jordan", 0.0, 1.0), TurnSpan(1, "Alex", 1.0, 2.0)], None, 0.0, 0.0,
                        np.abs(audio).astype(np.float16))
    plan = Master(6.0, 0.0, 0.0, -16.0, -1.0, "mp3", {"Jordan": -34.0, "Alex": -26.0})
    out = _as_mastered(timeline, plan, MasterSpec())
    assert abs(_db(out) - _db(audio) - 6.0) < 0.05  # the master's +6 dB, under its ceiling
    loud = (0.9 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    limited = _as_mastered(Timeline(loud, RATE, timeline.turns, None, 0.0, 0.0, np.abs(loud).astype(np.float16)),
                           plan, MasterSpec())
    assert np.abs(limited).max() <= 10 ** (-1.8 / 20) + 1e-4  # the limiter's ceiling: -1 dBTP less 0.8 dB
    assert _as_mastered(timeline, None, MasterSpec()) is timeline.audio  # no master yet: as assembled
