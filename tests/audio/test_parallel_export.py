"""MP3 streams encoded in parallel: one valid file, every sample where one stream puts it;
streams an edit leaves alone are reused from the cache, measures and all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from render.audio.assemble import on_frame_grid
from render.audio.dsp import LoudnessMeter
from render.audio.measure import MP3_FRAME, bin_samples, decode, measure_file
from render.audio.mp3 import StreamStore, count_frames, encode_mp3, encode_mp3_measured, mp3_delay_s, stream_bounds

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

RATE = 44100


def _bursts(seconds: float, seed: int = 0) -> list[np.ndarray]:
    """Bursts of tone and noise, like a script's turns."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(int(seconds / 1.5)):
        n = int(rng.uniform(0.8, 2.5) * RATE)
        t = np.arange(n) / RATE
        burst = 0.1 * np.sin(2 * np.pi * rng.uniform(120, 400) * t) + 0.2 * rng.standard_normal(n)
        out.append((burst * np.hanning(n)).astype(np.float32))
    return out


def _lay(bursts: list[np.ndarray], seconds: float, aligned: bool = False, seed: int = 0) -> np.ndarray:
    """The bursts separated by digitally silent pauses, like an assembled episode; ``aligned``
    starts each on the MP3 frame grid, as assembly does."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * RATE), np.float32)
    pos = RATE // 2
    for burst in bursts:
        if pos + len(burst) > len(out) - 3 * RATE:
            break
        out[pos: pos + len(burst)] = burst
        end = pos + len(burst)
        pos = end + int(rng.uniform(0.25, 0.6) * RATE)
        if aligned:
            pos = on_frame_grid(pos, end)
    return out


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    return _lay(_bursts(seconds, seed), seconds, seed=seed)


def _lag(a: np.ndarray, b: np.ndarray, at: int, span: int = 4096, search: int = 3000) -> int:
    ref = a[at: at + span]
    return max(range(-search, search + 1), key=lambda k: float(np.dot(ref, b[at + k: at + k + span])))


def test_parallel_streams_keep_every_sample_in_place(tmp_path: Path) -> None:
    x = _speechlike(150)
    bounds = stream_bounds(x)
    assert len(bounds) >= 2 and 0 < bounds[0][1] < bounds[1][0]
    starts = [a for a, _ in bounds[1:]]
    assert all(not x[a - 2 * 1152: a + 1152].any() and x[a + 1152: a + 2304].any() for a in starts)
    cut = bounds[1][0]
    assert not x[bounds[0][1]: cut].any()  # only digital silence is left to the codec

    joined, single = encode_mp3(x), encode_mp3(x, split=False)
    (tmp_path / "joined.mp3").write_bytes(joined)
    (tmp_path / "single.mp3").write_bytes(single)
    a, _ = decode(tmp_path / "joined.mp3")
    b, _ = decode(tmp_path / "single.mp3")
    assert count_frames(joined) * 1152 == len(a)
    assert abs(len(a) - len(b)) <= 1152
    for start in (len(b) // 4, cut + RATE):  # before the join, and after it
        probe = start + int(np.flatnonzero(np.abs(b[start:]) > 0.1)[0])
        assert _lag(b, a, probe) == 0  # audio sits exactly where one stream has it
    delay = round(mp3_delay_s() * RATE)
    n = len(x) - 2 * RATE

    def coding_error(y: np.ndarray) -> float:
        return float(np.sqrt(np.mean((y[delay: delay + n] - x[:n]) ** 2)))

    assert coding_error(a) < 1.1 * coding_error(b)  # joining costs no fidelity


def test_streams_are_measured_like_the_file_they_make(tmp_path: Path) -> None:
    x = _speechlike(140, seed=1)
    data, measured = encode_mp3_measured(x)
    (tmp_path / "ep.mp3").write_bytes(data)
    read_back = measure_file(tmp_path / "ep.mp3")
    assert measured.seconds == read_back.seconds
    assert abs(measured.integrated_lufs - read_back.integrated_lufs) <= 0.01
    assert abs(measured.true_peak_dbtp - read_back.true_peak_dbtp) <= 0.01
    assert measured.clipped_samples == read_back.clipped_samples


def test_audio_without_pauses_is_encoded_as_one_stream(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    x = (0.1 * rng.standard_normal(130 * RATE)).astype(np.float32)
    assert stream_bounds(x) == [(0, len(x))]
    data = encode_mp3(x)
    (tmp_path / "noise.mp3").write_bytes(data)
    assert len(decode(tmp_path / "noise.mp3")[0]) == count_frames(data) * 1152


def test_an_edit_reencodes_only_the_streams_it_touched(tmp_path: Path) -> None:
    bursts = _bursts(300, seed=3)
    before = _lay(bursts, 300, aligned=True, seed=4)
    edited = list(bursts)
    middle = len(edited) // 2
    edited[middle] = edited[middle][: len(edited[middle]) * 2 // 3]  # one turn cut short
    after = _lay(edited, 300, aligned=True, seed=4)
    store = StreamStore(tmp_path / "mp3")

    _, first = encode_mp3_measured(before, store=store)
    assert first.streams_reused == 0 and first.streams_encoded >= 5
    data, second = encode_mp3_measured(after, store=store)
    assert second.streams_encoded <= 2 and second.streams_reused >= first.streams_encoded - 2
    # Streams after the edit moved in time: their stored bytes and measures still hold there.
    fresh, measured = encode_mp3_measured(after)
    assert data == fresh
    assert (second.seconds, second.integrated_lufs, second.true_peak_dbtp, second.clipped_samples) == (
        measured.seconds, measured.integrated_lufs, measured.true_peak_dbtp, measured.clipped_samples)
    (tmp_path / "ep.mp3").write_bytes(data)
    assert abs(measure_file(tmp_path / "ep.mp3").integrated_lufs - second.integrated_lufs) <= 0.01

    # A damaged entry is encoded again, never used.
    for entry in (tmp_path / "mp3").glob("*/*.npz"):
        entry.write_bytes(entry.read_bytes()[:100])
    again, third = encode_mp3_measured(after, store=store)
    assert again == fresh and third.streams_reused == 0


def test_a_meter_placed_from_bins_equals_one_fed_there() -> None:
    rng = np.random.default_rng(5)
    x = (0.1 * rng.standard_normal(3 * RATE + 7)).astype(np.float32)
    size = bin_samples(RATE)
    binned = LoudnessMeter(RATE, bin_samples=size)
    binned.feed(x)
    bins = np.concatenate(binned.energies)
    rest = (len(binned.carry), float(binned.carry.sum()))
    for offset in (0, MP3_FRAME, 7 * MP3_FRAME, 1000 * MP3_FRAME):
        fed = LoudnessMeter(RATE, offset)
        fed.feed(x)
        placed = LoudnessMeter.placed(bins, size, rest, offset, RATE)
        assert placed.samples == fed.samples and placed.phase == fed.phase
        assert np.allclose(np.concatenate(placed.energies), np.concatenate(fed.energies), rtol=1e-9)
        assert abs(placed.carry.sum() - fed.carry.sum()) <= 1e-9 * max(1.0, fed.carry.sum())
        head = LoudnessMeter(RATE)
        head.feed((0.05 * rng.standard_normal(offset)).astype(np.float32))
        assert abs(LoudnessMeter.joined([head, placed]).lufs() - LoudnessMeter.joined([head, fed]).lufs()) < 1e-9
