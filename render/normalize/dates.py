"""Dates and times: calendar dates in every common order, months with years, clock times, ratios."""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.tokens import Rule
from render.normalize.units import (
    MONTH_BY_NUMBER,
    MONTHS,
)

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
_DATE_MDY = re.compile(
    rf"\b{_MON}(?:\s+|-){_DAY}(?:\s?(?:-|–|to|through)\s?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)?"
    r"(?:(?:,?\s+|-)(?P<y>\d{4}))?(?!\d|:)", re.I)
_DATE_DMY = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}(?:,?\s+(?P<y>\d{{4}}))?\b", re.I)
_DATE_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DATE_NUM = re.compile(r"\b(?P<m>\d{1,2})(?P<sep>[/.-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b")
# "on 11/3", "due 12/15": a month and a day after a word that introduces a date (US order); not
# "by 1/3" or "after 1/2 of the nodes", which are fractions
_DATE_MD = re.compile(r"\b(?P<w>on|since|until|till|before|after|through|starting|ending|due)\s"
                      r"(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?![\w/]|\.\d|\s+of\b)", re.I)
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


def _date_md(m: re.Match[str]) -> str:
    return f"{m['w']} {MONTH_BY_NUMBER[int(m['m'])]} {n.ordinal(int(m['d']))}"


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
    rf"\b(?P<h>\d{{1,2}})[:.](?P<m>\d{{2}})(?::(?P<s>\d{{2}}))?(?:\s?{_AMPM})?(?:\s?(?P<tz>(?-i:[A-Z]{{2,4}}T)|est|pst|cst|utc|gmt|[ECMP]ST|UTC|GMT|[ecmp]\.s\.t\b\.?)\b)?",
    re.I)
_CLOCK_BEFORE = re.compile(r"\b(?:at|by|until|till|from|since|around|before|after|starting)\s$", re.I)
_RATIO = re.compile(r"(?<![\w.:])(?P<a>\d{1,3}):(?P<b>\d{1,3})(?![\w:]|\.\d)")
_RATIO_CONTEXT = re.compile(r"\b(?:ratios?|odds|split|aspect|scale|compression|mix)\b", re.I)
_TIME_RANGE = re.compile(r"\b(?P<ap>[AP]M)\s?[-–]\s?(?=[*_~`\s]*\w)")
_TIME_H = re.compile(rf"\b(?P<h>\d{{1,2}})\s?{_AMPM}(?:\s?(?P<tz>[ECMP]ST|UTC|GMT|est|pst|utc)\b)?",
                     re.I)


def _count(value: int, unit: str) -> str:
    """``value`` of a time ``unit``: "one hour", "thirty minutes"."""
    return f"{n.cardinal(value)} {unit if value == 1 else unit + 's'}"


def _clock(h: int, mi: int, ap: str | None) -> str:
    if (h, mi) in ((0, 0), (24, 0)) and not ap:
        return "midnight"  # "00:00 UTC": "zero o'clock" is nobody's
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
        if m["ap"]:  # "10:00:00 p.m.": every part said, as NeMo's reference reads it
            out = f"{_count(h, 'hour')} {_count(mi, 'minute')} and {_count(sec, 'second')} {m['ap'].upper()}M"
        elif m["tz"] or _CLOCK_BEFORE.search(m.string, 0, m.start()):
            # "at 10:30:00 UTC": a clock time, its seconds said only when they are not zero
            out = _clock(h, mi, None) + (f" and {_count(sec, 'second')}" if sec else "")
        else:  # "ran 01:15:00": a duration, its zero parts not said
            said = [_count(v, unit) for v, unit in ((h, "hour"), (mi, "minute"), (sec, "second")) if v]
            said = said or ["zero seconds"]
            out = " and ".join([" ".join(said[:-1]), said[-1]]) if len(said) > 1 else said[0]
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


RULES: list[Rule] = [
    Rule("date-iso", _DATE_ISO, _date_ymd),
    Rule("date-ymd", _DATE_YMD, _date_ymd),
    Rule("date-numeric", _DATE_NUM, _date_num),
    Rule("date-md", _DATE_MD, _date_md),
    Rule("date-mdy", _DATE_MDY, _date_mdy),
    Rule("date-dmy", _DATE_DMY, _date_dmy),
    Rule("month-year", _MONTH_YEAR, _month_year),
    Rule("ratio", _RATIO, _ratio),
    Rule("time", _TIME, _time),
    Rule("time-hour", _TIME_H, _time_h),
    Rule("time-range", _TIME_RANGE, lambda m: m["ap"] + " to "),
]
