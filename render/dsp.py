"""Small audio operations on mono float32 arrays, shared by assembly and mastering."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import pyloudnorm
import soxr
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import lfilter, lfilter_zi

RATE = 44100


def resample(audio: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    """High-quality resampling with soxr (VHQ); a no-op at the target rate."""
    if rate == target or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    return soxr.resample(audio, rate, target, quality="VHQ").astype(np.float32)


def trim(audio: np.ndarray, rate: int, threshold_db: float = -45.0,
         pad_s: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence, keeping a little air so consonants survive."""
    if audio.size == 0:
        return audio
    frame = max(1, int(rate * 0.01))
    n = len(audio) // frame
    if n == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1))
    peak = float(np.max(np.abs(audio))) or 1.0
    loud = np.nonzero(rms > peak * 10 ** (threshold_db / 20))[0]
    if loud.size == 0:
        return audio[:0]
    pad = int(pad_s * rate)
    start = max(0, loud[0] * frame - pad)
    end = min(len(audio), (loud[-1] + 1) * frame + pad)
    return audio[start:end]


def fade(audio: np.ndarray, rate: int, fade_in_s: float = 0.01,
         fade_out_s: float = 0.015) -> np.ndarray:
    """Raised-cosine fades at both ends, so no cut clicks."""
    out = audio.astype(np.float32, copy=True)
    for length, rev in ((int(fade_in_s * rate), False), (int(fade_out_s * rate), True)):
        length = min(length, len(out) // 2)
        if length <= 0:
            continue
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, length))).astype(np.float32)
        if rev:
            out[-length:] *= ramp[::-1]
        else:
            out[:length] *= ramp
    return out


@lru_cache(maxsize=8)
def _k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """BS.1770 K-weighting (pyloudnorm's filter design), its two biquads merged into one
    fourth-order filter so each pass over the audio runs one filter, not two."""
    meter = pyloudnorm.Meter(rate)
    b, a = np.array([1.0]), np.array([1.0])
    for f in meter._filters.values():
        b, a = np.convolve(b, f.b), np.convolve(a, f.a)
    return [(b, a)]


class LoudnessMeter:
    """Streaming BS.1770-4 integrated loudness: feed blocks, then read :meth:`lufs`.

    Same filters and gating as pyloudnorm's meter, but with carried filter
    state and 100 ms sub-block energies, so an hour-long episode (or a file
    read block by block) is measured in constant memory.
    """

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self.stages = _k_weighting(rate)
        self.states = [lfilter_zi(b, a) * 0.0 for b, a in self.stages]
        self.sub = round(0.1 * rate)
        self.energies: list[np.ndarray] = []
        self.carry = np.zeros(0)
        self.samples = 0
        self.square_sum = 0.0

    def feed(self, block: np.ndarray) -> None:
        x = block.astype(np.float64)
        self.samples += len(x)
        self.square_sum += float(np.dot(x, x))
        for k, (b, a) in enumerate(self.stages):
            x, self.states[k] = lfilter(b, a, x, zi=self.states[k])
        x = np.concatenate([self.carry, x * x])
        n = len(x) // self.sub
        self.energies.append(x[: n * self.sub].reshape(n, self.sub).sum(axis=1))
        self.carry = x[n * self.sub:]

    def lufs(self) -> float:
        rate = self.rate
        if self.samples < int(0.45 * rate):  # too short to gate: RMS-based estimate
            rms = np.sqrt(self.square_sum / self.samples) if self.samples else 0.0
            return float(20 * np.log10(rms) - 0.7) if rms > 0 else -120.0
        e = np.concatenate(self.energies)
        n_blocks = int(np.round((self.samples / rate - 0.4) / 0.1)) + 1
        n_blocks = min(n_blocks, len(e) - 3)
        csum = np.concatenate([[0.0], np.cumsum(e)])
        z = (csum[4: 4 + n_blocks] - csum[:n_blocks]) / (0.4 * rate)
        with np.errstate(divide="ignore"):
            lj = -0.691 + 10 * np.log10(z)
        gated = z[lj >= -70.0]
        if gated.size == 0:
            return -120.0
        rel = -0.691 + 10 * np.log10(gated.mean()) - 10.0
        final = z[(lj > rel) & (lj > -70.0)]
        if final.size == 0:
            return -120.0
        return float(-0.691 + 10 * np.log10(final.mean()))


