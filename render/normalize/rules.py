"""Context-aware rewrite rules from written to spoken English, and their order.

Rules run in a fixed order, most specific first (money before plain
numbers, dates before ranges), each a compiled regex with a function that
sees the match and its surroundings. As in NeMo's text normalization, each
semiotic class keeps its rules in its own module (``money``, ``dates``,
``versions``, ``measures``, ``counts``, and the plain numbers here); this
module only puts them in order. Adding a case means adding a rule or a
vocabulary entry, never touching the others.
"""

from __future__ import annotations

import re

from render.normalize import counts, dates, measures, money, technical, versions
from render.normalize import numbers as n
from render.normalize.tokens import NUM, START, Rule, words_before

_IDENT = re.compile(r"(?<![\w.$])(?P<w>[A-Za-z]+)(?P<d>\d+)(?P<t>[A-Za-z]*)(?!\w|\.\w)")
_IDENT_LEAD = re.compile(r"(?<![\w.$])(?P<d>\d+)(?P<w>[A-Za-z]{1,3})\b")
# p99.9, p99.99: a percentile with a fraction ("p ninety-nine point nine"); p999, p9999 (written
# in lower case: "P100" is a GPU) with its nines said one by one ("p nine nine nine")
_PERCENTILE = re.compile(r"(?<![\w.])(?P<w>[pP])(?P<d>\d{2}(?:\.\d+)?|(?<=p)\d{3,4})(?P<pl>s)?(?![\w]|\.\d)")
_YEAR = re.compile(r"(?<![\w.,$])(?P<y>1[1-9]\d\d|20\d\d)(?!\w|\.\d|,\d)")
_YEAR_CTX = {"in", "since", "by", "from", "of", "until", "till", "to", "through", "year",
             "circa", "around", "before", "after", "during", "early", "late", "mid",
             "summer", "winter", "spring", "fall", "autumn", "q1", "q2", "q3", "q4", "fy",
             "between", "the", "back", "for", "christmas"}
# "2e-5", "1e9", "6.02e23": scientific notation, "two e minus five"
_SCIENTIFIC = re.compile(r"(?<![\w.])(?P<m>\d+(?:\.\d+)?)[eE](?P<s>[-+−]?)(?P<x>\d{1,3})(?![\w.])")
_PLUS = re.compile(rf"{START}(?P<a>{NUM})\+(?![\w])")
_NUMBER = re.compile(rf"(?<![\w.])(?P<neg>-|−)?(?P<a>{NUM})(?![\w])")
_DIGIT_RUN = re.compile(r"\d+")


def _ident(m: re.Match[str]) -> str:
    d = m["d"]
    num = n.digits(d) if (len(d) > 4 or d.startswith("0")) else n.cardinal(int(d))
    tail = m["t"]
    if tail == "s" and (not d.startswith("0") or d == "0") and (len(d) >= 2 or m["w"].isupper()):  # not k3s, k8s
        # "ten p99s", "H100s", "L4s": the name's plural, "p ninety-nines", "L fours"
        return f"{m['w']} {n.plural(num)}"
    if tail:
        tail = " " + (tail if len(tail) > 1 and not tail.isupper() else " ".join(tail))
    return f"{m['w']} {num}{tail}"


def _percentile(m: re.Match[str]) -> str:
    d = m["d"]
    said = n.digits(d) if len(d) >= 3 and "." not in d else n.number(d)
    return f"{m['w']} {n.plural(said) if m['pl'] else said}"


def _ident_lead(m: re.Match[str]) -> str:
    w = m["w"]
    if w.lower() in {"st", "nd", "rd", "th", "s"}:
        return m.group(0)
    spoken = " ".join(w) if w.isupper() or len(w) == 1 else w
    return f"{n.cardinal(int(m['d']))} {spoken}"


# "2000 users", "1500 pods": a count before its noun; "2024 has been odd", "2025 was rough": a
# year before its verb (words ending in "s" that are verbs or small words, not plural nouns)
_NOT_PLURAL = {"is", "was", "has", "does", "goes", "seems", "looks", "means", "brings", "marks", "sees", "gets",
               "makes", "takes", "starts", "ends", "begins", "feels", "needs", "this", "its", "us", "as", "yes",
               "plus", "less", "thus", "always", "perhaps", "across", "unless", "besides", "becomes", "remains"}
_QUARTER_BEFORE = re.compile(r"\b(?:Q|H)\s(?:one|two|three|four)\s$|\bFY\s$")  # "Q3 2025", "H2 2025"


