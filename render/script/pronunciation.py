"""The producer's pronunciation notes, read from an outline or a script.

The show's outlines carry their own list, for the episode they belong to::

    ## Pronunciation Notes
    - DuckDB: "duck D B"
    - NVMe: "N V M E" (spell out)
    - Leis: "LICE" (rhymes with rice)
    - Tehran: "teh-RAN" or "TEH-ran"

Each bullet becomes a lexicon entry for that episode only (:func:`read_notes`): the first
quoted respelling wins; ``(spell out)`` means the word's letters. Capitals that mark
stress in a respelling ("LICE", "teh-RAN") are lowered, because the engines' phonemizer
reads a capitalized word as letters; single capital letters ("D B") stay letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from render.script.parse import read_text

_SECTION = re.compile(r"^(#{1,6})\s+(?:pronunciations?|how to say it)(?:\s+(?:notes|guide|key))?\s*:?\s*$", re.I)
_HEADING = re.compile(r"^(#{1,6})\s")
_BULLET = re.compile(r"^[-*+]\s+\**(?P<word>[^:*\"“”=]+?)\**\s*"
                     r"(?::|–|—|->|→|=|\s-\s|\s+(?:is\s+)?(?:said|pronounced)(?:\s+as|\s+like)?\s)\s*(?P<rest>.+)$")
_PAREN = re.compile(r"^[-*+]\s+\**(?P<word>[^:*\"“”=()]+?)\**\s+\((?P<rest>[^()]+)\)\s*$")  # "- Milvus (MIL-vus)"
_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
_SPELL = re.compile(r"spell(?:ed)?[\s-]*out|letter[\s-]+by[\s-]+letter|\bspelled\b", re.I)


@dataclass(frozen=True)
class Note:
    """One pronunciation note: the word as written, how to say it, where it was read."""

    word: str
    say: str
    source: str  # "NAME.outline.md:12"


def _respelling(word: str, rest: str) -> str | None:
    if _SPELL.search(rest):
        return "-".join(word.replace(" ", "").upper())
    quoted = _QUOTED.findall(rest)
    said = quoted[0] if quoted else re.split(r"\s*[(;]|\s+or\s+", rest, maxsplit=1)[0]
    said = said.strip().strip(".,")
    if not said:
        return None
    return " ".join(w if len(w) == 1 else re.sub(r"[A-Z]{2,}", lambda m: m[0].lower(), w) for w in said.split())


def read_notes(text: str, name: str) -> list[Note]:
    """The notes in every ``## Pronunciation Notes`` (``## Pronunciation``, ``## Pronunciations``,
    ``## Pronunciation Guide``) section of ``text``: "- Word: "say"", "- Word — say", "- Word =
    say", "- Word is said "say"", "- Word (SAY)"."""
    notes: list[Note] = []
    level = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if m := _SECTION.match(line):
            level = len(m.group(1))
            continue
        if level and (h := _HEADING.match(line)) and len(h.group(1)) <= level:
            level = 0
        if level and (b := _BULLET.match(line) or _PAREN.match(line)):
            word = b["word"].strip().strip("`")
            said = _respelling(word, b["rest"])
            if word and said and said != word:
                notes.append(Note(word, said, f"{name}:{lineno}"))
    return notes


def episode_notes(script_text: str, script: Path, outline: Path | None) -> list[Note]:
    """The notes of an episode: its outline's, then its script's (a later note of the same
    word wins)."""
    notes = read_notes(read_text(outline), outline.name) if outline is not None else []
    return notes + read_notes(script_text, script.name)
