"""Split turns into sentences and attach each sentence's spoken form.

Splitting the written text first (then normalizing each piece) keeps the
written and spoken sentences paired, which captions need, and long turns
are synthesized sentence by sentence, which engines need.
"""

from __future__ import annotations

import re
from dataclasses import replace

from render.normalize import Normalizer
from render.script.parse import Turn

_ABBREV = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e",
           "no", "inc", "ltd", "co", "approx", "fig", "u.s", "jan", "feb", "mar", "apr",
           "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
MAX_CHARS = 400
_CLAUSE = re.compile(r"(?<=[,;:])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentence boundaries that survive abbreviations (``Dr.``, ``No. 1``, ``e.g.``)."""
    pieces: list[str] = []
    start = 0
    for m in _SPLIT.finditer(text):
        before = text[start: m.start()].rstrip("\"')]")
        last = re.findall(r"[\w.]+$", before)
        word = last[0].rstrip(".") if last else ""
        if word.lower() in _ABBREV:
            continue
        if word in _ABBREV or (len(word) == 1 and word.isalpha() and word.isupper()):
            continue
        pieces.append(text[start: m.start()].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    out: list[str] = []
    for p in pieces:
        out.extend(_cap_length(p))
    return [p for p in out if p]


def _cap_length(sentence: str) -> list[str]:
    """Break run-on sentences at clause marks so no engine call gets a wall of text."""
    if len(sentence) <= MAX_CHARS:
        return [sentence]
    parts, cur = [], ""
    for clause in _CLAUSE.split(sentence):
        if cur and len(cur) + len(clause) + 1 > MAX_CHARS:
            parts.append(cur)
            cur = clause
        else:
            cur = f"{cur} {clause}".strip()
    parts.append(cur)
    final: list[str] = []
    for p in parts:  # a single clause can still be huge: cut on words
        while len(p) > MAX_CHARS:
            cut = p.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > 0 else MAX_CHARS
            final.append(p[:cut].strip())
            p = p[cut:].strip()
        final.append(p)
    return final


def _with_neighbour(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A one-word sentence ("Yeah.", "Fair.") joins the next one (the one before, at a turn's end).

    Synthesized alone, a single word gets the prosody of a whole utterance: render check found
    Kokoro's "Yeah." heard as "yahoo" and "Fair." as "fail" by both recognizers, and the same
    words spoken in one call with the sentence after them heard right ("Yeah, here's the
    scenario."). The engines still pause at the full stop.
    """
    out: list[tuple[str, str]] = []
    carry: tuple[str, str] | None = None
    for written, spoken in pairs:
        if carry is not None:
            written, spoken = f"{carry[0]} {written}", f"{carry[1]} {spoken}"
            carry = None
        if len(spoken.split()) == 1:
            carry = (written, spoken)
            continue
        out.append((written, spoken))
    if carry is not None:
        if out:
            out[-1] = (f"{out[-1][0]} {carry[0]}", f"{out[-1][1]} {carry[1]}")
        else:
            out.append(carry)
    return out


def speak(turns: list[Turn], normalizer: Normalizer) -> list[Turn]:
    """Return turns with ``sentences`` (written, spoken) and ``spoken`` filled in."""
    out = []
    for t in turns:
        pairs = []
        for s in split_sentences(t.text):
            spoken = normalizer(s)
            if re.search(r"[A-Za-z]", spoken):
                pairs.append((s, spoken))
        pairs = _with_neighbour(pairs)
        out.append(replace(t, sentences=pairs, spoken=" ".join(sp for _, sp in pairs)))
    return out
