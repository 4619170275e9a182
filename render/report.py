"""The episode report: ``report.json`` as a tree of typed dataclasses, with one load and one save.

A render builds a :class:`Report` and hands it in memory to the check, the
review page and the summary; the feed, the series table and ``render check``
load it from disk through :func:`load_report`. The JSON on disk keeps the
shape earlier versions wrote (``docs/reference.md`` is generated from these
classes, and a test keeps the two equal), and reports written by earlier
versions still load: a missing field takes its default, an unknown one is
ignored, and turn numbers counted from 0 (before ``turn_numbers``) are
shifted to count from 1.

Conversion is by type hints, in :func:`to_data` and :func:`from_data` (40
lines, kept here rather than taking a validation library as a dependency for
one file).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.files import write_text

TURN_NUMBERS = "from 1"
REPORT = "report.json"


@dataclass
class Target:
    """The length the outline or the front matter asks for."""

    min_s: float
    max_s: float
    source: str  # where it was read: "NAME.outline.md:6" or "NAME.md front matter 'target_length'"

    @property
    def minutes(self) -> str:
        """The window as a producer reads it: "22-25 min", "9.5-10.5 min" (a single "10
        minutes" is ±5 %, which whole minutes would show as "10-10")."""
        lo, hi = self.min_s / 60, self.max_s / 60
        whole = round(lo) != round(hi) and abs(lo - round(lo)) < 0.05 and abs(hi - round(hi)) < 0.05
        return f"{lo:.0f}-{hi:.0f} min" if whole else f"{lo:.1f}-{hi:.1f} min"


@dataclass
class SpeakerStats:
    """One host's share of the episode and the voice that spoke it."""

    turns: int = 0
    words: int = 0
    talk_s: float = 0.0
    voice: str = ""  # the voice file (or inline kokoro:NAME)
    engine: str = ""
    model_voice: str | None = None


@dataclass
class Loudness:
    """Measured on the decoded delivered file, against the mastering targets."""

    integrated_lufs: float
    true_peak_dbtp: float
    target_lufs: float = -16.0
    ceiling_dbtp: float = -1.0


@dataclass
class CacheStats:
    """Turns taken from the turn cache (hits) and synthesized (misses); ``reused_s``: the
    seconds of speech the hits hold (a resumed series says how much it did not redo; for an
    episode already up to date, its hosts' talk time)."""

    hits: int = 0
    misses: int = 0
    reused_s: float = 0.0


@dataclass
class Streams:
    """MP3 streams taken unchanged from the last render, and encoded anew."""

    reused: int = 0
    encoded: int = 0


@dataclass
class Intro:
    """The intro music."""

    end_s: float  # where the intro music ends in the file


@dataclass
class Meta:
    """What the tags, the page and the feed say about the episode."""

    series: str | None = None
    episode: int | None = None
    hosts: list[str] = field(default_factory=list)
    description: str | None = None
    date: str | None = None


@dataclass
class Master:
    """How the episode was mastered; the next render starts from it (audio.master.can_start_from)."""

    gain_db: float
    extra_headroom_db: float
    codec_offset_lu: float
    lufs: float
    true_peak_db: float
    fmt: str
    voice_levels: dict[str, float] = field(default_factory=dict)


@dataclass
class Sanity:
    """Audio checks run on every render; ``ok`` is false if the engine or the mix went wrong."""

    finite: bool = True
    clipped_samples: int = 0
    silent_turns: int = 0
    longest_gap_s: float = 0.0
    max_allowed_gap_s: float = 0.0
    ok: bool = True


@dataclass
class Envelope:
    """The episode's level every ``step_s`` seconds, 0–100, for the review page."""

    step_s: float = 0.5
    level: list[int] = field(default_factory=list)


@dataclass
class Chapter:
    """One chapter, as in ``chapters.json`` and the MP3's CHAP frames."""

    title: str
    start_s: float
    end_s: float
    first_turn: int  # number of the chapter's first turn, from 1


@dataclass
class Chapters:
    """The chapters and where they came from."""

    source: str = "none"  # "headings", "outline" or "none"
    entries: list[Chapter] = field(default_factory=list, metadata={"json": "list"})


@dataclass
class FileEntry:
    """A deliverable written by the render."""

    path: str
    bytes: int


@dataclass
class Mismatch:
    """One audible difference: what the script says there and what was heard."""

    expected: str
    heard: str
    kind: str  # "lexicon", "number" or "text"
    similarity: float = 0.0
    second: str | None = None  # what the second recognizer heard there, when asked
    entry: str | None = None  # the lexicon entry that says another word than the script's ('X = "y"')


@dataclass
class Flag:
    """A flagged turn of the check."""

    turn: int  # from 1
    speaker: str
    line: int
    expected: str
    heard: str
    errors: int
    mismatches: list[Mismatch] = field(default_factory=list)


@dataclass
class Check:
    """The proof-listening result (render.check)."""

    model: str
    wer: float
    by_speaker: dict[str, float] = field(default_factory=dict)
    turns: int = 0
    transcribed: int = 0
    cached: int = 0
    second_opinions: int = 0
    seconds: float = 0.0
    flagged: list[Flag] = field(default_factory=list)
    judged: int = 0  # the version of the check's comparison rules; a render judged by older rules is judged again


@dataclass
class Fit:
    """What ``--fit`` changed to land the episode in its target."""

    applied: bool
    reason: str = ""  # why nothing was applied
    rate: float = 1.0  # speaking rate, ±8 % at most
    pause_scale: float = 1.0  # conversational gaps scaled by this
    predicted_s: float = 0.0  # predicted length as the script stands
    predicted_after_s: float = 0.0  # predicted length with the changes
    reached: bool = False  # the prediction lands in the target


@dataclass
class Pronunciation:
    """A pronunciation note of the episode's outline or script, applied over the lexicon."""

    word: str
    say: str
    source: str  # file and line


@dataclass
class Report:
    """Everything a render measured and wrote: ``output/EP/report.json``."""

    episode: str
    title: str | None
    script: str  # paths are relative to the project root (or absolute outside it)
    audio: str
    format: str
    duration_s: float  # read back from the written file
    target: Target | None
    verdict: str  # short / within / long / no target
    gap_s: float
    gap_words: int  # how far off, in words at this cast's measured pace
    cast: str  # quality, or draft
    turns: int
    words: int
    speakers: dict[str, SpeakerStats]
    loudness: Loudness
    music: str | None  # the intro's file, "generated", or None
    intro: Intro | None
    cache: CacheStats
    mp3_streams: Streams
    timings: dict[str, float]  # seconds per stage
    render_key: str
    meta: Meta
    published: str  # the script's date, else the first render's day, kept across re-renders
    master: Master | None
    sanity: Sanity
    envelope: Envelope
    chapters: Chapters
    files: list[FileEntry]  # every deliverable written, with its size
    inputs: dict[str, str | None] = field(default_factory=dict)  # files read, sha256 (None: looked for, absent)
    notes: list[str] = field(default_factory=list, metadata={"omit_empty": True})  # who read a narration, …
    pronunciation: list[Pronunciation] = field(default_factory=list, metadata={"omit_empty": True})
    turn_numbers: str = TURN_NUMBERS  # every turn number in this file and turns.json counts from 1
    check: Check | None = field(default=None, metadata={"omit_none": True})
    fit: Fit | None = field(default=None, metadata={"omit_none": True})
    up_to_date: bool = field(default=False, metadata={"omit_false": True})  # nothing had changed


def _json_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("json", f.name))


