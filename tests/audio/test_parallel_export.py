"""MP3 streams encoded in parallel: one valid file, every sample where one stream puts it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from render.audio.export import (
    count_frames,
    decode,
    encode_mp3,
    encode_mp3_measured,
    measure_file,
    mp3_delay_s,
    stream_bounds,
)

RATE = 44100


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Bursts of tone and noise separated by digitally silent pauses, like an assembled episode."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * RATE), np.float32)
    pos = RATE // 2
    while pos < len(out) - 3 * RATE:
        n = int(rng.uniform(0.8, 2.5) * RATE)
        t = np.arange(n) / RATE
        burst = 0.1 * np.sin(2 * np.pi * rng.uniform(120, 400) * t) + 0.2 * rng.standard_normal(n)
        out[pos: pos + n] = (burst * np.hanning(n)).astype(np.float32)
        pos += n + int(rng.uniform(0.25, 0.6) * RATE)
    return out


def _lag(a: np.ndarray, b: np.ndarray, at: int, span: int = 4096, search: int = 3000) -> int:
    ref = a[at: at + span]
    return max(range(-search, search + 1), key=lambda k: float(np.dot(ref, b[at + k: at + k + span])))


def test_parallel_streams_keep_every_sample_in_place(tmp_path: Path) -> None:
    x = _speechlike(150)
    bounds = stream_bounds(x, 2)
    assert len(bounds) == 2 and 0 < bounds[0][1] < bounds[1][0]
    cut = bounds[1][0]
    assert not x[bounds[0][1]: cut].any()  # only digital silence is left to the codec

    joined, single = encode_mp3(x, parts=2), encode_mp3(x, parts=1)
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
    data, measured = encode_mp3_measured(x, parts=2)
    (tmp_path / "ep.mp3").write_bytes(data)
    read_back = measure_file(tmp_path / "ep.mp3")
    assert measured.seconds == read_back.seconds
    assert abs(measured.integrated_lufs - read_back.integrated_lufs) <= 0.01
    assert abs(measured.true_peak_dbtp - read_back.true_peak_dbtp) <= 0.01
    assert measured.clipped_samples == read_back.clipped_samples


def test_audio_without_pauses_is_encoded_as_one_stream(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    x = (0.1 * rng.standard_normal(130 * RATE)).astype(np.float32)
    assert stream_bounds(x, 2) == [(0, len(x))]
    data = encode_mp3(x, parts=2)
    (tmp_path / "noise.mp3").write_bytes(data)
    assert len(decode(tmp_path / "noise.mp3")[0]) == count_frames(data) * 1152