def loudness(audio: np.ndarray, rate: int = RATE, block: int = 1 << 20) -> float:
    """Integrated loudness (ITU-R BS.1770-4) in LUFS; RMS-based for very short clips."""
    meter = LoudnessMeter(rate)
    for start in range(0, len(audio), block):
        meter.feed(audio[start: start + block])
    return meter.lufs()


def gain_to(audio: np.ndarray, current_lufs: float, target_lufs: float) -> np.ndarray:
    if current_lufs <= -100:
        return audio
    return (audio * np.float32(10 ** ((target_lufs - current_lufs) / 20))).astype(np.float32)


def _oversampled_abs(audio: np.ndarray, oversample: int, block: int) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (start, per-sample max of the oversampled magnitude) block by block.

    soxr's band-limited upsampling reconstructs the inter-sample peaks
    BS.1770 asks for; blocks (with overlap) keep memory flat on long episodes.
    """
    pad = 256
    for start in range(0, len(audio), block):
        lo = max(0, start - pad)
        stop = min(len(audio), start + block)
        seg = audio[lo: stop + pad].astype(np.float32, copy=False)
        up = np.abs(soxr.resample(seg, RATE, RATE * oversample, quality="HQ"))
        whole = (len(up) // oversample) * oversample
        per = up[0:whole:oversample].copy()  # strided maxima: far faster than max(axis=1)
        for k in range(1, oversample):
            np.maximum(per, up[k:whole:oversample], out=per)
        per = np.concatenate([per, np.zeros(max(0, len(seg) - len(per)), np.float32)])
        yield start, per[start - lo: start - lo + stop - start]


def true_peak(audio: np.ndarray, oversample: int = 4, block: int = 1 << 21) -> float:
    """True peak in dBTP (4x oversampled, BS.1770-4)."""
    if audio.size == 0:
        return -120.0
    peak = max(float(np.max(np.abs(audio))),
               max(float(p.max()) if p.size else 0.0 for _, p in _oversampled_abs(audio, oversample, block)))
    return 20 * np.log10(peak) if peak > 0 else -120.0


def peak_envelope(audio: np.ndarray, oversample: int = 4, block: int = 1 << 21,
                  dtype: type = np.float32) -> np.ndarray:
    """Per-sample magnitude including inter-sample peaks (``float16`` halves its memory)."""
    env = np.empty(len(audio), dtype)
    for start, per in _oversampled_abs(audio, oversample, block):
        stop = start + len(per)
        env[start:stop] = np.maximum(np.abs(audio[start:stop]), per)
    return env


def limit(audio: np.ndarray, ceiling_db: float, rate: int = RATE,
          lookahead_s: float = 0.003, release_s: float = 0.06,
          envelope: np.ndarray | None = None, gain: float = 1.0,
          block: int = 1 << 20, out: np.ndarray | None = None) -> np.ndarray:
    """Apply ``gain`` and a look-ahead peak limiter against the 4x-oversampled envelope.

    The gain curve is a running minimum of the needed gain followed by a
    box average, which never lets a peak through and never steps the gain
    (no distortion clicks); a short release keeps it transparent on speech.
    Pass ``envelope`` (of ``audio`` before ``gain``) to skip recomputing it.
    Works in overlapping blocks so memory stays flat on long episodes.
    """
    ceiling = 10 ** (ceiling_db / 20)
    env = peak_envelope(audio) if envelope is None else envelope
    look = max(1, int(lookahead_s * rate))
    rel = max(look, int(release_s * rate))
    margin = 2 * rel + 2 * look
    out = np.empty(len(audio), np.float32) if out is None else out
    g = np.float32(gain)
    for start in range(0, len(audio), block):
        stop = min(len(audio), start + block)
        lo, hi = max(0, start - margin), min(len(audio), stop + margin)
        need = np.minimum(1.0, ceiling / np.maximum(env[lo:hi] * g, 1e-9)).astype(np.float32)
        if float(need.min()) >= 1.0:
            out[start:stop] = audio[start:stop] * g
            continue
        curve = uniform_filter1d(minimum_filter1d(need, size=2 * rel + 1), size=rel)
        curve = np.minimum(curve, minimum_filter1d(need, size=2 * look + 1))
        out[start:stop] = audio[start:stop] * g * curve[start - lo: start - lo + stop - start]
    return out
