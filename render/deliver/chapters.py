"""Chapters: from the script's headings, or by aligning the outline to the turns.

Most scripts have no section headings, but their outlines do, and the
outline's quotes and key points reappear, reworded, in the script. Each
outline section is scored against every turn with rapidfuzz, and a
dynamic programme picks the ordered, contiguous split of the turns that
agrees best with the outline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from render.audio.assemble import TurnSpan
from render.check.proofread import FUNCTION_WORDS
from render.script.markdown import strip_inline
from render.script.parse import Script, Turn, read_text

_HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*$")
# a section's planned length or time after its title: "(2-3 min)", "[2 min]", "(0:00-1:30)", "— 3 min", ", 4 min"
_CLOCK = r"~?\d{1,2}:\d{2}(?::\d{2})?"
_TIMING = rf"(?:[^)\]]*\b(?:min(?:utes?)?|mins|sec(?:onds?)?|s)\b[^)\]]*|{_CLOCK}(?:\s*[-–]\s*{_CLOCK})?)"
_DURATION = re.compile(rf"\s*(?:\({_TIMING}\)|\[{_TIMING}\]|(?:\s[-–—]|,)\s*~?\d+(?:[-–]\d+)?\s*(?:min(?:utes?)?|mins)\.?)"
                       r"\s*$", re.I)


@dataclass
class Chapter:
    title: str
    first_turn: int
    start_s: float = 0.0
    end_s: float = 0.0


@dataclass
class Section:
    title: str
    snippets: list[str]


def clean_title(text: str) -> str:
    """``ACT 0: SERIES INTRODUCTION (1 min)`` → ``Series Introduction``."""
    text = _DURATION.sub("", strip_inline(text)).strip()
    text = re.sub(r"^ACT\s+\d+\s*:\s*", "", text, flags=re.I)
    small = {"and", "or", "the", "of", "a", "to", "for", "in", "on"}
    words = []
    shouted = sum(w.isupper() for w in text.split()) * 2 > len(text.split())  # "SERIES INTRODUCTION", not "SRV"
    for i, w in enumerate(text.split()):
        if shouted and ((w.isupper() and len(w) > 3) or (w.isupper() and w.lower() in small)):
            w = w.lower() if (i and w.lower() in small) else w.capitalize()
        words.append(w)
    return " ".join(words)


# An outline's part that lists the episode's segments as bullets: "## Parts", "## Segments", …
_SEGMENTS = re.compile(r"^(?:parts|segments|chapters|sections|structure|outline|topics|agenda|rundown|run of show|"
                       r"episode (?:structure|outline|flow)|flow)\s*:?$", re.I)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+)$")


def _bullet_sections(lines: list[str], heads: list[tuple[int, int, str]]) -> list[Section]:
    """The bullets of a "## Parts" (or "Segments", "Chapters", "Agenda" …) list, each a
    section titled by its own words, which are also what the turns are aligned with."""
    for k, (i, level, text) in enumerate(heads):
        if level == 2 and _SEGMENTS.match(clean_title(text)):
            end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
            items = [strip_inline(m.group(1)).strip(' "') for ln in lines[i + 1:end] if (m := _BULLET.match(ln))
                     and not ln.startswith((" ", "\t"))]
            return [Section(clean_title(item), [_DURATION.sub("", item)]) for item in items if item]
    return []


def outline_sections(path: Path) -> list[Section]:
    """Leaf sections of the outline's main level-2 part (the one with most subsections), or
    the bullets of its segment list ("## Parts") when no part has subsections."""
    lines = read_text(path).splitlines()
    heads = [(i, len(m.group(1)), m.group(2)) for i, line in enumerate(lines)
             if (m := _HEADING.match(line.strip()))]
    parts: dict[int, list[tuple[int, int, str]]] = {}
    current = -1
    for i, level, text in heads:
        if level == 2:
            current = i
            parts[current] = []
        elif current >= 0:
            parts[current].append((i, level, text))
    if not any(parts.values()):
        return _bullet_sections(lines, heads)
    main = max(parts.values(), key=len)
    sections: list[Section] = []
    for k, (i, level, text) in enumerate(main):
        nxt = main[k + 1] if k + 1 < len(main) else None
        if nxt is not None and nxt[1] > level:
            continue  # has children: its children are the chapters
        end = nxt[0] if nxt else next((j for j, lv, _ in heads if j > i and lv <= 2), len(lines))
        body = [strip_inline(re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", ln)).strip(' "')
                for ln in lines[i + 1: end]]
        snippets = [b for b in body if len(b.split()) >= 4]
        sections.append(Section(clean_title(text), snippets))
    return [s for s in sections if s.snippets]


def _topic_words(text: str) -> set[str]:
    """A snippet's words that carry its topic, lower case, a plural's "s" dropped."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in FUNCTION_WORDS}


