"""Find an episode's files from whatever the user typed, and its target length.

Users type ``00035``, ``35``, a slug or a path; batch jobs pass paths. All of
them resolve to the same :class:`EpisodeFiles` so the rest of the pipeline
never guesses.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from render.errors import RenderError
from render.report import Target
from render.script.parse import read_text, split_front_matter

_NUMBERED = re.compile(r"^(\d{1,5})-")


@dataclass(frozen=True)
class EpisodeFiles:
    """The files of one episode: its id (``00035``), slug, script and outline."""

    id: str
    slug: str
    script: Path
    outline: Path | None


SCRIPT_SUFFIXES = {".md", ".mdx", ".txt"}  # a .txt script is a narrator lesson (render.script.parse.narration)


def _scripts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix in SCRIPT_SUFFIXES and ".outline." not in p.name and not p.name.startswith("."))


def outline_candidates(script: Path) -> list[Path]:
    """Where a script's outline may be, in order of preference."""
    return [script.with_name(script.stem + ".outline" + ext) for ext in (".md", ".mdx")]


def _outline_for(script: Path) -> Path | None:
    return next((cand for cand in outline_candidates(script) if cand.exists()), None)


def _files(script: Path) -> EpisodeFiles:
    slug = script.stem
    m = _NUMBERED.match(slug)
    ep_id = m.group(1).zfill(5) if m else slug
    return EpisodeFiles(ep_id, slug, script, _outline_for(script))


def find_episode(ref: str, transcripts: Path) -> EpisodeFiles:
    """Resolve ``ref`` (number, slug or path) to one episode, or explain why not."""
    path = Path(ref)
    if path.suffix in SCRIPT_SUFFIXES or path.is_file():
        if not path.is_file():
            raise RenderError("script file not found", path)
        return _files(path)
    if not transcripts.is_dir():
        raise RenderError("transcripts folder not found", transcripts,
                          hint="run from the repository root or pass --transcripts DIR")
    scripts = _scripts(transcripts)
    if ref.isdigit():
        want = ref.zfill(5)
        matches = [p for p in scripts if (m := _NUMBERED.match(p.name))
                   and m.group(1).zfill(5) == want]
    else:
        matches = [p for p in scripts if p.stem == ref or p.stem.split("-", 1)[-1] == ref]
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches)
        raise RenderError(f"episode '{ref}' matches {len(matches)} scripts: {names}",
                          transcripts, hint="rename or remove one, or pass the file path")
    if not matches:
        close = difflib.get_close_matches(ref, [p.stem for p in scripts], n=3, cutoff=0.3)
        hint = ("did you mean " + ", ".join(close) + "?") if close else (
            "scripts are named NNNNN-slug.md in " + str(transcripts))
        raise RenderError(f"no episode matches '{ref}'", transcripts, hint=hint)
    return _files(matches[0])


def list_episodes(transcripts: Path) -> list[EpisodeFiles]:
    """Every episode script in a folder, in name order."""
    return [_files(p) for p in _scripts(transcripts)]


_UNIT = r"(min|minutes?|mins?|m|hours?|hrs?|h|s|sec|seconds?)"
_NUM = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(rf"{_NUM}\s*{_UNIT}?\s*(?:-|–|—|to|and)\s*{_NUM}\s*{_UNIT}?\b", re.I)
_SINGLE = re.compile(rf"{_NUM}\s*{_UNIT}?\b", re.I)
_COMPOUND = re.compile(rf"{_NUM}\s*(h|hrs?|hours?)\s*,?\s*(?:and\s+)?{_NUM}\s*(m|mins?|minutes?)\b", re.I)
_PLUS_MINUS = re.compile(rf"{_NUM}\s*{_UNIT}?\s*\(?\s*(?:±|\+/-|\+-|plus or minus)\s*{_NUM}\s*{_UNIT}?", re.I)
_AT_MOST = re.compile(r"\b(?:under|below|at most|max(?:imum)?|up to|no more than|less than)\b|\bmax\b", re.I)
_AT_LEAST = re.compile(r"\b(?:at least|over|more than|minimum)\b|\d\s*\+(?!/)", re.I)  # "min" is minutes
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_NUMBER_WORDS = {w: i for i, w in enumerate(_ONES)} | {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                                                       "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?:[- ]("
                          + "|".join(w for w in _NUMBER_WORDS if _NUMBER_WORDS[w] < 10) + r"))?\b", re.I)


def _in_digits(text: str) -> str:
    """Lengths written in words as digits: "twenty-five minutes", "half an hour", "an hour and
    a half", "20ish minutes"."""
    text = re.sub(r"\b(?:half an hour|a half hour|half-hour)\b", "30 minutes", text, flags=re.I)
    text = re.sub(r"\b(?:an|one) hour and a half\b", "90 minutes", text, flags=re.I)
    text = re.sub(r"\b(?:an|a single) hour\b", "1 hour", text, flags=re.I)
    text = _WORD_NUMBER.sub(lambda m: str(_NUMBER_WORDS[m[1].lower()] + (_NUMBER_WORDS[m[2].lower()] if m[2] else 0)),
                            text)
    return re.sub(r"(?<=\d)\s*-?ish\b", "", text, flags=re.I)


_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2}):([0-5]\d)(?::([0-5]\d))?(?![\d:])")


def _unit_seconds(unit: str | None) -> float:
    u = (unit or "min").lower()
    if u.startswith("h"):
        return 3600.0
    if u.startswith("s"):
        return 1.0
    return 60.0


