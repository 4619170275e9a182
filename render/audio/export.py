"""Write deliverables atomically: a finished file or the previous one, never half of one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from render.audio.dsp import RATE
from render.audio.measure import FileMeasure, measure_file
from render.audio.mp3 import StreamStore, encode_mp3_measured
from render.files import atomic_path


def write_audio(audio: np.ndarray, path: Path, fmt: str, rate: int = RATE,
                finish: Callable[[Path], None] | None = None,
                read: Callable[[int, int], np.ndarray] | None = None,
                store: StreamStore | None = None) -> FileMeasure:
    """Write MP3 (128 kbps CBR, LAME, no ffmpeg) or 16-bit WAV; return the decoded file's measures.

    ``finish`` runs on the complete temp file (tags, chapters) before the rename.
    ``read(a, b)``, when given, supplies the samples of ``audio``'s ``[a, b)`` block by block
    (a mastering limiter, so nothing is mastered ahead into a copy); either way the
    writer clips to ±1.
    An MP3 is measured by decoding the very streams written to it, in
    parallel, as soon as each is encoded (streams found in ``store`` are
    reused with their measures); a WAV is read back from disk.
    """
    measured = None
    with atomic_path(path) as tmp:
        if fmt == "mp3":
            data, measured = encode_mp3_measured(audio, rate, read=read, store=store)
            tmp.write_bytes(data)
            del data
        else:
            source = read or (lambda a, b: audio[a:b])
            with sf.SoundFile(tmp, "w", rate, 1, format="WAV", subtype="PCM_16") as f:
                for a in range(0, len(audio), 1 << 18):
                    f.write(np.clip(source(a, min(len(audio), a + (1 << 18))), -1.0, 1.0))
        if finish is not None:
            finish(tmp)
    return measured if measured is not None else measure_file(path)