def _match(snippet: str, turn: str) -> float:
    """How much a turn says what a section's one snippet (a "## Parts" bullet) says: the
    share of its words the turn holds, which a fuzzy ratio of a few words against a
    paragraph cannot tell ("Replicas and managed services")."""
    words = _topic_words(snippet)
    return len(words & _topic_words(turn)) / len(words) if words else 0.0


def _scores(sections: list[Section], turns: list[Turn]) -> np.ndarray:
    scores = np.zeros((len(sections), len(turns)))
    for k, sec in enumerate(sections):
        for t, turn in enumerate(turns):
            scores[k, t] = (_match(sec.snippets[0], turn.text) if len(sec.snippets) == 1 else
                            max(fuzz.token_set_ratio(s, turn.text) for s in sec.snippets) / 100)
    # Centre each turn's column so a generally wordy turn doesn't pull every section, and
    # keep only clear matches: a turn the outline never mentions counts for no section.
    centred = scores - scores.mean(axis=0, keepdims=True)
    return np.maximum(0.0, centred - 0.05)


def align(sections: list[Section], turns: list[Turn]) -> list[int]:
    """First turn of each section: ordered, every section non-empty, best total agreement."""
    k_n, t_n = len(sections), len(turns)
    if k_n == 0 or t_n == 0:
        return []
    k_n = min(k_n, t_n)
    s = _scores(sections[:k_n], turns)
    pre = np.concatenate([np.zeros((k_n, 1)), np.cumsum(s, axis=1)], axis=1)
    neg = -1e18
    best = np.full((k_n + 1, t_n + 1), neg)
    back = np.zeros((k_n + 1, t_n + 1), dtype=int)
    best[0, 0] = 0.0
    for k in range(1, k_n + 1):
        for end in range(k, t_n - (k_n - k) + 1):
            starts = np.arange(k - 1, end)
            vals = best[k - 1, starts] + (pre[k - 1, end] - pre[k - 1, starts])
            j = len(vals) - 1 - int(np.argmax(vals[::-1]))  # ties: start as late as possible
            best[k, end], back[k, end] = vals[j], starts[j]
    bounds = []
    end = t_n
    for k in range(k_n, 0, -1):
        start = back[k, end]
        bounds.append(int(start))
        end = start
    return bounds[::-1]


def chapters_for(script: Script, turns: list[Turn], outline: Path | None) -> tuple[list[Chapter], str]:
    """Chapters and where they came from: ``headings``, ``outline`` or ``single``."""
    heads = [h for h in script.headings if h.level >= 2 and h.next_turn < len(turns)]
    starts: dict[int, str] = {}
    for h in heads:
        starts.setdefault(h.next_turn, h.text)
    if len(starts) >= 2:
        chapters = [Chapter(title, i) for i, title in sorted(starts.items())]
        if chapters[0].first_turn > 0:  # turns before the first heading: the opening, a chapter of its own
            chapters.insert(0, Chapter(script.title or "Introduction", 0))
        return chapters, "headings"
    if outline is not None:
        sections = outline_sections(outline)
        if len(sections) >= 2:
            firsts = align(sections, turns)
            return [Chapter(sec.title, f) for sec, f in zip(sections, firsts, strict=False)], "outline"
    return [Chapter(script.title or "Episode", 0)], "single"


def time_chapters(chapters: list[Chapter], spans: list[TurnSpan], duration_s: float,
                  offset_s: float = 0.0) -> list[Chapter]:
    """Chapter times: the first starts at 0 (with the intro), each ends where the next starts."""
    by_index = {s.index: s for s in spans}
    for i, ch in enumerate(chapters):
        ch.start_s = 0.0 if i == 0 else round(by_index[ch.first_turn].start_s + offset_s - 0.2, 3)
    for i, ch in enumerate(chapters):
        ch.end_s = chapters[i + 1].start_s if i + 1 < len(chapters) else round(duration_s, 3)
    return chapters


def to_json(chapters: list[Chapter]) -> str:
    """Podcasting 2.0 JSON chapters."""
    return json.dumps({"version": "1.2.0", "chapters": [
        {"startTime": c.start_s, "endTime": c.end_s, "title": c.title} for c in chapters]},
        indent=2, ensure_ascii=False) + "\n"
