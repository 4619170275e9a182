"""Stem files: written streaming in flat memory, in place from where they changed, at a level
that never clips in 24 bits."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from render.audio.stems import Mix, PlacedTurn, Stem, stem_name, write_stem

RATE = 44100


def _pieces(count: int, every_s: float, length_s: float, since: int = 0):
    """``count`` pieces of noise ``length_s`` long, one every ``every_s``, made one at a time."""
    rng = np.random.default_rng(7)
    for i in range(count):
        start = int(i * every_s * RATE)
        audio = (rng.standard_normal(int(length_s * RATE)) * 0.1).astype(np.float32)
        if start >= since:
            yield start, audio


def test_a_thirty_minute_stem_is_written_in_the_memory_of_one_turn(tmp_path: Path) -> None:
    samples = 30 * 60 * RATE  # 30 minutes: 318 MB as float32, 238 MB as 24-bit
    tracemalloc.start()
    try:
        write_stem(tmp_path / "host.wav", "wav", samples, _pieces(90, 20.0, 12.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * 2**20, peak  # one 12-second piece is 2 MB; the whole track would be 318 MB
    info = sf.info(str(tmp_path / "host.wav"))
    assert info.frames == samples and info.subtype == "PCM_24"
    with sf.SoundFile(tmp_path / "host.wav") as f:
        f.seek(int(20.0 * RATE) - 10)
        around = f.read(20, dtype="float32")
    assert np.all(around[:10] == 0) and np.all(around[10:] != 0)  # the second piece starts on its sample


def test_in_place_from_a_sample_equals_a_whole_write(tmp_path: Path) -> None:
    whole, part = tmp_path / "whole.wav", tmp_path / "part.wav"
    write_stem(part, "wav", 10 * RATE, _pieces(3, 3.0, 1.0))  # the "old" file: three pieces
    since = int(6.0 * RATE)  # from the third piece on, the new stem differs and is longer
    new = [(s, a * 2) if s >= since else (s, a) for s, a in _pieces(4, 3.0, 1.0)]
    write_stem(part, "wav", 12 * RATE, iter([p for p in new if p[0] >= since]), since=since)
    write_stem(whole, "wav", 12 * RATE, iter(new))
    assert np.array_equal(sf.read(part)[0], sf.read(whole)[0])
    write_stem(part, "wav", 8 * RATE, iter([]), since=8 * RATE)  # shorter: cut
    assert sf.info(str(part)).frames == 8 * RATE


def test_overlapping_pieces_are_refused_and_leave_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="overlaps"):
        write_stem(tmp_path / "x.wav", "wav", RATE, iter([(0, np.ones(100, np.float32) * 0.1),
                                                           (50, np.ones(10, np.float32) * 0.1)]))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("gain_db", "peak", "stem_db", "trim"), [
    (8.5, 0.5, 5, 3.5),  # 8.5 dB would put a 0.5 peak at +2.5 dBFS: 5 dB leaves 1 dB of headroom
    (2.2, 0.1, 2, 0.2),  # room enough: the master's gain, rounded to a whole dB
    (-3.0, 1.2, -3, 0.0),
])
def test_stems_get_whole_db_of_gain_under_full_scale(gain_db: float, peak: float, stem_db: int, trim: float) -> None:
    mix = Mix(RATE, RATE, 0, gain_db, 0, 0.0, [PlacedTurn(1, "Jordan", "k", 0, 10, 1.0, peak)])
    assert mix.stem_db() == stem_db and mix.trim_db() == pytest.approx(trim)
    assert 20 * np.log10(peak) + stem_db <= -1.0 + 1e-9


def test_unchanged_until_is_where_the_first_differing_part_starts_in_either_file() -> None:
    def stem(parts: list[tuple[int, int, str]], samples: int = 1000, base: str = "b") -> Stem:
        return Stem("Jordan", Path("jordan.wav"), base, samples, parts)

    old = stem([(10, 50, "a"), (100, 50, "b"), (300, 50, "c")]).to_data()
    assert stem([(10, 50, "a"), (100, 50, "b"), (300, 50, "c")]).unchanged_until(old) == 1000
    assert stem([(10, 50, "a"), (120, 60, "B"), (320, 50, "c")], 1020).unchanged_until(old) == 100
    assert stem([(10, 50, "a"), (90, 60, "B")]).unchanged_until(old) == 90
    assert stem([(10, 50, "a"), (100, 50, "b"), (300, 50, "c")], 1100).unchanged_until(old) == 1000  # longer
    assert stem([(10, 50, "a"), (100, 50, "b")], 800).unchanged_until(old) == 300  # the last turn cut
    assert stem([(10, 50, "a")], base="other").unchanged_until(old) == 0
    assert stem([(10, 50, "a")]).unchanged_until(None) == 0


def test_stem_file_names() -> None:
    assert [stem_name(n) for n in ("Jordan", "Speaker 1", "Dr. Ana Ruiz", "!!")] == \
        ["jordan", "speaker-1", "dr-ana-ruiz", "host"]
