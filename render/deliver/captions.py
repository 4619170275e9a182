"""Captions and transcripts timed to the audio: WebVTT, SRT and Podcasting 2.0 JSON.

Cues come from the sentence spans that assembly recorded, so they are exact
to the sample; a long sentence is split at clause marks and its time shared
by character count. Caption text is the script's written text.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

from render.audio.assemble import TurnSpan
from render.script.parse import Turn

MAX_CUE_S = 7.0
LINE_CHARS = 42
MAX_LINES = 2


@dataclass
class Cue:
    start_s: float
    end_s: float
    speaker: str
    text: str


def _pack(items: list[str], width: int) -> list[str]:
    """Greedily join items with spaces into runs of at most ``width`` characters."""
    runs: list[str] = []
    cur = ""
    for item in items:
        if cur and len(cur) + 1 + len(item) > width:
            runs.append(cur)
            cur = item
        else:
            cur = f"{cur} {item}".strip()
    if cur:
        runs.append(cur)
    return runs


def _wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    return _pack(text.split(), width)


def _pieces(text: str, seconds: float) -> list[str]:
    """Split a sentence into cue-sized pieces: at clauses first, then at words."""
    limit = LINE_CHARS * MAX_LINES
    if len(text) <= limit and seconds <= MAX_CUE_S:
        return [text]
    clauses = re.split(r"(?<=[,;:—])\s+", text)
    n_time = max(1, int(seconds // MAX_CUE_S) + (1 if seconds % MAX_CUE_S else 0))
    target = min(limit, max(20, len(text) // n_time + 1))
    pieces = _pack(clauses, target)
    out: list[str] = []
    for p in pieces:  # a clause longer than two lines: cut on words into balanced chunks
        n = -(-len(p) // (limit - 6))
        if n <= 1 and len(_wrap(p)) <= MAX_LINES:
            out.append(p)
            continue
        n = max(n, 2)
        words = p.split()
        size = len(p) / n
        chunk: list[str] = []
        for w in words:
            chunk.append(w)
            if len(" ".join(chunk)) >= size and len(out) < 10_000:
                out.append(" ".join(chunk))
                chunk = []
        if chunk:
            out.append(" ".join(chunk))
    return out


def build_cues(turns: list[Turn], spans: list[TurnSpan], offset_s: float = 0.0) -> list[Cue]:
    """One or more cues per sentence, inside its turn's span, ordered, never overlapping."""
    by_index = {s.index: s for s in spans}
    cues: list[Cue] = []
    for t in turns:
        span = by_index[t.index]
        for (written, _), (a, b) in zip(t.sentences, span.sentences, strict=True):
            pieces = _pieces(written, b - a)
            total = sum(len(p) for p in pieces) or 1
            pos = a
            for p in pieces:
                end = pos + (b - a) * len(p) / total
                cues.append(Cue(round(pos + offset_s, 3), round(end + offset_s, 3), t.speaker, p))
                pos = end
    for prev, cur in itertools.pairwise(cues):  # rounding must never overlap
        cur.start_s = max(cur.start_s, prev.end_s)
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: list[Cue]) -> str:
    out = ["WEBVTT", ""]
    for i, c in enumerate(cues, 1):
        out += [str(i), f"{_stamp(c.start_s, '.')} --> {_stamp(c.end_s, '.')}",
                f"<v {c.speaker}>" + "\n".join(_escape(line) for line in _wrap(c.text)), ""]
    return "\n".join(out)


def to_srt(cues: list[Cue]) -> str:
    out = []
    for i, c in enumerate(cues, 1):
        out += [str(i), f"{_stamp(c.start_s, ',')} --> {_stamp(c.end_s, ',')}",
                "\n".join(_wrap(c.text)), ""]
    return "\n".join(out)


def to_transcript_json(cues: list[Cue]) -> str:
    """Podcasting 2.0 JSON transcript (podcast:transcript, type application/json)."""
    return json.dumps({"version": "1.0.0", "segments": [
        {"speaker": c.speaker, "startTime": c.start_s, "endTime": c.end_s, "body": c.text}
        for c in cues]}, indent=2, ensure_ascii=False) + "\n"
