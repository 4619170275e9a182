"""Ordinals, decades, fractions and counts ("21st", "the 2010s", "3/4", "#1", "No. 5")."""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.tokens import START, Rule
from render.normalize.units import (
    UNITS,
)

_ORDINAL = re.compile(rf"{START}(?P<a>\d{{1,3}}(?:,\d{{3}})*|\d+)(?P<suf>st|nd|rd|th|ST|ND|RD|TH)\b")
_DECADE = re.compile(r"(?<![\w.])(?:(?P<full>\d{3}0)\s?'?s|'?(?P<short>[1-9]0)s)\b(?P<to>\s?[-–](?=\d|'\d))?")
_FRACTION_MIXED = re.compile(
    r"(?<![\w./])(?P<w>\d+)\s(?P<a>\d+)/(?P<b>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w/])"
    rf"(?:\s(?P<unit>{'|'.join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))})\b)?")
_FRACTION_SUFFIX = re.compile(r"(?<![\w./])(?P<a>\d+)/(?P<b>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)(?![\w/])")
_FRACTION = re.compile(r"(?<![\w./])(?P<a>\d+)/(?P<b>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w/])")
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5),
           "⅛": (1, 8)}
_VULGAR_RE = re.compile(rf"(?:(?P<w>\d+)\s?)?(?P<f>[{''.join(_VULGAR)}])")  # the space is the number's: "by ¼"
_HASH = re.compile(r"(?<![\w&])#\s?(?P<d>\d+)\b")
_NUMBER_ABBR = re.compile(r"\b(?:No|Nos|no|Nr)\.\s?(?P<d>\d+)\b")
_EPISODE_CTX = re.compile(r"\b(?:episode|ep|show|podcast)s?\b\W*(?:number\W*)?$", re.I)


def _ordinal(m: re.Match[str]) -> str:
    num = int(m["a"].replace(",", ""))
    expected = n.ordinal(num)
    suffix = m["suf"].lower()
    if not expected.endswith(suffix[-2:]) and not (suffix == "th" and expected.endswith("th")):
        last = num % 100
        ok = {1: "st", 2: "nd", 3: "rd"}.get(last % 10, "th") if last not in (11, 12, 13) else "th"
        if suffix != ok:
            return f"{n.cardinal(num)} {suffix}"
    return expected


def _decade(m: re.Match[str]) -> str:
    to = " to " if m["to"] else ""
    if m["short"]:
        return n.plural(n.cardinal(int(m["short"]))) + to
    return n.decade(int(m["full"])) + to


def _fraction_words(a: int, b: int) -> str:
    if b == 0:
        return f"{n.cardinal(a)} over zero"
    return n.fraction(a, b)


def _fraction_mixed(m: re.Match[str]) -> str:
    a, b = int(m["a"]), int(m["b"])
    frac = _fraction_words(a, b)
    if a == 1 and b == 2:
        frac = "a half"
    unit = f" {UNITS[m['unit']][1]}" if m["unit"] else ""
    return f"{n.cardinal(int(m['w']))} and {frac}{unit}"


# "0/12 nodes are available", "3/5 replicas ready": a count out of a total, not a fraction
_OUT_OF = re.compile(r"\s+(?:nodes|pods|replicas|containers|instances|tests|checks|jobs|tasks|servers|runs|"
                     r"votes|users|clusters|services|regions|zones|shards|brokers|workers|members|ready)\b")


# "4/5 stars", "rated 8/10", "4.5/5": a score out of a scale, "four out of five"
_RATING = re.compile(r"(?<![\w./])(?P<a>\d{1,3}(?:\.\d)?)/(?P<b>5|10|100)(?![\w/]|\.\d)")
_RATING_AFTER = re.compile(r"\s(?:stars?|points?|rating|score|overall)\b")
_RATING_BEFORE = re.compile(r"\b(?:rated?|rating|scored?|scores|give it|gave it|gives it|a solid|a strong)\s$", re.I)


def _rating(m: re.Match[str]) -> str:
    if "." in m["a"] or _RATING_AFTER.match(m.string, m.end()) or _RATING_BEFORE.search(m.string, 0, m.start()):
        return f"{n.number(m['a'])} out of {n.cardinal(int(m['b']))}"
    return m.group(0)


def _fraction(m: re.Match[str]) -> str:
    a, b = int(m["a"]), int(m["b"])
    if b > 0 and (a == 0 or _OUT_OF.match(m.string, m.end())) and not m.group(0)[-1].isalpha():
        return f"{n.cardinal(a)} of {n.cardinal(b)}"
    if (a, b) == (24, 7):
        return "twenty-four seven"
    if (a, b) == (9, 11):
        return "nine eleven"
    if a + b == 100 or (a == b > 1):
        return f"{n.cardinal(a)} {n.cardinal(b)}"  # a split, not a fraction: "80/20", "50/50", "20/20"
    return _fraction_words(a, b)


def _vulgar(m: re.Match[str]) -> str:
    a, b = _VULGAR[m["f"]]
    frac = "a half" if (a, b) == (1, 2) and m["w"] else _fraction_words(a, b)
    return f"{n.cardinal(int(m['w']))} and {frac}" if m["w"] else frac


def _hash(m: re.Match[str]) -> str:
    value = n.cardinal(int(m["d"]))
    if _EPISODE_CTX.search(m.string[: m.start()][-40:]):
        return value
    ep = re.search(r"\bepisode\b", m.string, re.I) and len(m["d"]) >= 3
    return ("episode " if ep else "number ") + value


def _number_abbr(m: re.Match[str]) -> str:
    return "number " + n.cardinal(int(m["d"]))


RULES: list[Rule] = [
    Rule("fraction-vulgar", _VULGAR_RE, _vulgar),
    Rule("fraction-mixed", _FRACTION_MIXED, _fraction_mixed),
    Rule("decade", _DECADE, _decade),
    Rule("fraction-ordinal", _FRACTION_SUFFIX, _fraction),
    Rule("ordinal", _ORDINAL, _ordinal),
    Rule("hash", _HASH, _hash),
    Rule("number-abbr", _NUMBER_ABBR, _number_abbr),
    Rule("rating", _RATING, _rating),
    Rule("fraction", _FRACTION, _fraction),
]
