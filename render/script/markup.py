"""The producer's markup for the voice: an SSML subset and bracket cues, obeyed, never read aloud.

Pronunciation-ready scripts carry tags inline::

    Autonoe: Last month, a <phoneme alphabet="ipa" ph="sæs">SaaS</phoneme> company got their
    <say-as interpret-as="characters">AWS</say-as> bill. [pause short] Their new setup: [pause long] …

:func:`segments` reads one sentence of such text into plain text (which the normalizer then
speaks), :class:`Spoken` spans whose spoken form the markup fixes (``say-as``, ``sub``,
``phoneme``), :class:`Pause` (``<break>`` and the cues), :class:`Rate` (``<prosody rate>``) and
:class:`Stress` (``<emphasis>``, which Markdown's ``*real*`` in a host's line becomes).
Wrappers (``speak``, ``p``, ``s``, ``voice``, ``lang``) keep their words. Any other tag, or a tag that
is not closed, is dropped with a :class:`Problem` naming it; the caller warns, or fails under
``--strict``.

A phoneme span travels to the engine as ``⟦word|ipa⟧`` (:data:`PHONEME`): Piper and Kokoro
speak the phonemes, Festival and Coqui the word (see :mod:`render.voices.engines.base`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# [pause], [pause short], [pause long], [beat]: how long each is, in seconds.
CUES = {"pause": 0.6, "pause short": 0.35, "pause long": 1.0, "beat": 0.5, "long pause": 1.0,
        "short pause": 0.35}
BREAK_STRENGTH = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.5, "strong": 0.8, "x-strong": 1.2}
WRAPPERS = {"speak", "p", "s", "voice", "lang", "mark", "w", "amazon:effect", "amazon:domain"}
PHONEME = re.compile(r"⟦([^|⟧]*)\|([^⟧]*)⟧")
# A piece said at another rate (<prosody rate>) starts with ⟪factor⟫ (> 1 is faster): the
# engines with a rate of their own (Kokoro's speed, Piper's length scale) apply it per call.
RATE_MARK = re.compile(r"⟪([\d.]+)⟫\s*")
# Words said with emphasis (<emphasis>, Markdown's *real* and **ONE**, capitals for stress) are
# ⟬between these⟭ in the spoken text: a voice with natural intonation puts a pitch accent on them
# (render.audio.intonation), every other reader drops the marks.
EMPHASIS = re.compile(r"⟬([^⟭]*)⟭")
RATES = {"x-slow": 0.7, "slow": 0.85, "medium": 1.0, "default": 1.0, "fast": 1.15, "x-fast": 1.3}
# X-SAMPA to IPA for English (longest symbols first): <phoneme alphabet="x-sampa">
XSAMPA = {"r\\": "ɹ", "@`": "ɚ", "3`": "ɝ", "tS": "tʃ", "dZ": "dʒ", "T": "θ", "D": "ð", "S": "ʃ", "Z": "ʒ",
          "N": "ŋ", "4": "ɾ", "?": "ʔ", "I": "ɪ", "E": "ɛ", "{": "æ", "A": "ɑ", "Q": "ɒ", "O": "ɔ", "U": "ʊ",
          "V": "ʌ", "@": "ə", "3": "ɜ", "6": "ɐ", "Y": "ʏ", "2": "ø", "9": "œ", "1": "ɨ", "}": "ʉ", "M": "ɯ",
          "7": "ɤ", "\"": "ˈ", "%": "ˌ", ":": "ː", "`": "˞", "~": "\u0303", "=": "\u0329", "l=": "l\u0329",
          "n=": "n\u0329", "5": "ɫ", "j": "j", "w": "w", "h": "h", "r": "r", ".": "."}

_CUE = re.compile(r"\[(" + "|".join(sorted(map(re.escape, CUES), key=len, reverse=True)) + r")\]", re.I)
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTR = re.compile(r"([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$", re.I)
MARKUP = re.compile(r"</?(?:(?:speak|p|s|break|say-as|phoneme|sub|emphasis|prosody|voice|lang|audio|mark|w)\b"
                    r"|[A-Za-z]\w*[-:][\w:-]*)[^<>]*>|" + _CUE.pattern, re.I)


@dataclass(frozen=True)
class Spoken:
    """Words whose spoken form the markup fixes: ``written`` for captions, ``spoken`` for the voice."""

    written: str
    spoken: str


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Rate:
    """``<prosody rate>`` opens (``factor``: > 1 faster) or, with None, closes a span."""

    factor: float | None


@dataclass(frozen=True)
class Stress:
    """``<emphasis>`` opens (True) or closes (False) a span said with emphasis
    (``level="none"`` and ``"reduced"`` open none)."""

    on: bool


@dataclass(frozen=True)
class Problem:
    """A tag render does not know, or one left open: dropped, never spoken."""

    tag: str
    why: str


Segment = str | Spoken | Pause | Rate | Stress


def xsampa_to_ipa(text: str) -> str:
    """X-SAMPA as IPA, longest symbols first; anything unknown is kept as it is."""
    out, i = [], 0
    keys = sorted(XSAMPA, key=len, reverse=True)
    while i < len(text):
        key = next((k for k in keys if text.startswith(k, i)), None)
        out.append(XSAMPA[key] if key else text[i])
        i += len(key) if key else 1
    return "".join(out)


def _rate(value: str) -> float | None:
    """``slow``, ``fast``, ``80%`` (of the normal rate), ``+20%``: as a factor, None if unreadable."""
    value = value.strip().lower()
    if value in RATES:
        return RATES[value]
    m = re.fullmatch(r"([+-]?)(\d+(?:\.\d+)?)%", value)
    if m is None:
        return None
    number = float(m.group(2)) / 100
    factor = 1 + number if m.group(1) == "+" else 1 - number if m.group(1) == "-" else number
    return factor if 0.5 <= factor <= 2.0 else None


def has_markup(text: str) -> bool:
    return MARKUP.search(text) is not None


def _attrs(raw: str) -> dict[str, str]:
    return {k.lower(): a if a else b for k, a, b in _ATTR.findall(raw)}


def _letters(text: str) -> str:
    return "-".join(c.upper() for c in text if c.isalnum())


def _digits(text: str) -> str:
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return " ".join(names[int(c)] if c.isdigit() else c for c in text if not c.isspace() and c not in "-()")


def _say_as(kind: str, text: str) -> str | None:
    """The spoken form for ``<say-as interpret-as=kind>``; None: let the normalizer read ``text``."""
    kind = kind.lower()
    if kind in ("characters", "spell-out", "letters", "verbatim"):
        return _letters(text)
    if kind in ("digits", "telephone"):
        return _digits(text)
    return None  # cardinal, ordinal, date, …: the normalizer's own reading (ordinal: "3rd")


def _break(attrs: dict[str, str]) -> float | None:
    if "time" in attrs:
        m = _TIME.match(attrs["time"])
        return None if m is None else float(m.group(1)) / (1000.0 if m.group(2).lower() == "ms" else 1.0)
    return BREAK_STRENGTH.get(attrs.get("strength", "medium").lower())


def segments(text: str) -> tuple[list[Segment], list[Problem]]:
    """``text`` (one sentence or a whole turn) as plain text, fixed spans and pauses."""
    out: list[Segment] = []
    problems: list[Problem] = []
    pos = 0
    tokens = sorted([*_TAG.finditer(text), *_CUE.finditer(text)], key=lambda m: m.start())
    i = 0
    while i < len(tokens):
        m = tokens[i]
        if m.start() < pos:
            i += 1
            continue
        out.append(text[pos:m.start()])
        pos = m.end()
        i += 1
        if m.re is _CUE:
            out.append(Pause(CUES[m.group(1).lower()]))
            continue
        closing, name, raw, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        attrs = _attrs(raw)
        if name == "prosody":
            if closing:
                out.append(Rate(None))
                continue
            factor = _rate(attrs["rate"]) if "rate" in attrs else 1.0
            if factor is None:
                problems.append(Problem(m.group(0), "a rate is x-slow, slow, medium, fast, x-fast or 50%-200%"))
            out.append(Rate(factor or 1.0))
            continue
        if name == "emphasis":
            out.append(Stress(not closing and not selfclose
                              and attrs.get("level", "moderate").lower() not in ("none", "reduced")))
            continue
        if name == "break":
            seconds = _break(attrs)
            if seconds is None:
                problems.append(Problem(m.group(0), "a break needs time=\"500ms\" or strength=\"weak|medium|strong\""))
            elif seconds > 0:
                out.append(Pause(seconds))
            continue
        if closing or selfclose or name in WRAPPERS:
            if not closing and name not in WRAPPERS and name not in ("say-as", "sub", "phoneme"):
                problems.append(Problem(m.group(0), "unknown tag"))
            continue
        if name not in ("say-as", "sub", "phoneme"):
            problems.append(Problem(m.group(0), "unknown tag"))
            continue
        end = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(text, pos)
        if end is None:
            problems.append(Problem(m.group(0), f"<{name}> is not closed"))
            continue
        inner = re.sub(r"<[^<>]*>", "", text[pos:end.start()]).strip()
        pos = end.end()
        if name == "sub" and "alias" in attrs:
            out.append(Spoken(inner, attrs["alias"]))
        elif name == "phoneme" and attrs.get("ph") and attrs.get("alphabet", "ipa").lower() in ("ipa", "x-sampa"):
            ipa = attrs["ph"] if attrs.get("alphabet", "ipa").lower() == "ipa" else xsampa_to_ipa(attrs["ph"])
            out.append(Spoken(inner, f"⟦{inner}|{ipa}⟧"))
        elif name == "say-as" and (said := _say_as(attrs.get("interpret-as", ""), inner)) is not None:
            out.append(Spoken(inner, said))
        else:
            if name == "phoneme":
                problems.append(Problem(m.group(0), "alphabet is ipa or x-sampa, with ph=\"…\"; the word is read"))
            out.append(inner)
    out.append(text[pos:])
    return [s for s in out if s != ""], problems


def written(text: str) -> str:
    """``text`` as captions show it: every tag and cue gone, the words they mark kept."""
    parts, _ = segments(text)
    text = "".join(p.written if isinstance(p, Spoken) else p for p in parts if not isinstance(p, Pause | Rate | Stress))
    return tidy(text)


def tidy(text: str) -> str:
    """One space between words and none before punctuation, where dropped tags left gaps."""
    return re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def plain(spoken: str) -> str:
    """Spoken text with phoneme spans as their words, no rate or emphasis marks (what a listener hears)."""
    return EMPHASIS.sub(r"\1", RATE_MARK.sub("", PHONEME.sub(lambda m: m.group(1), spoken)))


def emphasis_spans(sentence: str) -> tuple[str, list[tuple[int, int]]]:
    """``sentence`` without its ⟬emphasis⟭ marks, and where the marked words are in it (characters)."""
    out, spans, pos = [], [], 0
    for m in EMPHASIS.finditer(sentence):
        out.append(sentence[pos:m.start()])
        start = sum(len(p) for p in out)
        out.append(m.group(1))
        spans.append((start, start + len(m.group(1))))
        pos = m.end()
    out.append(sentence[pos:])
    return "".join(out), spans
