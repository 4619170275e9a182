"""``render check --try`` hears a tried turn at the level the episode's MP3 has it: the voice
matched from the episode's level, not from the few turns tried, then the master's gain and
limiter (Whisper's features are not gain-invariant)."""

from __future__ import annotations

import numpy as np

from render.audio.assemble import Timeline, TurnSpan
from render.report import Master
from render.respell import _as_mastered

RATE = 24_000


def _db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2))))


def test_a_tried_turn_is_heard_at_the_episodes_voice_level_and_master_gain() -> None:
    t = np.arange(2 * RATE) / RATE
    audio = (0.05 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)  # two turns of one second
    timeline = Timeline(audio, RATE, [TurnSpan(0, "Jordan", 0.0, 1.0), TurnSpan(1, "Alex", 1.0, 2.0)], None, 0.0, 0.0,
                        np.abs(audio).astype(np.float16), voice_levels={"Jordan": -30.0, "Alex": -26.0})
    # the episode matched Jordan from -34 LUFS (4 dB quieter than the tried turn's median): his
    # turn gets 4 dB more; Alex's level is the same; then the master's +6 dB, under its ceiling
    plan = Master(6.0, 0.0, 0.0, -16.0, -1.0, "mp3", {"Jordan": -34.0, "Alex": -26.0})
    out = _as_mastered(timeline, plan, 0.8, ["Jordan", "Alex"])
    assert abs(_db(out[:RATE]) - _db(audio[:RATE]) - 10.0) < 0.05
    assert abs(_db(out[RATE:]) - _db(audio[RATE:]) - 6.0) < 0.05
    assert np.abs(out).max() <= 10 ** (-1.8 / 20) + 1e-4  # the limiter's ceiling: -1 dBTP less 0.8 dB
    assert _as_mastered(timeline, None, 0.8, ["Jordan", "Alex"]) is timeline.audio  # no master yet: as assembled
