"""Turn one line of Markdown/MDX into the plain words a listener should hear.

Kept apart from the line classifier in :mod:`render.script.parse` because captions,
chapters and the outline aligner all need the same inline clean-up.
"""

from __future__ import annotations

import html
import re

_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRESSED = {_STRONG: r"<emphasis>\2</emphasis>", _EMPHASIS: r"<emphasis>\1</emphasis>",
             _UNDERSCORE: r"<emphasis>\1</emphasis>"}
# Stage directions of transcript-style scripts: "[laughs]", "(crosstalk)". A closed list of cues,
# so a real parenthesis ("(and it was fine)") is still read. "(pause)" is written as the voice
# markup's "[pause]" (render.script.markup.CUES says how long).
_CUES = (r"laughs?|laughing|laughter|chuckles?|giggles?|sighs?|coughs?|clears throat|crosstalk|inaudible|"
         r"applause|music|intro music|outro music|music fades|silence|sound effect|sfx|both laugh|cheers?")
_PAUSE_CUES = r"pause|pause short|pause long|short pause|long pause|beat"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\((?P<cue>{_PAUSE_CUES})\)", re.I), r"[\g<cue>]"),
    (re.compile(rf"\s*(?:\[(?:{_CUES})\]|\((?:{_CUES})\))\s*", re.I), " "),
    (re.compile(r"\{/\*.*?\*/\}"), ""),  # MDX comment
    (re.compile(r"<!--.*?-->"), ""),  # HTML comment
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # image
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link keeps its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote marker
    # a footnote marker in HTML: "thing<sup>2</sup>", "cost<sup>[3]</sup>" after a word or a
    # closing mark (after a single letter or digit, "m<sup>2</sup>", it is a power)
    (re.compile(r"(?:(?<=[A-Za-z][A-Za-z])|(?<=[.,;:!?)\]\"'’]))<sup>\s*(?:\[?\d{1,3}\]?|[*†‡])\s*</sup>"), ""),
    (re.compile(r"<https?://([^>]+)>"), r"\1"),  # autolink
    # inline HTML/JSX tag; the voice's markup (render.script.markup) is kept for the speaker to obey
    # (its names, and any name with "-" or ":", which no HTML or JSX tag has)
    (re.compile(r"</?(?!(?:speak|p|s|break|say-as|phoneme|sub|emphasis|prosody|voice|lang|mark|w|audio)\b)"
                r"[A-Za-z][A-Za-z0-9.]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"\{[^{}]*\}"), ""),  # MDX expression
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # inline code keeps its text
    (_STRONG, r"\2"),
    (_EMPHASIS, r"\1"),
    (_UNDERSCORE, r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strikethrough
    (re.compile(r"==(.+?)=="), r"\1"),  # highlight
]
_LEFTOVER = re.compile(
    r"(?<![\w*])\*{1,3}(?=\w)|(?<=\w)\*{1,3}(?![\w*])|(?<!\w)_{2,3}|_{2,3}(?!\w)"
    r"|~~|\\(?=[\\`*_{}\[\]()#+\-.!])"
)
_SPACES = re.compile(r"[ \t]+")


def strip_inline(text: str, emphasis: bool = False) -> str:
    """Remove inline Markdown while keeping the words it decorates.

    Unbalanced markers (a stray ``**``) are dropped rather than read aloud. With ``emphasis``
    (a host's line), ``*real*``, ``_real_`` and ``**ONE**`` become ``<emphasis>`` markup, which
    the voice obeys (:mod:`render.script.markup`); elsewhere (headings, chapters) they go.
    """
    for pattern, repl in _RULES:
        text = pattern.sub(_STRESSED.get(pattern, repl) if emphasis else repl, text)
    text = _LEFTOVER.sub("", text)
    # character references ("&amp;", "&mdash;", "&nbsp;") as the characters they stand for, after
    # the tags are gone, so an escaped "&lt;b&gt;" stays text
    text = html.unescape(text).replace("\xa0", " ") if "&" in text else text
    return _SPACES.sub(" ", text).strip()