def to_data(value: object) -> object:
    """A dataclass tree as JSON-ready data, fields in declaration order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if (item is None and f.metadata.get("omit_none")) or (item is False and f.metadata.get("omit_false")) \
                    or (item == [] and f.metadata.get("omit_empty")):
                continue
            out[_json_name(f)] = to_data(item)
        return out
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    return value


def from_data(hint: Any, data: object) -> Any:
    """``data`` (parsed JSON) as type ``hint``; raises ValueError where it does not fit."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if data is None else from_data(args[0], data)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(data, dict):
            raise ValueError(f"{hint.__name__}: expected an object, got {type(data).__name__}")
        hints = typing.get_type_hints(hint)
        kwargs = {f.name: from_data(hints[f.name], data[_json_name(f)])
                  for f in dataclasses.fields(hint) if _json_name(f) in data}
        try:
            return hint(**kwargs)
        except TypeError as exc:  # a required field missing
            raise ValueError(f"{hint.__name__}: {exc}") from exc
    if origin is list:
        if not isinstance(data, list):
            raise ValueError(f"expected a list, got {type(data).__name__}")
        return [from_data(typing.get_args(hint)[0], v) for v in data]
    if origin is dict:
        if not isinstance(data, dict):
            raise ValueError(f"expected an object, got {type(data).__name__}")
        return {str(k): from_data(typing.get_args(hint)[1], v) for k, v in data.items()}
    if hint is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if hint in (int, str, bool) and type(data) is hint:
        return data
    if hint is Any:
        return data
    raise ValueError(f"expected {getattr(hint, '__name__', hint)}, got {data!r:.40}")


