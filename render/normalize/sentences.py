"""Split turns into sentences and attach each sentence's spoken form.

Splitting the written text first (then normalizing each piece) keeps the
written and spoken sentences paired, which captions need, and long turns
are synthesized sentence by sentence, which engines need.
"""

from __future__ import annotations

import re
from dataclasses import replace

from render.normalize import Normalizer
from render.normalize.acronyms import stressed_caps
from render.script.markup import Pause, Rate, Segment, Spoken, Stress, plain, segments, tidy
from render.script.parse import Turn

_ABBREV = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e",
           "no", "inc", "ltd", "co", "approx", "fig", "u.s", "jan", "feb", "mar", "apr",
           "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
# a new sentence starts with a capital or digit, or with a tag (masked as \ue000 by _marked_up)
_SPLIT = re.compile(r"(?<=[.!?])(?P<close>[\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9\ue000])")
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
        pieces.append(text[start: m.end("close")].strip())  # its closing quote or bracket stays with it
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


_GLUED_TAIL = re.compile(r"[-'’]?[\w.-]*\w")  # what a tag's word runs on into: "-2024-3094", "s", "'s"


def _glued(parts: list[Segment], normalizer: Normalizer) -> list[Segment]:
    """A span the markup fixes with the written word it runs on into made one: the script's
    ``<say-as interpret-as="characters">CVE</say-as>-2024-3094`` is one identifier, said as the
    normalizer says ``CVE-2024-3094`` when that reading spells the span as the markup does
    (else the span's reading, then the rest's: a plural ``s`` as "'s"); read apart, the rest
    was "minus two thousand twenty-four to three thousand ninety-four"."""
    out: list[Segment] = []
    for part in parts:
        glued = isinstance(part, str) and out and isinstance(out[-1], Spoken) and _GLUED_TAIL.match(part)
        if not glued:
            out.append(part)
            continue
        span, tail = out[-1], glued.group(0)
        assert isinstance(span, Spoken) and isinstance(part, str)
        together = normalizer(span.written + tail)
        if together.startswith(span.spoken) and not together[len(span.spoken):len(span.spoken) + 1].isalnum():
            said = together
        elif tail.lower() in ("s", "'s", "’s"):
            said = f"{span.spoken}'s"
        else:
            said = f"{span.spoken} {normalizer(tail.lstrip('-'))}"
        out[-1] = Spoken(span.written + tail, said)
        if rest := part[glued.end():]:
            out.append(rest)
    return out


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


def sentence_starts(turn: Turn) -> list[int]:
    """Where each synthesized sentence after the first starts in ``turn.spoken`` (characters):
    what lets the check hear one sentence of a long turn again instead of the whole turn."""
    starts, at = [], 0
    for _, sp in turn.sentences:
        if sp:
            starts.append(at)
        at += len(plain(sp)) + 1
    return starts[1:]


def speak(turns: list[Turn], normalizer: Normalizer, by_speaker: dict[str, Normalizer] | None = None) -> list[Turn]:
    """Return turns with ``sentences`` (written, spoken) and ``spoken`` filled in; a turn with
    voice markup (``source``) also gets ``pauses``, the silence its breaks and cues ask for.
    ``by_speaker``: a speaker's own normalizer (its voice's lexicon entries), where it has one."""
    out = []
    base = normalizer
    for t in turns:
        normalizer = (by_speaker or {}).get(t.speaker, base)
        source = stressed_caps(t.source or t.text, normalizer.lexicon.known())
        if source != (t.source or t.text):
            t = replace(t, source=source)
        if t.source:
            pairs, pauses = _marked_up(t.source, normalizer)
        else:
            pairs, pauses = _with_neighbour([(s, sp) for s in split_sentences(t.text)
                                             if re.search(r"[A-Za-z]", sp := normalizer(s))]), []
        out.append(replace(t, sentences=pairs, pauses=pauses, spoken=" ".join(plain(sp) for _, sp in pairs)))
    return out


_TAGS = re.compile(r"<[^<>]*>")


def _stress(said: str) -> str:
    """``said`` marked as emphasised, its punctuation left outside the marks (``⟬real⟭,``)."""
    m = re.match(r"^(\W*)(.*?)(\W*)$", said, re.S)
    return f"{m.group(1)}⟬{m.group(2)}⟭{m.group(3)}" if m and m.group(2) else said


def _marked_up(source: str, normalizer: Normalizer) -> tuple[list[tuple[str, str]], list[float]]:
    """Sentences of a turn with voice markup: plain stretches are normalized, the markup's
    spans say what it fixes, and a pause ends a piece, so it is real silence between two
    engine calls (the one-word join never crosses one)."""
    tags: list[str] = []

    def mask(m: re.Match[str]) -> str:  # no sentence ends inside a tag (<sub alias="Dr. No">)
        tags.append(m.group(0))
        return f"\ue000{len(tags) - 1}\ue001"

    masked = _TAGS.sub(mask, source)
    runs: list[list[tuple[str, str]]] = [[]]
    pauses: list[float] = []
    rates = [1.0]  # <prosody rate> spans, innermost last
    stressed = False  # inside <emphasis>: what is said there is marked ⟬…⟭ for the voice
    for sentence in split_sentences(masked):
        parts, _ = segments(re.sub("\ue000(\\d+)\ue001", lambda m: tags[int(m.group(1))], sentence))
        parts = _glued(parts, normalizer)
        written: list[str] = []
        spoken: list[str] = []
        for part in [*parts, Pause(0.0)]:
            if isinstance(part, Stress):
                stressed = part.on
            elif isinstance(part, Pause | Rate):
                text, said = tidy(" ".join(written)), tidy(" ".join(spoken))
                if re.search(r"[A-Za-z]", plain(said)):
                    runs[-1].append((text, said if rates[-1] == 1.0 else f"⟪{rates[-1]:g}⟫ {said}"))
                gap = part.seconds if isinstance(part, Pause) else 0.0
                if (gap > 0 or isinstance(part, Rate)) and runs[-1]:  # a new rate: a new engine call
                    runs.append([])
                    pauses.append(gap)
                if isinstance(part, Rate):
                    rates = [*rates, part.factor] if part.factor is not None else rates[:-1] or [1.0]
                written, spoken = [], []
            elif isinstance(part, Spoken):
                written.append(part.written)
                spoken.append(f"⟬{part.spoken}⟭" if stressed else part.spoken)
            elif part.strip():
                written.append(part.strip())
                said = normalizer(part.strip())
                spoken.append(_stress(said) if stressed else said)
    pairs: list[tuple[str, str]] = []
    after: list[float] = []
    for k, run in enumerate(runs):
        joined = _with_neighbour(run)
        pairs += joined
        after += [0.0] * (len(joined) - 1) + ([pauses[k]] if k < len(pauses) and joined else [])
    if len(after) < len(pairs):
        after += [0.0] * (len(pairs) - len(after))
    return pairs, after[:len(pairs)]
