"""Small audio operations on mono float32 arrays, shared by assembly and mastering."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np
import soxr

# scipy.signal (with pyloudnorm, which imports it) and scipy.ndimage take ~0.9 s to import:
# they are imported where used, and render.warmup loads them in the background meanwhile.

RATE = 44100


def resample(audio: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    """High-quality resampling with soxr (VHQ); a no-op at the target rate."""
    if rate == target or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    return soxr.resample(audio, rate, target, quality="VHQ").astype(np.float32)


def trim(audio: np.ndarray, rate: int, threshold_db: float = -60.0,
         pad_s: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence, keeping a little air so consonants survive.

    The threshold is 60 dB under the clip's peak: a weak fricative that starts a sentence
    ("Think", "Fewer") and the release of a final stop after its silent closure ("tried it")
    sit 45-60 dB under the vowels, and a -45 dB threshold cut 15-100 ms of them from
    Kokoro's and Piper's sentences; both voices' silence is under -75 dB."""
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


def compress(audio: np.ndarray, rate: int, threshold_db: float, ratio: float = 3.0,
             window_s: float = 0.01, smooth_s: float = 0.03) -> np.ndarray:
    """Speech compression: above ``threshold_db`` (10 ms RMS), each dB in gives 1/``ratio`` dB out.

    Neural voices (Kokoro, Piper) put 21-24 dB between their peaks and their
    loudness; a master at -16 LUFS under a -1 dBTP ceiling has room for about
    15, so without compression the limiter works on almost every syllable,
    squashes them, and still cannot reach the target. 3:1 from 6 dB under the
    turn's loudness takes 3-4 dB off that distance, as a podcast voice chain
    does. Offline, so both windows are centred: no attack or release lag.
    """
    from scipy.ndimage import uniform_filter1d

    if audio.size == 0:
        return audio
    power = uniform_filter1d(np.square(audio, dtype=np.float32), max(1, int(window_s * rate)))
    level = 10 * np.log10(power + np.float32(1e-12))
    gain_db = np.minimum(0.0, (threshold_db - level) * np.float32(1 - 1 / ratio))
    gain_db = uniform_filter1d(gain_db, max(1, int(smooth_s * rate)))
    return (audio * np.power(np.float32(10), gain_db / np.float32(20))).astype(np.float32)


@lru_cache(maxsize=8)
def _k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """BS.1770 K-weighting (pyloudnorm's filter design), its two biquads merged into one
    fourth-order filter so each pass over the audio runs one filter, not two."""
    import pyloudnorm

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

    def __init__(self, rate: int = RATE, offset: int = 0, bin_samples: int | None = None) -> None:
        """``offset``: where this meter's audio starts in a longer program measured in parts.

        ``bin_samples`` makes a binning meter instead: its energies are per that
        many samples, to be placed at any offset later (:meth:`placed`); its
        :meth:`lufs` is meaningless.
        """
        self.rate = rate
        self.stages = _k_weighting(rate)
        self.states = [np.zeros(max(len(a), len(b)) - 1) for b, a in self.stages]
        self.sub = bin_samples or round(0.1 * rate)
        self.energies: list[np.ndarray] = []
        # Stand-ins for the part of the first sub-block that lies before ``offset``: see joined().
        self.phase = offset % self.sub
        self.carry = np.zeros(self.phase)
        self.samples = 0
        self.square_sum = 0.0

    @classmethod
    def joined(cls, meters: list[LoudnessMeter]) -> LoudnessMeter:
        """One meter for consecutive parts, as if their audio had been fed to one meter.

        Parts sit on the program's 100 ms grid: the sub-block a part's
        ``offset`` falls in is the previous part's open tail plus this part's head.
        """
        whole = cls(meters[0].rate)
        tail = 0.0
        for m in meters:
            energies = np.concatenate(m.energies) if m.energies else np.zeros(0)
            if m.phase and energies.size:
                energies = energies.copy()
                energies[0] += tail
            whole.energies.append(energies)
            whole.samples += m.samples
            whole.square_sum += m.square_sum
            tail = float(m.carry.sum())
        return whole

    @classmethod
    def placed(cls, bins: np.ndarray, bin_samples: int, rest: tuple[int, float], offset: int,
               rate: int = RATE, square_sum: float = 0.0) -> LoudnessMeter:
        """The meter of audio fed at ``offset``, rebuilt from its K-weighted energies per
        ``bin_samples`` (``bins``, then ``rest``: the samples and energy of a last partial bin).

        A part measured once (a cached MP3 stream) then joins a program
        wherever it lands, without being decoded and filtered again; the
        result equals feeding it there, up to float rounding. The 100 ms grid
        must fall on bin edges: ``offset`` and 100 ms are multiples of a bin.
        """
        m = cls(rate, offset)
        per, (rest_n, rest_energy) = m.sub // bin_samples, rest
        if m.sub % bin_samples or m.phase % bin_samples:
            raise ValueError(f"offset {offset} is off the {bin_samples}-sample bins")
        m.samples = len(bins) * bin_samples + rest_n
        m.square_sum = square_sum
        head = (m.sub - m.phase) // bin_samples if m.phase else 0
        if m.phase and len(bins) * bin_samples + rest_n < m.sub - m.phase:
            left = bins  # not even the first sub-block completes: all of it stays open
        else:
            if head:
                m.energies.append(np.array([float(bins[:head].sum())]))
            body = bins[head:]
            n = len(body) // per
            m.energies.append(body[: n * per].reshape(n, per).sum(axis=1, dtype=np.float64))
            left = body[n * per:]
        # The open sub-block as a stand-in of the right length and sum (joined() uses the sum).
        carry = np.zeros((m.phase if m.phase and left is bins else 0) + len(left) * bin_samples + rest_n)
        if carry.size:
            carry[-1] = float(left.sum()) + rest_energy
        m.carry = carry
        return m

    def warm_up(self, before: np.ndarray) -> None:
        """Run the filter over audio that precedes this meter's part, counting none of it."""
        from scipy.signal import lfilter

        if before.size:
            x = before.astype(np.float64)
            for k, (b, a) in enumerate(self.stages):
                x, self.states[k] = lfilter(b, a, x, zi=self.states[k])

    def feed(self, block: np.ndarray) -> None:
        from scipy.signal import lfilter

        x = block.astype(np.float64)
        self.samples += len(x)
        if self.samples <= 0.45 * self.rate:  # only clips this short use the RMS estimate
            self.square_sum += float(np.dot(x, x))
        for k, (b, a) in enumerate(self.stages):
            x, self.states[k] = lfilter(b, a, x, zi=self.states[k])
        np.square(x, out=x)
        start = 0
        if self.carry.size:  # finish the sub-block the previous block left open
            start = min(len(x), self.sub - len(self.carry))
            self.carry = np.concatenate([self.carry, x[:start]])
            if len(self.carry) < self.sub:
                return
            self.energies.append(np.array([self.carry.sum()]))
        n = (len(x) - start) // self.sub
        self.energies.append(x[start: start + n * self.sub].reshape(n, self.sub).sum(axis=1))
        self.carry = x[start + n * self.sub:].copy()

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