def parse_length(value: str) -> tuple[float, float] | None:
    """A target window in seconds from how outlines write it: ``22-25 minutes`` → (1320, 1500),
    ``between 20 and 25 minutes``, ``1h 10m``, ``20 minutes (±2)``, ``twenty minutes``; one
    length alone is ±5 % around it, "under 15 minutes" the 15 % below it, "at least 20
    minutes" (``20+``) the 15 % above."""
    text = _in_digits(str(value))
    if m := _CLOCK.search(text):  # "20:00", "1:05:00"
        h, mi, sec = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m.group(3) else (
            0, int(m.group(1)), int(m.group(2)))
        return _around(h * 3600 + mi * 60 + sec, text)
    if m := _COMPOUND.search(text):
        return _around(float(m[1]) * 3600 + float(m[3]) * 60, text)
    if m := _PLUS_MINUS.search(text):
        k = _unit_seconds(m[2] or m[4])
        mid, d = float(m[1]) * k, float(m[3]) * _unit_seconds(m[4] or m[2])
        return mid - d, mid + d
    if m := _RANGE.search(text):
        lo, hi = sorted((float(m[1]) * _unit_seconds(m[2] or m[4]), float(m[3]) * _unit_seconds(m[4] or m[2])))
        return lo, hi
    if m := _SINGLE.search(text):
        return _around(float(m[1]) * _unit_seconds(m[2]), text)
    return None


def _around(seconds: float, text: str) -> tuple[float, float]:
    if _AT_MOST.search(text):
        return seconds * 0.85, seconds
    if _AT_LEAST.search(text):
        return seconds, seconds * 1.15
    return seconds * 0.95, seconds * 1.05


_FRONT_KEYS = ("target_length", "target-length", "target", "target_duration", "target-duration")
# The producer's outlines say "**Target Length**: 22-25 minutes", "**Target Duration**: 25-30
# minutes" or "**Duration Target**: 14-16 minutes (technical deep-dive)".
# Other outlines write "Target: ~20 min", "**Length:** 25-30 minutes", "Runtime: 18 minutes",
# "Estimated length: 12 minutes" or "Duration: 20:00": in an outline, each is the target.
_OUTLINE_LINE = re.compile(r"^\W*(?:(?:target|estimated|est\.?|expected|planned|approx\.?|approximate)\s+)?"
                           r"(?:length|duration|runtime|run\s*time|target)(?:\s+target)?\W*:\**\s*(.+)$"
                           r"|^\W*(?:target\s+(?:length|duration)|(?:duration|length)\s+target)\W*:?\**\s*(.+)$",
                           re.I)
_TIMED = re.compile(r"\d\s*(?:min|minutes?|mins?|m\b|hours?|hrs?|h\b|s\b|sec|seconds?)|\d:[0-5]\d", re.I)
# Scripts carry their own "**Duration:** 19 minutes" (or "Length", "Runtime") line.
# the parts of a header line, "Episode 106 · Target length: 16 minutes", and its sentences
_PIECES = re.compile(r"\s+[·•|—]\s+|(?<=[a-z0-9)][.!])\s+(?=[A-Z])")
_TURN_LIKE = re.compile(r"^\W*(?:\*\*|__)?[A-Z][\w .&'-]{0,30}(?:\*\*|__)?\s*:(?:\*\*|__)?\s+\S")
_SCRIPT_LINE = re.compile(r"^\W*(?:duration|length|runtime)\W*:?\**\s*((?:about |around |roughly |~)?\d.+|"
                          r"(?:about |around |~)?[a-z-]+ minutes.*)$", re.I)


def find_target(episode: EpisodeFiles, front: dict[str, object] | None = None,
                script_text: str | None = None) -> Target | None:
    """Target window from the script's front matter, else the outline's target line, else the
    script's own duration line (a single number means ±5 %), else None. ``source`` names the
    file and line it came from.

    Pass ``front`` and ``script_text`` when the script is already read, so it is not read again.
    """
    text = read_text(episode.script) if script_text is None else script_text
    if front is None:
        front, _ = split_front_matter(text.splitlines(), episode.script)
    for key in _FRONT_KEYS:
        if key in front and (win := parse_length(str(front[key]))):
            return Target(win[0], win[1], f"{episode.script.name} front matter '{key}'")
    if episode.outline is not None:
        for i, line in enumerate(read_text(episode.outline).splitlines(), 1):
            m = _OUTLINE_LINE.match(line.strip())
            if m and m.group(1) and not _TIMED.search(_in_digits(m.group(1))):
                continue  # "Length: 3 segments": the loose forms need a unit of time or a clock
            if m and (win := parse_length(m.group(1) or m.group(2))):
                return Target(win[0], win[1], f"{episode.outline.name}:{i}")
    header = True  # the lines before the first turn, where a line of several parts is read
    for i, line in enumerate(text.splitlines(), 1):
        header = header and not _TURN_LIKE.match(line)
        pieces = _PIECES.split(line.strip()) if header else [line.strip()]
        for piece in pieces:  # "Episode 106 · Target length: 16 minutes", "> Episode 107. Runtime about 10 minutes."
            m = _SCRIPT_LINE.match(piece) or _OUTLINE_LINE.match(piece)
            said = m and next((g for g in m.groups() if g), None)
            if said and _TIMED.search(_in_digits(said)) and (win := parse_length(said)):
                return Target(win[0], win[1], f"{episode.script.name}:{i}")
    return None
