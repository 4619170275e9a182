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
from render.script.parse import read_text, split_front_matter

_NUMBERED = re.compile(r"^(\d{1,5})-")


@dataclass(frozen=True)
class EpisodeFiles:
    """The files of one episode: its id (``00035``), slug, script and outline."""

    id: str
    slug: str
    script: Path
    outline: Path | None


@dataclass(frozen=True)
class Target:
    """The target length window in seconds and where it came from."""

    min_s: float
    max_s: float
    source: str


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


_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*(min|minutes?|mins?|m|hours?|hrs?|h|s|sec|seconds?)?\b",
    re.I)
_SINGLE = re.compile(r"(\d+(?:\.\d+)?)\s*(min|minutes?|mins?|m|hours?|hrs?|h|s|sec|seconds?)?\b",
                     re.I)


_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2}):([0-5]\d)(?::([0-5]\d))?(?![\d:])")


def _unit_seconds(unit: str | None) -> float:
    u = (unit or "min").lower()
    if u.startswith("h"):
        return 3600.0
    if u.startswith("s"):
        return 1.0
    return 60.0


def parse_length(value: str) -> tuple[float, float] | None:
    """``22-25 minutes`` → (1320, 1500); ``20 minutes`` → ±5% around 1200."""
    text = str(value)
    if m := _CLOCK.search(text):  # "20:00", "1:05:00"
        h, mi, sec = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m.group(3) else (
            0, int(m.group(1)), int(m.group(2)))
        total = h * 3600 + mi * 60 + sec
        return total * 0.95, total * 1.05
    if m := _RANGE.search(text):
        k = _unit_seconds(m.group(3))
        lo, hi = sorted((float(m.group(1)) * k, float(m.group(2)) * k))
        return lo, hi
    if m := _SINGLE.search(text):
        s = float(m.group(1)) * _unit_seconds(m.group(2))
        return s * 0.95, s * 1.05
    return None


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
_SCRIPT_LINE = re.compile(r"^\W*(?:duration|length|runtime)\W*:?\**\s*(\d.+)$", re.I)


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
            if m and m.group(1) and not _TIMED.search(m.group(1)):
                continue  # "Length: 3 segments": the loose forms need a unit of time or a clock
            if m and (win := parse_length(m.group(1) or m.group(2))):
                return Target(win[0], win[1], f"{episode.outline.name}:{i}")
    for i, line in enumerate(text.splitlines(), 1):
        if (m := _SCRIPT_LINE.match(line.strip())) and (win := parse_length(m.group(1))):
            return Target(win[0], win[1], f"{episode.script.name}:{i}")
    return None