def loudness(audio: np.ndarray, rate: int = RATE, block: int = 1 << 18) -> float:
    """Integrated loudness (ITU-R BS.1770-4) in LUFS; RMS-based for very short clips.

    One pass in cache-sized blocks: on this memory-bound work, threads
    measured slower than a single pass.
    """
    meter = LoudnessMeter(rate)
    for start in range(0, len(audio), block):
        meter.feed(audio[start: start + block])
    return meter.lufs()


def gain_to(audio: np.ndarray, current_lufs: float, target_lufs: float) -> np.ndarray:
    if current_lufs <= -100:
        return audio
    return (audio * np.float32(10 ** ((target_lufs - current_lufs) / 20))).astype(np.float32)


def threads() -> int:
    """Threads for block-parallel DSP: soxr, numpy, scipy and LAME release the GIL."""
    return max(1, min(8, os.cpu_count() or 1))


T = TypeVar("T")


def each_block(fn: Callable[[int], T], length: int, block: int) -> list[T]:
    """``fn(start)`` for every block start, on all cores; results in block order."""
    starts = range(0, length, block)
    if len(starts) <= 1 or threads() == 1:
        return [fn(s) for s in starts]
    with ThreadPoolExecutor(threads()) as pool:
        return list(pool.map(fn, starts))


