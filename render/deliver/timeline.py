"""The stems as an editor opens them: an OpenTimelineIO timeline, its FCP 7 XML, Audacity labels.

One track per stem, each turn a clip named ``012 Jordan: first words…``
that points at its place in the stem file (stems are full length, so a
clip's source range is its place on the timeline); the chapters are
markers on the sequence and each turn the check flagged carries a red
marker. ``episode.otio`` counts in samples, so it is exact; FCP 7 XML
counts in frames (here 30 a second), so its clips start within half a
frame of the turns' samples, which is as close as the format goes. The
XML is written by OTIO's own adapter (``otio-fcp-adapter``) and opens in
DaVinci Resolve, Premiere Pro and Final Cut Pro 7 without plug-ins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from render.audio.stems import MUSIC, Mix, Stem
from render.files import write_text

OTIO = "episode.otio"
XML = "episode.xml"
LABELS = "labels.txt"
XML_FPS = 30
_FIRST_WORDS = 6


@dataclass(frozen=True)
class TurnText:
    """What a clip is named from."""

    number: int
    speaker: str
    line: int
    text: str


@dataclass(frozen=True)
class Marker:
    """A point in the episode worth a marker: a chapter, or a turn the check flagged."""

    title: str
    start: int  # samples, in the stems' (and the delivered file's) time
    turn: int | None = None  # a flag's turn


def clip_name(turn: TurnText) -> str:
    words = turn.text.split()
    first = " ".join(words[:_FIRST_WORDS]) + ("…" if len(words) > _FIRST_WORDS else "")
    return f"{turn.number:03d} {turn.speaker}: {first}"


def build(title: str, mix: Mix, stems: list[Stem], turns: dict[int, TurnText], chapters: list[Marker],
          flags: list[Marker], rate: float | None = None,
          url: Callable[[Stem], str] = lambda s: f"stems/{s.path.name}") -> otio.schema.Timeline:
    """The timeline at ``rate`` units a second (default: the audio's samples, exact)."""
    unit = float(rate or mix.rate)

    def at(sample: int) -> int:
        return sample if rate is None else round(sample * unit / mix.rate)

    def span(a: int, b: int) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(otio.opentime.RationalTime(a, unit), otio.opentime.RationalTime(b - a, unit))

    timeline = otio.schema.Timeline(name=title)
    timeline.global_start_time = otio.opentime.RationalTime(0, unit)
    flagged = {f.turn: f for f in flags}
    for stem in stems:
        track = otio.schema.Track(name=stem.track, kind=otio.schema.TrackKind.Audio)
        media = otio.schema.ExternalReference(target_url=url(stem), available_range=span(0, at(mix.samples)))
        placed: list[tuple[int, int, str, int | None]]
        if stem.track == MUSIC:
            placed = [(mix.offset, mix.offset + mix.music_samples, "intro music", None)]
        else:
            placed = [(mix.offset + t.start, mix.offset + t.start + t.length, clip_name(turns[t.turn]), t.turn)
                      for t in mix.turns if t.speaker == stem.track]
        cursor = 0
        for a, b, name, number in placed:
            start, stop = at(a), at(b)
            if start > cursor:
                track.append(otio.schema.Gap(source_range=span(0, start - cursor)))
            clip = otio.schema.Clip(name=name, media_reference=media, source_range=span(start, stop))
            if number is not None:
                clip.metadata["render"] = {"turn": number, "line": turns[number].line}
                if number in flagged:
                    clip.markers.append(otio.schema.Marker(
                        name=flagged[number].title, color=otio.schema.MarkerColor.RED,
                        marked_range=span(start, start)))
            track.append(clip)
            cursor = stop
        timeline.tracks.append(track)
    for chapter in chapters:
        timeline.tracks.markers.append(otio.schema.Marker(
            name=chapter.title, color=otio.schema.MarkerColor.GREEN, marked_range=span(at(chapter.start),
                                                                                      at(chapter.start))))
    timeline.metadata["render"] = {"stems_trim_db": mix.trim_db(), "master_gain_db": round(mix.gain_db, 3),
                                   "rate": mix.rate}
    return timeline


def labels(mix: Mix, turns: dict[int, TurnText], chapters: list[Marker], flags: list[Marker]) -> str:
    """Audacity's label format (File ▸ Import ▸ Labels): start, end and text, tab-separated,
    in seconds. Turns span their audio; chapters and flags are points."""
    rows: list[tuple[float, float, str]] = []
    for t in mix.turns:
        a = (mix.offset + t.start) / mix.rate
        rows.append((a, a + t.length / mix.rate, clip_name(turns[t.turn])))
    rows += [(c.start / mix.rate, c.start / mix.rate, f"chapter: {c.title}") for c in chapters]
    rows += [(f.start / mix.rate, f.start / mix.rate, f"check: {f.title}") for f in flags]
    rows.sort(key=lambda r: (r[0], r[1]))
    return "".join(f"{a:.6f}\t{b:.6f}\t{text}\n" for a, b, text in rows)


def write_timeline(folder: Path, title: str, mix: Mix, stems: list[Stem], turns: dict[int, TurnText],
                   chapters: list[Marker], flags: list[Marker]) -> list[Path]:
    """``episode.otio``, ``episode.xml`` and ``labels.txt`` in ``folder`` (the stems' folder)."""
    exact = build(title, mix, stems, turns, chapters, flags)
    framed = build(title, mix, stems, turns, chapters, flags, XML_FPS, url=lambda s: s.path.resolve().as_uri())
    files = {OTIO: otio.adapters.write_to_string(exact, "otio_json"),
             XML: otio.adapters.write_to_string(framed, "fcp_xml"),
             LABELS: labels(mix, turns, chapters, flags)}
    for name, text in files.items():
        write_text(text if text.endswith("\n") else text + "\n", folder / name)
    return [folder / name for name in files]
