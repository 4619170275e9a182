"""Context-aware rewrite rules from written to spoken English.

Rules run in a fixed order, most specific first (money before plain
numbers, dates before ranges), each a compiled regex with a function that
sees the match and its surroundings. Adding a case means adding a rule or a
vocabulary entry, never touching the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from render.normalize import numbers as n
from render.normalize.units import (
    CURRENCIES,
    MONTH_BY_NUMBER,
    MONTHS,
    PER,
    SUBUNITS,
    UNITS,
    VERSION_BEFORE_WINDOW,
    VERSION_CONTEXT,
)

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
SCALE = r"(?:thousand|million|billion|trillion|[KkMmBbTt](?:n|N)?)"
_B = r"(?<![\w.])"  # number starts a token
_E = r"(?![\w])"


@dataclass(frozen=True)
class Rule:
    """One rewrite: a pattern and what to say for each match."""

    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str]], str]


def _words_before(m: re.Match[str], count: int) -> list[str]:
    head = m.string[: m.start()]
    return re.findall(r"[A-Za-z][\w.+#-]*", head)[-count:]


def _is_one(num: str) -> bool:
    return num.replace(",", "") in {"1", "1.0", "1.00"}


def _unit(sym: str, num: str) -> str:
    one, many = UNITS[sym]
    return one if _is_one(num) else many


# ---- money -----------------------------------------------------------------

_CUR = "|".join(re.escape(c) for c in sorted(CURRENCIES, key=len, reverse=True))
_MONEY = re.compile(
    rf"(?P<neg>-)?(?P<cur>{_CUR})\s?(?P<a>{NUM})(?:\s?(?:-|–|to)\s?(?:{_CUR})?(?P<b>{NUM}))?"
    rf"(?:\s?(?P<scale>{SCALE})\b)?(?:\s?(?:/|\bper\s|\ba\s)(?P<per>[A-Za-z]+)\b)?"
)
_MONEY_WORDS = re.compile(rf"(?P<cur>{_CUR})(?P<word>thousands|millions|billions|hundreds)\b"
                          r"(?:/(?P<per>[A-Za-z]+)\b)?")


def _amount(cur: str, num: str, with_unit: bool) -> str:
    one, many = CURRENCIES[cur]
    raw = num.replace(",", "")
    if "." in raw and cur in SUBUNIT_CURRENCIES:
        whole, frac = raw.split(".", 1)
        if len(frac) <= 2 or not frac[2:].strip("0"):
            frac = (frac + "00")[:2]
            dollars, cents = int(whole or 0), int(frac)
            c1, c2 = SUBUNITS[cur]
            parts = []
            if dollars or not cents:
                parts.append(n.cardinal(dollars) + (" " + (one if dollars == 1 else many)
                                                    if with_unit else ""))
            if cents:
                parts.append(n.cardinal(cents) + " " + (c1 if cents == 1 else c2))
            return " ".join(parts)
    words = n.number(raw)
    if not with_unit:
        return words
    return words + " " + (one if _is_one(raw) else many)


SUBUNIT_CURRENCIES = set(SUBUNITS)


def _per(word: str | None, money: bool) -> str:
    if not word:
        return ""
    unit = PER.get(word, PER.get(word.lower(), word))
    if not money:
        return " per " + unit
    return (" an " if unit[0] in "aeiou" or unit == "hour" else " a ") + unit


def _money(m: re.Match[str]) -> str:
    cur, a, b, scale_word = m["cur"], m["a"], m["b"], m["scale"]
    neg = "minus " if m["neg"] else ""
    per = _per(m["per"], money=True)
    if scale_word and (sc := n.scale(scale_word)):
        many = CURRENCIES[cur][1]
        amount = n.number(a) + (" to " + n.number(b) if b else "")
        return f"{neg}{amount} {sc} {many}{per}"
    if b:
        both = bool(re.search(rf"(?:-|–|to)\s?(?:{_CUR})", m.group(0))) or "." in a
        return f"{neg}{_amount(cur, a, both)} to {_amount(cur, b, True)}{per}"
    return f"{neg}{_amount(cur, a, True)}{per}"


def _money_words(m: re.Match[str]) -> str:
    return f"{m['word']} of {CURRENCIES[m['cur']][1]}{_per(m['per'], money=True)}"


# ---- dates and times -------------------------------------------------------

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
_DATE_MDY = re.compile(
    rf"\b{_MON}(?:\s+|-){_DAY}(?:\s?(?:-|–|to|through)\s?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)?"
    r"(?:(?:,?\s+|-)(?P<y>\d{4}))?(?!\d|:)", re.I)
_DATE_DMY = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}(?:,?\s+(?P<y>\d{{4}}))?\b", re.I)
_DATE_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DATE_NUM = re.compile(r"\b(?P<m>\d{1,2})(?P<sep>[/.-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b")
_DATE_YMD = re.compile(r"\b(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})\b")
_MONTH_YEAR = re.compile(rf"\b{_MON}\s+(?P<y>\d{{4}})\b", re.I)


def _month(word: str) -> str:
    return MONTHS[word.lower().rstrip(".")]


def _valid_day(d: str | None) -> bool:
    return d is not None and 1 <= int(d) <= 31


def _date_mdy(m: re.Match[str]) -> str:
    if not _valid_day(m["d1"]) or (m["mon"].lower() == "may" and not m["y"] and not m["d2"]
                                   and m.string[m.end():m.end() + 1].isalpha()):
        return m.group(0)
    out = f"{_month(m['mon'])} {n.ordinal(int(m['d1']))}"
    if m["d2"]:
        out += f" through {n.ordinal(int(m['d2']))}"
    if m["y"]:
        out += f", {n.year(int(m['y']))}"
    return out


def _date_dmy(m: re.Match[str]) -> str:
    if not _valid_day(m["d1"]):
        return m.group(0)
    the = "" if re.search(r"\bthe\s+$", m.string[: m.start()], re.I) else "the "
    out = f"{the}{n.ordinal(int(m['d1']))} of {_month(m['mon'])}"
    return out + (f" {n.year(int(m['y']))}" if m["y"] else "")


def _date_num(m: re.Match[str]) -> str:
    mo, d, y = int(m["m"]), int(m["d"]), m["y"]
    if m["sep"] != "/" and len(y) != 4:
        return m.group(0)
    year = int(y) + ((1900 if int(y) > 50 else 2000) if len(y) == 2 else 0)
    if mo > 12 and 1 <= d <= 12:  # day first: 15.01.2020
        return f"the {n.ordinal(mo)} of {MONTH_BY_NUMBER[d]} {n.year(year)}"
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return f"{MONTH_BY_NUMBER[mo]} {n.ordinal(d)}, {n.year(year)}"


def _date_ymd(m: re.Match[str]) -> str:
    mo, d = int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return f"{MONTH_BY_NUMBER[mo]} {n.ordinal(d)}, {n.year(int(m['y']))}"


def _month_year(m: re.Match[str]) -> str:
    return f"{_month(m['mon'])} {n.year(int(m['y']))}"


_AMPM = r"(?P<ap>[ap])(?P<d1>\.)?\s?m\b(?P<d2>\.)?"
_TIME = re.compile(
    rf"\b(?P<h>\d{{1,2}})[:.](?P<m>\d{{2}})(?::(?P<s>\d{{2}}))?(?:\s?{_AMPM})?(?:\s?(?P<tz>[A-Z]{{2,4}}T|est|pst|cst|utc|gmt|[ECMP]ST|UTC|GMT|[ecmp]\.s\.t\b\.?)\b)?",
    re.I)
_RATIO = re.compile(r"(?<![\w.:])(?P<a>\d{1,3}):(?P<b>\d{1,3})(?![\w:]|\.\d)")
_RATIO_CONTEXT = re.compile(r"\b(?:ratios?|odds|split|aspect|scale|compression|mix)\b", re.I)
_TIME_RANGE = re.compile(r"\b(?P<ap>[AP]M)\s?[-–]\s?(?=[*_~`\s]*\w)")
_TIME_H = re.compile(rf"\b(?P<h>\d{{1,2}})\s?{_AMPM}(?:\s?(?P<tz>[ECMP]ST|UTC|GMT|est|pst|utc)\b)?",
                     re.I)


def _clock(h: int, mi: int, ap: str | None) -> str:
    if mi == 0:
        words = n.cardinal(h) + ("" if ap else " o'clock")
    elif mi < 10:
        words = f"{n.cardinal(h)} oh {n.cardinal(mi)}"
    else:
        words = f"{n.cardinal(h)} {n.cardinal(mi)}"
    if ap:
        words += " " + ap.upper() + "M"
    return words


def _period(m: re.Match[str]) -> str:
    """Give back a consumed ``.`` when it also ended the sentence (``at 9:30am.``)."""
    if not m["d2"]:
        return ""
    if not m["d1"]:
        return "."
    rest = m.string[m.end():]
    return "." if not rest.strip() or re.match(r"\s+[A-Z]", rest) else ""


def _time(m: re.Match[str]) -> str:
    h, mi = int(m["h"]), int(m["m"])
    sep = m.group(0)[len(m["h"])]
    if h > 24 or mi > 59 or (sep == "." and not m["ap"]):
        return m.group(0)
    if m["s"]:
        sec = int(m["s"])
        out = (f"{n.cardinal(h)} {'hour' if h == 1 else 'hours'} {n.cardinal(mi)} "
               f"{'minute' if mi == 1 else 'minutes'} and {n.cardinal(sec)} {'second' if sec == 1 else 'seconds'}")
        if m["ap"]:
            out += " " + m["ap"].upper() + "M"
    else:
        out = _clock(h, mi, m["ap"])
    if m["tz"]:
        out += " " + m["tz"].upper().replace(".", "")
    return out + (_period(m) if m["ap"] and not m["tz"] else "")


def _ratio(m: re.Match[str]) -> str:
    """``3:1`` is a ratio ("three to one"); ``9:30`` stays a clock time unless the words
    around it say ratio (``a 16:10 aspect``)."""
    a, b = int(m["a"]), int(m["b"])
    clock = len(m["b"]) == 2 and a <= 24 and b <= 59
    if clock:
        near = m.string[max(0, m.start() - 12):m.start()] + " " + m.string[m.end():m.end() + 12]
        if not _RATIO_CONTEXT.search(near):
            return m.group(0)
    return f"{n.cardinal(a)} to {n.cardinal(b)}"


def _time_h(m: re.Match[str]) -> str:
    h = int(m["h"])
    if h > 12:
        return m.group(0)
    out = f"{n.cardinal(h)} {m['ap'].upper()}M"
    return out + (" " + m["tz"].upper() if m["tz"] else _period(m))


# ---- versions, quarters, identifiers ---------------------------------------

_VERSION_FULL = re.compile(r"(?<![\w.])(?P<v>[vV])?(?P<num>\d+(?:\.\d+){2,})(?![\w.]|\.\d)")
_VERSION_V = re.compile(r"(?<![\w.])(?P<v>[vV])(?P<num>\d+(?:\.\d+)?)\b")
_VERSION_CTX = re.compile(r"(?<![\w.])(?P<num>\d+\.\d+)(?![\w]|\.\d)")
_QUARTER = re.compile(r"\b(?P<q>Q|H|FY|CY)(?P<d>\d{1,4})\b")


def _version_words(num: str) -> str:
    return " point ".join(n.cardinal(int(p)) for p in num.split("."))


def _version_full(m: re.Match[str]) -> str:
    return ("v " if m["v"] else "") + _version_words(m["num"])


def _version_v(m: re.Match[str]) -> str:
    return "version " + _version_words(m["num"])


def _version_ctx(m: re.Match[str]) -> str:
    before = [w.lower().rstrip(".") for w in _words_before(m, VERSION_BEFORE_WINDOW)]
    if (before and before[-1] in VERSION_CONTEXT) or (
            len(before) == 2 and before[0] in VERSION_CONTEXT and before[1] in {"version", "v"}):
        return _version_words(m["num"])
    return m.group(0)


def _quarter(m: re.Match[str]) -> str:
    d = m["d"]
    if m["q"] in {"FY", "CY"}:
        y = int(d)
        return m["q"] + " " + (n.year(y) if len(d) == 4 else n.cardinal(y))
    return m["q"] + " " + n.cardinal(int(d))


# ---- percentages, ranges, measures -------------------------------------------

_CMP = {">": "more than", "<": "less than", ">=": "at least", "<=": "at most",
        "≥": "at least", "≤": "at most", "~": "about", "≈": "about", "+/-": "plus or minus",
        "±": "plus or minus"}
_CMP_RE = r"(?:(?P<cmp>>=|<=|\+/-|[<>~≈≥≤±])\s?)?"
_PERCENT = re.compile(
    rf"{_CMP_RE}(?P<neg>-)?(?P<a>{NUM})\s?%?\s?(?:-|–|to)\s?(?P<b>{NUM})\s?%(?P<plus>\+)?"
    rf"|{_CMP_RE.replace('cmp', 'cmp2')}(?P<neg2>-)?(?P<c>{NUM})\s?%(?P<plus2>\+)?")


def _percent(m: re.Match[str]) -> str:
    cmp = m["cmp"] or m["cmp2"]
    pre = _CMP[cmp] + " " if cmp else ""
    if m["a"] is not None:
        body = f"{n.number(('-' if m['neg'] else '') + m['a'])} to {n.number(m['b'])} percent"
        plus = m["plus"]
    else:
        body = f"{n.number(('-' if m['neg2'] else '') + m['c'])} percent"
        plus = m["plus2"]
    return pre + body + (" plus" if plus else "")


_UNIT_KEYS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_MEASURE = re.compile(
    rf"{_B}(?P<a>{NUM})(?:\s?(?:-|–|to)\s?(?P<b>{NUM}))?\s?(?P<scale>million|billion|thousand)?"
    rf"\s?(?P<unit>{_UNIT_KEYS})(?:/(?P<per>[A-Za-z]+))?(?![\w°])(?P<hy>-(?=[a-z]))?")
_PER_ONLY = re.compile(rf"{_B}(?P<a>{NUM})/(?P<per>{_UNIT_KEYS})\b")
_TIMES = re.compile(rf"{_B}(?P<a>{NUM})\s?[x×](?:\s?(?P<b>{NUM}))?(?![\w])")
_RANGE_TIMES = re.compile(rf"{_B}(?P<a>{NUM})\s?(?:-|–|to)\s?(?P<b>{NUM})\s?[x×](?![\w])")
_SCALED = re.compile(rf"{_B}(?P<a>{NUM})(?P<s>[KkMB]|bn|mn)(?P<plus>\+)?(?![\w])")
_RANGE = re.compile(rf"{_B}(?P<a>{NUM})\s?(?:-|–)\s?(?P<b>{NUM}){_E}(?!-\d|/)")
_RANGE_WORD = re.compile(rf"{_B}(?P<a>{NUM})\s?(?:-|–)\s?(?P<b>{NUM})(?P<hy>-)(?=[A-Za-z])")


def _measure(m: re.Match[str]) -> str:
    a, b, unit = m["a"], m["b"], m["unit"]
    if unit in {"m", "s", "h", "g", "l", "L", "V", "W", "ha", "us"} and m["scale"] is None:
        nxt = m.string[m.end():m.end() + 2]
        if re.match(r"\s?[A-Za-z]", nxt) and unit in {"m", "s", "l", "L", "us", "ha"}:
            return m.group(0)
    scale = f" {m['scale']}" if m["scale"] else ""
    last = b or a
    # "7.2-millimeter bullet": a compound adjective stays singular
    name = UNITS[unit][0] if m["hy"] else (UNITS[unit][1] if scale else _unit(unit, last))
    per = _per(m["per"], money=False) if m["per"] else ""
    if m["per"] and m["per"] in UNITS:
        per = " per " + UNITS[m["per"]][0]
    head = n.number(a) + (" to " + n.number(b) if b else "")
    return f"{head}{scale} {name}{per}" + (" " if m["hy"] else "")


def _per_only(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} per {UNITS[m['per']][0]}"


def _range_times(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} to {n.number(m['b'])} times"


def _times(m: re.Match[str]) -> str:
    if m["b"]:
        return f"{n.number(m['a'])} by {n.number(m['b'])}"
    return f"{n.number(m['a'])} times"


def _scaled(m: re.Match[str]) -> str:
    word = n.scale(m["s"])
    return f"{n.number(m['a'])} {word}" + (" plus" if m["plus"] else "")


def _is_year(s: str) -> bool:
    return len(s) == 4 and s.isdigit() and 1100 <= int(s) <= 2099


def _range(m: re.Match[str]) -> str:
    a, b = m["a"], m["b"]
    if _is_year(a) and (_is_year(b) or len(b) == 2):
        if len(b) == 2:
            return f"{n.year(int(a))} to {n.cardinal(int(b))}"
        return f"{n.year(int(a))} to {n.year(int(b))}"
    return f"{n.number(a)} to {n.number(b)}"


def _range_word(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} to {n.number(m['b'])} "


# ---- ordinals, decades, fractions, counts ------------------------------------

_ORDINAL = re.compile(rf"{_B}(?P<a>\d{{1,3}}(?:,\d{{3}})*|\d+)(?P<suf>st|nd|rd|th|ST|ND|RD|TH)\b")
_DECADE = re.compile(r"(?<![\w.])(?:(?P<full>\d{3}0)\s?'?s|'?(?P<short>[1-9]0)s)\b(?P<to>\s?[-–](?=\d|'\d))?")
_FRACTION_MIXED = re.compile(
    r"(?<![\w./])(?P<w>\d+)\s(?P<a>\d+)/(?P<b>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w/])"
    rf"(?:\s(?P<unit>{'|'.join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))})\b)?")
_FRACTION_SUFFIX = re.compile(r"(?<![\w./])(?P<a>\d+)/(?P<b>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)(?![\w/])")
_FRACTION = re.compile(r"(?<![\w./])(?P<a>\d+)/(?P<b>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w/])")
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5),
           "⅛": (1, 8)}
_VULGAR_RE = re.compile(rf"(?P<w>\d+)?\s?(?P<f>[{''.join(_VULGAR)}])")
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


def _fraction(m: re.Match[str]) -> str:
    a, b = int(m["a"]), int(m["b"])
    if (a, b) == (24, 7):
        return "twenty-four seven"
    if (a, b) == (9, 11):
        return "nine eleven"
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


# ---- identifiers, years, plain numbers -----------------------------------------

_IDENT = re.compile(r"(?<![\w.$])(?P<w>[A-Za-z]+)(?P<d>\d+)(?P<t>[A-Za-z]*)(?![\w.]|\.\d)")
_IDENT_LEAD = re.compile(r"(?<![\w.$])(?P<d>\d+)(?P<w>[A-Za-z]{1,3})\b")
_YEAR = re.compile(r"(?<![\w.,$])(?P<y>1[1-9]\d\d|20\d\d)(?!\w|\.\d|,\d)")
_YEAR_CTX = {"in", "since", "by", "from", "of", "until", "till", "to", "through", "year",
             "circa", "around", "before", "after", "during", "early", "late", "mid",
             "summer", "winter", "spring", "fall", "autumn", "q1", "q2", "q3", "q4", "fy",
             "between", "the", "back", "for", "christmas"}
_PLUS = re.compile(rf"{_B}(?P<a>{NUM})\+(?![\w])")
_NUMBER = re.compile(rf"(?<![\w.])(?P<neg>-|−)?(?P<a>{NUM})(?![\w])")
_DIGIT_RUN = re.compile(r"\d+")


def _ident(m: re.Match[str]) -> str:
    d = m["d"]
    num = n.digits(d) if (len(d) > 4 or d.startswith("0")) else n.cardinal(int(d))
    tail = m["t"]
    if tail:
        tail = " " + (tail if len(tail) > 1 and not tail.isupper() else " ".join(tail))
    return f"{m['w']} {num}{tail}"


def _ident_lead(m: re.Match[str]) -> str:
    w = m["w"]
    if w.lower() in {"st", "nd", "rd", "th", "s"}:
        return m.group(0)
    spoken = " ".join(w) if w.isupper() or len(w) == 1 else w
    return f"{n.cardinal(int(m['d']))} {spoken}"


def _year(m: re.Match[str]) -> str:
    y = m["y"]
    before = [w.lower() for w in _words_before(m, 1)]
    after = m.string[m.end():m.end() + 30]
    follows_noun = re.match(r"\s+(?:[a-z]+s|people|of)\b", after)
    if follows_noun and not (before and before[0] in _YEAR_CTX):
        return n.cardinal(int(y))
    return n.year(int(y))


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


RULES: list[Rule] = [
    Rule("money-words", _MONEY_WORDS, _money_words),
    Rule("money", _MONEY, _money),
    Rule("date-iso", _DATE_ISO, _date_ymd),
    Rule("date-ymd", _DATE_YMD, _date_ymd),
    Rule("date-numeric", _DATE_NUM, _date_num),
    Rule("date-mdy", _DATE_MDY, _date_mdy),
    Rule("date-dmy", _DATE_DMY, _date_dmy),
    Rule("month-year", _MONTH_YEAR, _month_year),
    Rule("ratio", _RATIO, _ratio),
    Rule("time", _TIME, _time),
    Rule("time-hour", _TIME_H, _time_h),
    Rule("time-range", _TIME_RANGE, lambda m: m["ap"] + " to "),
    Rule("quarter", _QUARTER, _quarter),
    Rule("version-full", _VERSION_FULL, _version_full),
    Rule("version-v", _VERSION_V, _version_v),
    Rule("version-context", _VERSION_CTX, _version_ctx),
    Rule("percent", _PERCENT, _percent),
    Rule("fraction-vulgar", _VULGAR_RE, _vulgar),
    Rule("fraction-mixed", _FRACTION_MIXED, _fraction_mixed),
    Rule("decade", _DECADE, _decade),
    Rule("measure-per", _PER_ONLY, _per_only),
    Rule("measure", _MEASURE, _measure),
    Rule("range-times", _RANGE_TIMES, _range_times),
    Rule("times", _TIMES, _times),
    Rule("scaled", _SCALED, _scaled),
    Rule("fraction-ordinal", _FRACTION_SUFFIX, _fraction),
    Rule("ordinal", _ORDINAL, _ordinal),
    Rule("hash", _HASH, _hash),
    Rule("number-abbr", _NUMBER_ABBR, _number_abbr),
    Rule("fraction", _FRACTION, _fraction),
    Rule("range-compound", _RANGE_WORD, _range_word),
    Rule("range", _RANGE, _range),
    Rule("identifier", _IDENT, _ident),
    Rule("identifier-lead", _IDENT_LEAD, _ident_lead),
    Rule("year", _YEAR, _year),
    Rule("plus", _PLUS, _plus),
    Rule("number", _NUMBER, _number),
    Rule("street", re.compile(r"\b(?P<name>[A-Z][a-z]+) St\.(?=\s|$)"),
         lambda m: m["name"] + " Street" + ("." if re.match(r"\s*(?:$|\s[A-Z])", m.string[m.end():]) else "")),
]


def digits_fallback(text: str) -> str:
    """Last resort: no digit may reach an engine, so read any survivor as a number."""
    return _DIGIT_RUN.sub(lambda m: " " + n.number(m.group(0)) + " ", text)