def _oversampled_block(audio: np.ndarray, start: int, block: int, oversample: int) -> np.ndarray:
    """Per-sample max of the oversampled magnitude for ``audio[start:start+block]``.

    soxr's band-limited upsampling reconstructs the inter-sample peaks
    BS.1770 asks for; blocks (with overlap) keep memory flat on long episodes.
    """
    pad = 256
    lo = max(0, start - pad)
    stop = min(len(audio), start + block)
    seg = audio[lo: stop + pad].astype(np.float32, copy=False)
    up = np.abs(soxr.resample(seg, RATE, RATE * oversample, quality="HQ"))
    whole = (len(up) // oversample) * oversample
    per = up[0:whole:oversample].copy()  # strided maxima: far faster than max(axis=1)
    for k in range(1, oversample):
        np.maximum(per, up[k:whole:oversample], out=per)
    per = np.concatenate([per, np.zeros(max(0, len(seg) - len(per)), np.float32)])
    return per[start - lo: start - lo + stop - start]


def oversampled_peak(audio: np.ndarray, oversample: int = 4) -> float:
    """Largest magnitude of ``audio`` 4x oversampled (linear), in one block.

    Only the maximum is needed here, not a per-sample envelope: the
    upsampled block's max and min are two passes, half the work of the envelope.
    """
    if audio.size == 0:
        return 0.0
    up = soxr.resample(audio.astype(np.float32, copy=False), RATE, RATE * oversample, quality="HQ")
    return max(float(up.max()), -float(up.min()), float(np.max(np.abs(audio))))


def true_peak(audio: np.ndarray, oversample: int = 4, block: int = 1 << 20) -> float:
    """True peak in dBTP (4x oversampled, BS.1770-4)."""
    if audio.size == 0:
        return -120.0

    def one(start: int) -> float:  # blocks overlap by 256 samples: peaks at the seams are seen whole
        return oversampled_peak(audio[max(0, start - 256): start + block + 256], oversample)

    peak = max(each_block(one, len(audio), block))
    return 20 * np.log10(peak) if peak > 0 else -120.0


def peak_envelope(audio: np.ndarray, oversample: int = 4, block: int = 1 << 20,
                  dtype: type = np.float32) -> np.ndarray:
    """Per-sample magnitude including inter-sample peaks (``float16`` halves its memory)."""
    env: np.ndarray = np.empty(len(audio), dtype)

    def one(start: int) -> None:
        per = _oversampled_block(audio, start, block, oversample)
        stop = start + len(per)
        env[start:stop] = np.maximum(np.abs(audio[start:stop]), per)

    each_block(one, len(audio), block)
    return env


@dataclass
class Limiter:
    """``gain`` and a look-ahead peak limiter against the 4x-oversampled envelope, block by block.

    The gain curve is a running minimum of the needed gain followed by a
    box average, which never lets a peak through and never steps the gain
    (no distortion clicks); a short release keeps it transparent on speech.
    Any block can be computed on its own (it reads a margin around itself),
    so blocks run in parallel, or straight into an encoder, in flat memory.
    ``envelope`` is that of ``audio`` before ``gain``.
    """

    audio: np.ndarray
    envelope: np.ndarray
    ceiling_db: float
    gain: float = 1.0
    rate: int = RATE
    lookahead_s: float = 0.003
    release_s: float = 0.06

    def block(self, start: int, stop: int) -> np.ndarray:
        """The limited audio of ``[start, stop)`` (float32, not clipped)."""
        from scipy.ndimage import minimum_filter1d, uniform_filter1d

        ceiling = 10 ** (self.ceiling_db / 20)
        look = max(1, int(self.lookahead_s * self.rate))
        rel = max(look, int(self.release_s * self.rate))
        margin = 2 * rel + 2 * look
        g = np.float32(self.gain)
        lo, hi = max(0, start - margin), min(len(self.audio), stop + margin)
        need = np.minimum(1.0, ceiling / np.maximum(self.envelope[lo:hi] * g, 1e-9)).astype(np.float32)
        if float(need.min()) >= 1.0:
            return self.audio[start:stop] * g
        curve = uniform_filter1d(minimum_filter1d(need, size=2 * rel + 1), size=rel)
        curve = np.minimum(curve, minimum_filter1d(need, size=2 * look + 1))
        return self.audio[start:stop] * g * curve[start - lo: start - lo + stop - start]

    def loudness(self, block: int = 1 << 18) -> float:
        """Integrated loudness of the limited audio, measured in one part per core, no full copy.

        Parts start on the 100 ms grid and warm their filter up on the 0.5 s
        of limited audio before them, so the result is that of one pass.
        """
        n, rate = len(self.audio), self.rate
        parts = threads() if n >= 20 * rate else 1
        sub = round(0.1 * rate)
        edges = [round(n * i / parts / sub) * sub for i in range(parts)] + [n]

        def measure(i: int) -> LoudnessMeter:
            meter = LoudnessMeter(rate)
            a, b = edges[i], edges[i + 1]
            if a:
                meter.warm_up(self.block(max(0, a - rate // 2), a))
            for start in range(a, b, block):
                meter.feed(self.block(start, min(b, start + block)))
            return meter

        if parts == 1:
            return measure(0).lufs()
        with ThreadPoolExecutor(parts) as pool:
            return LoudnessMeter.joined(list(pool.map(measure, range(parts)))).lufs()


def limit(audio: np.ndarray, ceiling_db: float, rate: int = RATE,
          envelope: np.ndarray | None = None, gain: float = 1.0,
          block: int = 1 << 19, out: np.ndarray | None = None) -> np.ndarray:
    """The whole of ``audio`` through a :class:`Limiter`, block-parallel, into ``out``."""
    limiter = Limiter(audio, peak_envelope(audio) if envelope is None else envelope, ceiling_db, gain, rate)
    out = np.empty(len(audio), np.float32) if out is None else out

    def one(start: int) -> None:
        stop = min(len(audio), start + block)
        out[start:stop] = limiter.block(start, stop)

    each_block(one, len(audio), block)
    return out