def _year(m: re.Match[str]) -> str:
    y = m["y"]
    before = [w.lower() for w in words_before(m, 1)]
    after = m.string[m.end():m.end() + 30]
    noun = re.match(r"\s+([a-z]+s|people|of)\b", after)
    follows_noun = noun is not None and noun.group(1) not in _NOT_PLURAL
    if follows_noun and not (before and before[0] in _YEAR_CTX) and not _QUARTER_BEFORE.search(m.string, 0, m.start()):
        return n.cardinal(int(y))
    return n.year(int(y))


def _scientific(m: re.Match[str]) -> str:
    sign = "minus " if m["s"] in ("-", "−") else ""
    return f"{n.number(m['m'])} e {sign}{n.cardinal(int(m['x']))}"


def _plus(m: re.Match[str]) -> str:
    return n.number(m["a"]) + " plus"


def _number(m: re.Match[str]) -> str:
    raw = m["a"]
    neg = m["neg"]
    if neg:
        prev = m.string[m.start() - 1 : m.start()]
        if prev and (prev.isalnum() or prev in ")]"):
            return " " + n.number(raw)  # "5-3": a dash, not a sign
        return "minus " + n.number(raw)
    plain = raw.replace(",", "")
    if plain.isdigit() and len(plain) > 1 and plain.startswith("0"):
        return n.digits(plain)
    if plain.isdigit() and len(plain) > 15 and "," not in raw:
        return n.digits(plain)
    return n.number(raw)


_OWN: list[Rule] = [
    Rule("scientific", _SCIENTIFIC, _scientific),
    Rule("percentile", _PERCENTILE, _percentile),
    Rule("identifier", _IDENT, _ident),
    Rule("identifier-lead", _IDENT_LEAD, _ident_lead),
    Rule("year", _YEAR, _year),
    Rule("plus", _PLUS, _plus),
    Rule("number", _NUMBER, _number),
    Rule("street", re.compile(r"\b(?P<name>[A-Z][a-z]+) St\.(?=\s|$)"),
                   lambda m: m["name"] + " Street" + ("." if re.match(r"\s*(?:$|\s[A-Z])", m.string[m.end():]) else "")),
]
_ALL = {r.name: r for r in (*technical.RULES, *money.RULES, *dates.RULES, *versions.RULES, *measures.RULES,
                            *counts.RULES, *_OWN)}
ORDER = [
    "url",
    "email",
    "optional-plural",
    "telephone",
    "cve",
    "hash-name",
    "standard",
    "caps-joined",
    "roman-label",
    "ipv4",
    "ipv6",
    "resource-id",
    "instance-type",
    "pcie-lanes",
    "dotted-sizes",
    "path",
    "region",
    "host",
    "host-port",
    "file",
    "dotted-name",
    "prefix",
    "flag",
    "short-flag",
    "long-flag",
    "status-class",
    "letter-word",
    "port-list",
    "identifier-number",
    "status",
    "money-words",
    "money",
    "date-iso",
    "date-ymd",
    "date-numeric",
    "date-md",
    "date-mdy",
    "date-dmy",
    "month-year",
    "ratio",
    "time",
    "time-hour",
    "time-range",
    "quarter",
    "measure-range",
    "duration",
    "millicores-after-cpu",
    "seconds",
    "ms-after-word",
    "per-unit",
    "minutes",
    "days",
    "per-period",
    "image-tag",
    "version-patch-p",
    "version-wildcard",
    "version-full",
    "version-v",
    "version-context",
    "percent",
    "fraction-vulgar",
    "fraction-mixed",
    "decade",
    "measure-per",
    "power",
    "measure-hyphen",
    "millicores",
    "measure",
    "word-per",
    "range-times",
    "times",
    "scaled",
    "scientific",
    "fraction-ordinal",
    "ordinal",
    "hash",
    "number-abbr",
    "rating",
    "fraction",
    "range-compound",
    "range",
    "letters-digits",
    "percentile",
    "identifier",
    "identifier-lead",
    "year",
    "plus",
    "number",
    "street",
]
RULES: list[Rule] = [_ALL[name] for name in ORDER]


def digits_fallback(text: str) -> str:
    """Last resort: no digit may reach an engine, so read any survivor as a number."""
    return _DIGIT_RUN.sub(lambda m: " " + n.number(m.group(0)) + " ", text)
