"""MP3 encoding: the episode as separately encoded LAME streams, cut in its pauses.

LAME is single-threaded, so the episode is cut into streams that encode on
all cores and concatenate into one valid file. Joined MP3 streams decode one
after another, so each stream starts exactly where a single stream would put
its first sample (LAME writes ``ceil((n + 1152) / 1152)`` frames for ``n``
samples): only a few milliseconds of digital silence become the codec's own.

The cuts are chosen by the audio itself: a stream starts one frame before
sound that follows a pause (a turn or a sentence), and which of those start
one is decided by the sound of their first second. An edit
therefore changes the stream that holds it and moves the others unchanged,
and a stream already encoded, with the same samples under the same gain, is
taken from the cache instead of encoded and decoded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from render.audio.dsp import RATE, threads
from render.audio.measure import MP3_FRAME, FileMeasure, StreamMeasure, combine, decode, measure_stream
from render.errors import RenderError
from render.files import KeyedStore

MP3_KBPS = 128
MP3_QUALITY = 5  # LAME's standard "good" setting; 3x faster than libsndfile's choice
STREAM_SPREAD = 6  # one start of sound in this many (chosen by its sound) starts a stream
LONG_STREAM_S = 270.0  # longer streams (audio without pauses) are encoded as computed, not kept
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)

Read = Callable[[int, int], np.ndarray]


def lame_frames(samples: int) -> int:
    """Frames LAME writes for ``samples`` input samples: its delay plus padding to a whole frame.

    Measured for lameenc's LAME; :func:`encode_mp3` checks it on every stream it joins.
    """
    return -(-(samples + MP3_FRAME) // MP3_FRAME)


def count_frames(data: bytes) -> int:
    """MPEG-1 Layer III frames in ``data``, walking the frame headers."""
    pos = frames = 0
    while pos + 4 <= len(data):
        header = int.from_bytes(data[pos: pos + 4], "big")
        if header >> 21 != 0x7FF:
            raise ValueError(f"no MP3 frame header at byte {pos}")
        bitrate = _BITRATES[(header >> 12) & 15] * 1000
        rate = _RATES[(header >> 10) & 3]
        pos += 144 * bitrate // rate + ((header >> 9) & 1)
        frames += 1
    return frames


def stream_bounds(audio: np.ndarray, rate: int = RATE) -> list[tuple[int, int]]:
    """Where to cut ``audio`` into separately encoded streams: ``[(start, stop), ...]``.

    A stream may start one frame before frame ``k`` when frame ``k`` holds
    sound and the three frames before it are digital silence: the previous
    stream then ends two frames before ``k`` and LAME's delay and padding
    fill the frame between, so the next stream's first sample lands exactly
    where one stream would put it. A stream starts at each such point whose
    first second of sound hashes to 0 mod :data:`STREAM_SPREAD`, and only
    there: each cut depends on the sound after it alone (no minimum or
    maximum length, which would make it depend on the cut before), so an edit
    can only add or remove cuts inside the edited turn (its start and its
    sentences' have new sound), and every other stream stays as it was. The starts are turns and sentences after a
    pause: assembly puts every turn on the frame grid, so an edit moves all
    that follows by whole frames. On 00035: 41 streams of 1–83 s.
    """
    f = MP3_FRAME
    n = len(audio) // f
    bounds: list[tuple[int, int]] = []
    start = 0
    if n > 3:
        loud = np.any(audio[: n * f].reshape(n, f) != 0, axis=1)
        quiet_before = ~(loud[:-3] | loud[1:-2] | loud[2:-1])
        for k in np.flatnonzero(loud[3:] & quiet_before) + 3:
            p = int(k) * f
            if p - 2 * f > start and zlib.crc32(audio[p: p + rate].tobytes()) % STREAM_SPREAD == 0:
                bounds.append((start, p - 2 * f))
                start = p - f
    bounds.append((start, len(audio)))
    return bounds


def _pcm(read: Read, start: int, stop: int, block: int = 1 << 18) -> list[bytes]:
    """What LAME is given: 16-bit samples of ``read`` over ``[start, stop)``, in blocks."""
    return [np.round(np.clip(read(a, min(stop, a + block)), -1.0, 1.0) * 32767).astype("<i2").tobytes()
            for a in range(start, stop, block)]


def _lame(blocks: list[bytes] | Callable[[], list[bytes]], rate: int) -> bytes:
    """One complete 128 kbps CBR mono LAME stream (lameenc)."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(MP3_KBPS)
    enc.set_in_sample_rate(rate)
    enc.set_channels(1)
    enc.set_quality(MP3_QUALITY)
    out = bytearray()
    for pcm in blocks() if callable(blocks) else blocks:
        out += enc.encode(pcm)
    out += enc.flush()
    return bytes(out)


@lru_cache(maxsize=1)
def _lame_version() -> str:
    from importlib.metadata import version

    return version("lameenc")


@dataclass(frozen=True)
class StreamStore:
    """Encoded streams and their measures, keyed by exactly what LAME is given.

    Stored under the turn cache (``mp3/``), written atomically; an entry that
    cannot be read is encoded again.
    """

    root: Path

    @staticmethod
    def key(blocks: list[bytes], rate: int) -> str:
        h = hashlib.blake2b(f"mp3 v1 lameenc {_lame_version()} {MP3_KBPS} kbps q{MP3_QUALITY} {rate} Hz".encode(),
                            digest_size=20)
        for pcm in blocks:
            h.update(pcm)
        return h.hexdigest()

    @property
    def _store(self) -> KeyedStore:
        return KeyedStore(self.root, ".npz")

    def get(self, key: str) -> tuple[bytes, StreamMeasure] | None:
        data = self._store.read(key)
        if data is None:
            return None
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                meta = z["meta"]
                measure = StreamMeasure(int(meta[0]), int(meta[1]), float(meta[2]), int(meta[3]),
                                        z["bins"].astype(np.float64), (int(meta[4]), float(meta[5])),
                                        float(meta[6]))
                return z["mp3"].tobytes(), measure
        except (OSError, ValueError, KeyError, IndexError, EOFError, zlib.error, zipfile.BadZipFile):
            return None

    def put(self, key: str, data: bytes, m: StreamMeasure) -> None:
        buf = io.BytesIO()
        meta = np.array([m.rate, m.frames, m.peak, m.clipped, m.rest[0], m.rest[1], m.square_sum])
        np.savez(buf, mp3=np.frombuffer(data, np.uint8), bins=m.bins.astype(np.float32), meta=meta)
        with contextlib.suppress(RenderError):  # a cache that cannot be written costs speed, never the render
            self._store.write(key, buf.getvalue())


def _streams(audio: np.ndarray, rate: int, split: bool, read: Read | None,
             store: StreamStore | None) -> list[tuple[bytes, StreamMeasure, bool]]:
    """Encode and measure ``audio`` (or ``read``'s samples) as parallel streams, reusing stored ones.

    ``read(a, b)``, when given, supplies the samples to encode instead of
    ``audio`` (which then only says where the pauses are): a mastering
    limiter, so each stream masters its own range as it encodes it.
    Each stream comes with its measures and whether it was reused.
    """
    bounds = stream_bounds(audio, rate) if split else [(0, len(audio))]
    source = read or (lambda a, b: audio[a:b])

    def one(bound: tuple[int, int]) -> tuple[bytes, StreamMeasure, bool]:
        a, b = bound
        if store is None or b - a > LONG_STREAM_S * rate:  # long: encode as it is computed
            data = _lame(lambda: _pcm(source, a, b), rate)
            return data, measure_stream(io.BytesIO(data), "MP3"), False
        blocks = _pcm(source, a, b)
        key = store.key(blocks, rate)
        stored = store.get(key)
        if stored is not None and stored[1].rate == rate:
            return *stored, True
        data = _lame(blocks, rate)
        measured = measure_stream(io.BytesIO(data), "MP3")
        store.put(key, data, measured)
        return data, measured, False

    if len(bounds) == 1:
        return [one(bounds[0])]
    with ThreadPoolExecutor(min(threads(), len(bounds))) as pool:
        streams = list(pool.map(one, bounds))
    if any(count_frames(d) != lame_frames(b - a) for (d, *_), (a, b) in zip(streams[:-1], bounds[:-1], strict=True)):
        return [one((0, len(audio)))]  # a LAME that pads differently: one stream is always right
    return streams


def encode_mp3(audio: np.ndarray, rate: int = RATE, split: bool = True) -> bytes:
    """128 kbps CBR mono MP3, as streams cut at turn starts, encoded on all cores."""
    return b"".join(data for data, *_ in _streams(audio, rate, split, None, None))


def encode_mp3_measured(audio: np.ndarray, rate: int = RATE, split: bool = True, read: Read | None = None,
                        store: StreamStore | None = None) -> tuple[bytes, FileMeasure]:
    """:func:`encode_mp3` (of ``read``'s samples, if given) plus the measures of its decoded
    audio, taken stream by stream; streams in ``store`` are reused, new ones are added."""
    streams = _streams(audio, rate, split, read, store)
    offsets = np.cumsum([0] + [m.frames for _, m, _ in streams[:-1]]).tolist()
    measured = combine([(int(o), m) for o, (_, m, _) in zip(offsets, streams, strict=True)])
    measured.streams_reused = sum(reused for *_, reused in streams)
    measured.streams_encoded = len(streams) - measured.streams_reused
    return b"".join(d for d, _, _ in streams), measured


@lru_cache(maxsize=1)
def mp3_delay_s(rate: int = RATE) -> float:
    """How late audio starts in the decoded MP3 (encoder + decoder delay), probed once.

    Captions and chapters add it so they line up with what players play.
    """
    x = np.zeros(rate, np.float32)
    x[rate // 4: rate // 4 + 200] = np.hanning(200).astype(np.float32) * 0.8
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "delay.mp3"
        path.write_bytes(encode_mp3(x, rate))
        y, _ = decode(path)
    return (int(np.argmax(np.abs(y))) - int(np.argmax(np.abs(x)))) / rate


def round_trip(audio: np.ndarray) -> np.ndarray:
    """``audio`` as a listener gets it: encoded to MP3 and decoded (the codec's loudness loss)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.mp3"
        path.write_bytes(encode_mp3(audio))
        return decode(path)[0]