def report_from_data(data: object) -> Report:
    """A report from parsed JSON, written by this version or an earlier one."""
    if isinstance(data, dict) and "turn_numbers" not in data:  # turns counted from 0 then
        data = dict(data)
        chapters = data.get("chapters")
        if isinstance(chapters, dict):
            data["chapters"] = {**chapters, "list": [
                {**c, "first_turn": c.get("first_turn", 0) + 1} if isinstance(c, dict) else c
                for c in chapters.get("list", [])]}
    report: Report = from_data(Report, data)
    return report


def load_report(path: Path) -> Report | None:
    """The report at ``path``, or None when there is none or it cannot be read as one."""
    try:
        return report_from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def report_json(report: Report) -> str:
    """The report as written to ``report.json``."""
    return json.dumps(to_data(report), indent=2, ensure_ascii=False) + "\n"


def save_report(report: Report, folder: Path) -> Path:
    """Write ``folder/report.json`` atomically."""
    path = folder / REPORT
    write_text(report_json(report), path)
    return path


def schema_markdown() -> str:
    """The report's schema as Markdown, one table per class, from the classes themselves
    (their docstrings, type hints and the comments beside each field): ``docs/reference.md``
    holds this text, and a test keeps the two equal. Regenerate with ``python -m render.report``."""
    import inspect
    import re

    classes = [Report, Pronunciation, Target, SpeakerStats, Loudness, CacheStats, Streams, Intro, Meta, Master, Sanity, Envelope,
               Chapters, Chapter, FileEntry, Check, Flag, Mismatch, Fit]
    out = []
    for cls in classes:
        notes = dict(re.findall(r"^\s+(\w+): [^#\n]*#\s*(.+)$", inspect.getsource(cls), re.M))
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        out += [f"### `{cls.__name__}`", "", doc, "", "| field | type | note |", "|---|---|---|"]
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            kind = re.sub(r"\b[\w.]+\.(?=[A-Z])", "", str(hints[f.name]).replace("<class '", "")
                          .replace("'>", "")).replace("|", "\\|")
            out.append(f"| `{_json_name(f)}` | `{kind}` | {notes.get(f.name, '')} |")
        out.append("")
    return "\n".join(out)


SCHEMA_BEGIN = "<!-- report schema: generated by python -m render.report; do not edit by hand -->\n"
SCHEMA_END = "<!-- end of the generated schema -->"


def write_schema(doc: Path) -> None:
    """Replace the generated part of ``doc`` (between the two markers) with :func:`schema_markdown`."""
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(SCHEMA_BEGIN, 1)
    write_text(head + SCHEMA_BEGIN + schema_markdown() + SCHEMA_END + rest.split(SCHEMA_END, 1)[1], doc)


if __name__ == "__main__":  # python -m render.report [docs/reference.md]: print, or update that file
    import sys

    if len(sys.argv) > 1:
        write_schema(Path(sys.argv[1]))
    else:
        print(schema_markdown(), end="")
