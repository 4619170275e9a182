"""Acronyms no lexicon names: spelled when they cannot be read as a word.

Engineers spell BGP, VPC and CRD but say NASA, DORA and YAML as words. A run of capitals
that no lexicon scope lists is spelled (``B-G-P``) when it has no vowel or an onset or coda
English words do not have (``ECR``: a word cannot end in "cr"), and left as a word otherwise
(``DORA``). Words in capitals for stress ("HOW MANY", "NOT") are pronounceable, so they are
left alone. The shipped field lexicon (``field.toml``) settles the many acronyms this rule
would get wrong either way (IAM is spelled, CIDR is a word).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from render.normalize.change import Change

_VOWELS = set("aeiou")
_ONSETS = {"", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "w", "x", "y",
           "z", "bl", "br", "ch", "cl", "cr", "dr", "dw", "fl", "fr", "gl", "gr", "kn", "ph", "pl", "pr", "qu", "sc",
           "sh", "sk", "sl", "sm", "sn", "sp", "st", "sw", "th", "tr", "tw", "wh", "wr", "scr", "spl", "spr", "str",
           "thr", "shr", "sch"}
_CODAS = {"", "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "z", "ch", "ck", "ct",
          "ft", "ld", "lf", "lk", "ll", "lm", "lp", "lt", "mb", "mp", "nd", "ng", "nk", "ns", "nt", "ps", "pt", "rb",
          "rd", "rf", "rk", "rl", "rm", "rn", "rp", "rs", "rt", "sh", "sk", "sp", "ss", "st", "th", "ts", "ks", "ms",
          "ls", "ds", "gs", "zz", "ff", "nch", "rch", "rth", "nth", "lth", "rst", "nts", "rds", "nds", "lts",
          "w", "wn", "wl", "ws", "wd", "wk", "gh", "ght", "y", "wth"}
_COMMON_SHORT = {"ok", "no", "so", "go", "up", "an", "as", "at", "be", "by", "do", "he", "if", "in", "is", "it",
                 "me", "my", "of", "on", "or", "to", "we", "us", "hi", "oh", "am", "pm"}
# EFA, IDE, ENI, AMI: three capitals, a vowel at each end, are letters; these few are words
_VCV_WORDS = {"are", "one", "use", "ago", "ate", "age", "ice", "ace", "axe", "ape", "eve", "ode", "ore", "owe",
              "aye", "eke", "ire", "ooze", "ale", "awe", "eye", "oxe", "uke", "ave"}
ACRONYM = re.compile(r"(?<![\w'])(?<![A-Z0-9]-)(?P<w>[A-Z]{2,6})(?P<s>s)?(?![\w'-])")  # "Standard-IA" too


def pronounceable(word: str) -> bool:
    """Whether a run of capitals reads as an English word (DORA, YAML) rather than letters."""
    w = word.lower()
    if len(w) <= 2:
        return w in _COMMON_SHORT
    if len(w) == 3 and w[0] in _VOWELS and w[2] in _VOWELS and w not in _VCV_WORDS:
        return False
    parts = re.split(r"[aeiouy]+", w)
    if len(parts) < 2 or not any(c in _VOWELS for c in w.replace("y", "a", 1 if w[0] != "y" else 0)):
        return False
    onset, coda, middle = parts[0], parts[-1], parts[1:-1]
    return onset in _ONSETS and coda in _CODAS and all(len(c) <= 3 for c in middle)


def spell_unknown(text: str, known: set[str], trace: list[Change] | None = None) -> str:
    """Spell each run of capitals that no lexicon scope lists (``known``) and that is no word."""
    def one(m: re.Match[str]) -> str:
        w = m["w"]
        if w in known or pronounceable(w):
            return m.group(0)
        said = "-".join(w) + ("'s" if m["s"] else "")
        if trace is not None:
            trace.append(Change(m.group(0), said, "rule: acronym (no lexicon names it, and it is no word)"))
        return said

    return ACRONYM.sub(one, text)


# ExternalDNS, DNSCache, HTTPRoute, ClusterIP: a name made of a word and an acronym
_CAMEL = re.compile(r"(?<![\w'-])(?=[A-Za-z]*[A-Z]{2})(?=[A-Za-z]*[a-z])[A-Za-z]{4,}(?![\w'-])")
_CAMEL_CUT = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CAMEL_PART = re.compile(r"[A-Z]{2,}|[A-Z][a-z]{2,}|[a-z]{2,}")


def split_names(text: str, known: Callable[[str], bool], trace: list[Change] | None = None) -> str:
    """Names that join a word and an acronym no lexicon scope lists (``ExternalDNS``,
    ``HTTPRoute``, ``ClusterIP``) as separate words, so the acronym is spelled and the word
    read: an engine reads the whole as one made-up word. Only where every part is a word of
    three letters or more or a run of capitals (not ``PaaS``, ``iOS``, ``JSONs``)."""
    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        parts = _CAMEL_CUT.split(word)
        if known(word) or len(parts) < 2 or not all(_CAMEL_PART.fullmatch(p) for p in parts):
            return word
        if parts[0].islower() and len(parts[0]) < 3:
            return word
        said = " ".join(parts)
        if trace is not None:
            trace.append(Change(word, said, "rule: name-parts (a word and an acronym, said apart)"))
        return said

    return _CAMEL.sub(one, text)


_CAPS_RUN = re.compile(r"(?<![\w'-])[A-Z]+(?:'[A-Z]+)?(?:\s+[A-Z]+(?:'[A-Z]+)?)*(?![\w'-])")


@lru_cache(maxsize=1)
def stress_words() -> frozenset[str]:
    """The words a script writes in capitals for stress (``stress-words.txt``, shipped data)."""
    text = resources.files("render.normalize").joinpath("stress-words.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_SHIELDED = re.compile(r"<(say-as|sub|phoneme)\b[^>]*>.*?</\1\s*>|<[^<>]*>", re.I | re.S)


def stressed_caps(text: str, known: set[str]) -> str:
    """``text`` with words in capitals for stress ("HOW MANY", "NOT") wrapped in ``<emphasis>``:
    runs of capitals whose every word is a common English word (:func:`stress_words`), and
    that no lexicon scope lists when it stands alone. An acronym is never taken for stress: a closed list of words
    cannot hold PID, DORA or BGP, and leaves out "it" and "us" (IT, US). A line mostly in
    capitals is a heading or a shout, not stress, and is left alone; so are the markup's own
    tags and what they fix."""
    words = re.findall(r"[A-Za-z]+", text)
    if not words or sum(w.isupper() and len(w) > 1 for w in words) * 2 > len(words):
        return text

    def run(m: re.Match[str]) -> str:
        parts = m.group(0).split()
        # a lexicon's acronym alone is the acronym ("the AS path"); among other stress words
        # in one run of capitals it is a word too ("NOT AS FAST")
        if (len(m.group(0)) > 1 and (len(parts) > 1 or parts[0] not in known)
                and all(p.lower() in stress_words() for p in parts)):
            return f'<emphasis><sub alias="{m.group(0).lower()}">{m.group(0)}</sub></emphasis>'  # said as words
        return m.group(0)

    out, pos = [], 0
    for m in _SHIELDED.finditer(text):
        out += [_CAPS_RUN.sub(run, text[pos:m.start()]), m.group(0)]
        pos = m.end()
    return "".join([*out, _CAPS_RUN.sub(run, text[pos:])])
