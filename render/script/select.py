"""Pick a slice of an episode for a preview: an exchange, a turn range, or a phrase."""

from __future__ import annotations

import re
from pathlib import Path

from render.errors import RenderError
from render.script.parse import Turn, parse_file


def exchange(turns: list[Turn], n: int) -> list[Turn]:
    """The n-th back-and-forth (1-based): a turn and the reply that follows it."""
    if n < 1 or 2 * (n - 1) >= len(turns):
        raise RenderError(f"exchange {n} does not exist",
                          hint=f"this script has {max(1, (len(turns) + 1) // 2)} exchanges")
    return turns[2 * (n - 1): 2 * n]


def turn_range(turns: list[Turn], spec: str) -> list[Turn]:
    """Turns by number as ``render script`` and ``render check`` show them (from 1): ``12-18`` or ``12``."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", spec)
    if not m:
        raise RenderError(f"--turns {spec!r} is not a range", hint="write e.g. --turns 12-18")
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if a > b or a < 1 or b > len(turns):
        raise RenderError(f"--turns {spec} is outside 1-{len(turns)}",
                          hint="turn numbers are those of 'render script EP' and 'render check EP'")
    return turns[a - 1: b]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def match(turns: list[Turn], phrase: str) -> list[Turn]:
    """The first turn containing ``phrase`` (case- and space-insensitive) and its neighbours."""
    want = _squash(phrase)
    for i, t in enumerate(turns):
        if want in _squash(t.text):
            return turns[max(0, i - 1): i + 2]
    raise RenderError(f"no turn contains {phrase!r}", hint="check the wording with 'render script EP'")


def outline_exchange(outline: Path | None, speakers: list[str], n: int) -> list[Turn]:
    """The n-th "Jordan/Alex Exchange" block of the outline: consecutive speaker bullets."""
    if outline is None:
        raise RenderError("this episode has no outline", hint="drop --outline")
    bullets = parse_file(outline, speakers, bullets_only=True).turns
    blocks: list[list[Turn]] = []
    for t in bullets:
        if blocks and t.line == blocks[-1][-1].line + 1:
            blocks[-1].append(t)
        else:
            blocks.append([t])
    if n < 1 or n > len(blocks):
        raise RenderError(f"outline exchange {n} does not exist", outline,
                          hint=f"the outline has {len(blocks)} exchanges")
    return [Turn(i, t.speaker, t.text, t.line) for i, t in enumerate(blocks[n - 1])]
