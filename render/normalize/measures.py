"""Percentages, measures with units, multipliers and ranges ("10-40%", "5-10x", "3 GB/s")."""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.money import per_phrase
from render.normalize.tokens import END, NUM, START, Rule, attributive, unit_word
from render.normalize.units import (
    HYPHEN_UNITS,
    PER,
    PER_WORD,
    UNITS,
)

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
_HYPHEN_KEYS = "|".join(re.escape(u) for u in sorted(HYPHEN_UNITS, key=len, reverse=True))
# "a 10-GB disk", "a 100-ms budget": a measure joined to its noun is a compound adjective, the unit
# said in the singular ("a ten-gigabyte disk")
_MEASURE_HYPHEN = re.compile(rf"{START}(?P<a>{NUM})-(?P<unit>{_HYPHEN_KEYS})(?=\s[A-Za-z])")
# "800ms-1.2s", "1 GB - 2 TB": a range with a unit on each side
_RANGE_UNITS = "|".join(re.escape(u) for u in sorted(HYPHEN_UNITS | {"s"}, key=len, reverse=True))
_MEASURE_RANGE = re.compile(rf"{START}(?P<a>{NUM})\s?(?P<u1>{_RANGE_UNITS})\s?(?:-|–|to)\s?"
                            rf"(?P<b>{NUM})\s?(?P<u2>{_RANGE_UNITS})(?![\w°/])")
# "250m CPU", "500m of CPU": Kubernetes millicores
_MILLICORES = re.compile(rf"{START}(?P<a>\d+)m(?=\s(?P<of>of\s)?(?:CPU|cpu|vCPU|vcpu|cores?)\b)")
# "requests.cpu to 250m", "cpu: 500m": millicores after the word that says so
_MILLICORES_AFTER = re.compile(r"(?P<pre>\b(?:CPU|cpu)\b[\"']?\s*(?:(?::|=|to|of|at|is|equals)\s*)?)(?P<a>\d+)m\b(?![\w'-])")
# "tok/s", "requests/s", "events/day": a word counted per period
_WORD_PER = re.compile(r"(?<![\w/])(?P<w>[A-Za-z]+)/(?P<per>s|sec|min|h|hr|day|d|wk|week|mo|month|yr|year)\b(?!/)")
# "2^32", "10^9": a power
_POWER = re.compile(rf"{START}(?P<a>{NUM})\^(?P<b>\d+)\b")
_MEASURE = re.compile(
    rf"{START}(?P<a>{NUM})(?:\s?(?:-|–|to)\s?(?P<b>{NUM}))?\s?(?P<scale>million|billion|thousand)?"
    rf"\s?(?P<unit>{_UNIT_KEYS})(?:/(?P<per>[A-Za-z]+))?(?![\w°])(?P<hy>-(?=[a-z]))?")
_PER_ONLY = re.compile(rf"{START}(?P<a>{NUM})/(?P<per>{_UNIT_KEYS})\b")
# "2/week", "20/day": a count per period, said "two a week"
_PER_PERIOD = re.compile(rf"{START}(?P<a>{NUM})/(?P<per>week|wk|day|month|mo|year|yr|hour|hr|night|sprint|quarter)\b")
# "4h 23m", "1h30m", "2m 10s": a duration in parts (the "m" after hours is minutes, not meters)
_DURATION = re.compile(r"(?<![\w.])(?:(?P<h>\d{1,3})\s?h\s?(?P<hm>\d{1,2})\s?m(?:in)?|(?P<m>\d{1,3})\s?m(?:in)?\s?"
                       r"(?P<s>\d{1,2})\s?s)\b")
# "every 5s", "2.5s", "from 30s to 15s": seconds glued to the number; "the 90s" and "his 40s" are decades
_SECONDS = re.compile(r"(?<![\w.'’])(?P<a>\d+(?:\.\d+)?)s\b(?!['’-])")
_DECADE_BEFORE = re.compile(r"\b(?:the|his|her|their|my|our|your|its|early|late|mid)[\s-]$", re.I)
_DECADE_PAIR = re.compile(r"(?<![\w.])(?P<a>[1-9]0|\d{3}0)'?s(?:\s?[-–]\s?|\s(?:and|or|to|through|into)\s)$")
# "a 5m window", "every 5m": minutes glued to the number, where a duration is plainly meant
# (elsewhere "5m" may be meters, millicores or a million, and is left alone)
# "cheaper per GB", "billed per TB scanned": a unit after "per" with no number is its name
_PER_UNIT = re.compile(r"\b(?P<per>[Pp]er)\s(?P<u>[KMGTP]i?B|[KMGT]bps)\b")
# "a few hundred ms", "single-digit ms", "sub-ms": milliseconds after a word that counts them
_MS_AFTER_WORD = re.compile(r"\b(?P<w>hundred|hundreds|thousand|few|digit|digits|tens|dozen|of|sub)(?P<sep>[\s-])ms\b(?![-.]\w)")
_MINUTES = re.compile(rf"{START}(?P<a>\d+)m\b(?!['’-])")
_MINUTES_BEFORE = re.compile(r"\b(?:every|each|last|past|within|after|over|for|in|under|took|takes|take|taking|"
                             r"lasted|lasts|spent|waited|about|around|roughly|nearly|almost)\s$", re.I)
_MINUTES_AFTER = re.compile(r"\s(?:windows?|intervals?|range|rate|average|lookback|timeout|ttl|TTL|retention|"
                            r"resolution|scrapes?|delay|cooldown|period|buckets?|steps?|cadence|schedule|"
                            r"cron|lag|burn|SLO|slo|later|ago|earlier|in|into)\b")  # "5m later": no meters pass
# "7d retention", "every 30d", "7d by default": days glued to the number, where a period is meant
_DAYS = re.compile(rf"{START}(?P<a>\d+)d\b(?!['’-])")
_DAYS_AFTER = re.compile(r"\s(?:retention|ttl|TTL|windows?|lookback|history|rolling|ago|old|by default|"
                         r"of (?:data|logs|metrics|history|retention)|SLO|slo|expiry|rotation)\b")
_DAYS_COUNTED = re.compile(r"\s(?:ago|old|by default|of)\b")  # after these, "seven days", not "seven-day"
_DAYS_BEFORE = re.compile(r"\b(?:is|of|to|from|at)\s$")
_NOT_MINUTES = re.compile(r"\s(?:of|CPU|cpu|vCPU|cores?|millicores?)\b")
_TIMES = re.compile(rf"{START}(?P<a>{NUM})\s?[x×](?:\s?(?P<b>{NUM}))?(?![\w])")
_RANGE_TIMES = re.compile(rf"{START}(?P<a>{NUM})\s?[x×]?\s?(?:-|–|to)\s?(?P<b>{NUM})\s?[x×](?![\w])")  # "2-3x", "2x-3x"
_SCALED = re.compile(rf"{START}(?P<a>{NUM})(?P<s>[KkMB]|bn|mn)(?P<plus>\+)?(?![\w])")
_RANGE = re.compile(rf"{START}(?<!\d-)(?P<a>{NUM})\s?(?:-|–)\s?(?P<b>{NUM}){END}(?!-\d|/)")  # not in "1-10-100"
# "Part 2 - 50 nodes": a singular label before the first number makes a spaced dash no range
_LABEL = re.compile(r"\b(?:Part|Step|Phase|Season|Chapter|Episode|Lesson|Module|Level|Stage|Round|Section|Act|"
                    r"Lab|Unit|Exercise|Slide|Figure|Table|Item|Question|Rule|Tip|Takeaway|Pillar)\s$")
_RANGE_WORD = re.compile(rf"{START}(?P<a>{NUM})\s?(?:-|–)\s?(?P<b>{NUM})(?P<hy>-)(?=[A-Za-z])")


def _unit_said(m: re.Match[str], unit: str, num: str) -> str:
    """The unit's name after ``num``: singular before its noun ("a 40 KB payload"), else by the number."""
    return UNITS[unit][0] if attributive(m) else unit_word(unit, num)


def _glued(m: re.Match[str], unit: str) -> str:
    return f"{n.number(m['a'])} {_unit_said(m, unit, m['a'])}"


def _decade_at(text: str, start: int) -> bool:
    """Whether "NNs" at ``start`` names a decade: after "the", "his", "early" …, or paired with
    one ("the 80s and 90s", "the 60s-80s"); "from 60s to 30s" stays seconds."""
    if _DECADE_BEFORE.search(text, 0, start):
        return True
    pair = _DECADE_PAIR.search(text, 0, start)
    return pair is not None and (len(pair["a"]) == 4 or _decade_at(text, pair.start()))


def _seconds(m: re.Match[str]) -> str:
    a = m["a"]
    if "." not in a:
        if len(a) == 4 and a.endswith("0") and (a.startswith("1") or a.startswith("20")):
            return m.group(0)  # "1990s" ("3600s" is seconds)
        if int(a) in range(10, 100, 10) and _decade_at(m.string, m.start()):
            return m.group(0)  # "the 90s", "the 80s and 90s": the decade rule's
        if int(a) % 10 == 0 and m.string.startswith(" of", m.end()):
            return m.group(0)  # "10s of nodes", "100s of pods": tens, hundreds
    return _glued(m, "s")


def _minutes(m: re.Match[str]) -> str:
    if _NOT_MINUTES.match(m.string, m.end()):
        return m.group(0)  # "500m of CPU": millicores
    if _MINUTES_AFTER.match(m.string, m.end()) or _MINUTES_BEFORE.search(m.string, 0, m.start()):
        return _glued(m, "min")
    return m.group(0)


def _measure(m: re.Match[str]) -> str:
    a, b, unit = m["a"], m["b"], m["unit"]
    if unit in {"m", "s", "h", "g", "l", "L", "V", "W", "ha", "us"} and m["scale"] is None:
        nxt = m.string[m.end():m.end() + 2]
        if re.match(r"\s?[A-Za-z]", nxt) and unit in {"m", "s", "l", "L", "us", "ha"} and not (
                unit in {"s", "m"} and "." in a and m.string[m.end() - 2:m.end() - 1] == " "):
            return m.group(0)  # "5 m left"? a word follows; "1.8 s to 180 ms" is plainly a measure
    scale = f" {m['scale']}" if m["scale"] else ""
    last = b or a
    # "7.2-millimeter bullet": a compound adjective stays singular
    name = UNITS[unit][0] if m["hy"] else (UNITS[unit][1] if scale else _unit_said(m, unit, last))
    per = per_phrase(m["per"], money=False) if m["per"] else ""
    if m["per"] and m["per"] in UNITS:
        per = " per " + UNITS[m["per"]][0]
    head = n.number(a) + (" to " + n.number(b) if b else "")
    return f"{head}{scale} {name}{per}" + (" " if m["hy"] else "")


def _days(m: re.Match[str]) -> str:
    after = _DAYS_AFTER.match(m.string, m.end())
    if after and not _DAYS_COUNTED.match(after.group(0)):
        return f"{n.number(m['a'])}-day"  # "a 30d window", "90d retention": "thirty-day window"
    if after or _MINUTES_BEFORE.search(m.string, 0, m.start()) or _DAYS_BEFORE.search(m.string, 0, m.start()):
        return f"{n.number(m['a'])} {'day' if m['a'] == '1' else 'days'}"
    return m.group(0)


def _measure_range(m: re.Match[str]) -> str:
    if "s" in (m["u1"], m["u2"]) and all(x.isdigit() and x.endswith("0") for x in (m["a"], m["b"])):
        return m.group(0)  # "the 1960s-80s", "60s-80s": decades, or seconds the other rules read
    return (f"{n.number(m['a'])} {unit_word(m['u1'], m['a'])} to "
            f"{n.number(m['b'])} {unit_word(m['u2'], m['b'])}")


def _measure_hyphen(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])}-{UNITS[m['unit']][0]}"


def _millicores(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} {'millicores' if m['of'] else 'millicore'}"


def _word_per(m: re.Match[str]) -> str:
    w = m["w"]
    if w.isupper() and len(w) > 1 and w not in UNITS:
        return m.group(0)  # "TCP/s"? no: "I/O", "CI/CD" never end in a period
    said = UNITS[w][1] if w in UNITS else PER_WORD.get(w.lower(), w)
    return f"{said} per {PER.get(m['per'], m['per'])}"


def _power(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} to the power of {n.cardinal(int(m['b']))}"


def _per_only(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} per {UNITS[m['per']][0]}"


def _per_period(m: re.Match[str]) -> str:
    period = PER.get(m["per"], m["per"])
    return f"{n.number(m['a'])} {'an' if period == 'hour' else 'a'} {period}"


def _duration(m: re.Match[str]) -> str:
    parts = [("h", m["h"]), ("min", m["hm"])] if m["h"] else [("min", m["m"]), ("s", m["s"])]
    return " ".join(f"{n.cardinal(int(value))} {unit_word(unit, value)}" for unit, value in parts)


def _range_times(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} to {n.number(m['b'])} times"


def _times(m: re.Match[str]) -> str:
    if m["b"]:
        return f"{n.number(m['a'])} by {n.number(m['b'])}"
    return f"{n.number(m['a'])} times"


# "a 7B model", "Llama 3.1 70B": a model's size in parameters is said "seventy B"
_MODEL_AFTER = re.compile(r"[\s-](?:models?|param|params|parameters?|instruct|chat|base|MoE)\b", re.I)
_MODEL_BEFORE = re.compile(r"\b(?:llama|lama|mistral|mixtral|qwen\d*|gemma\d*|phi|falcon|deepseek|olmo|granite|"
                           r"command|yi)(?:[\s-]+(?:[\d.]+|zero|one|two|three|four|five|six|seven|eight|nine|ten|point|oh))*"
                           r"[\s-]$", re.I)  # "Llama 3 8B", "Mistral-7B", "Qwen2.5-7B"


def _scaled(m: re.Match[str]) -> str:
    if m["s"] == "B" and not m["plus"] and (_MODEL_AFTER.match(m.string, m.end())
                                             or _MODEL_BEFORE.search(m.string[:m.start()])):
        return f"{n.number(m['a'])} B"
    word = n.scale(m["s"])
    return f"{n.number(m['a'])} {word}" + (" plus" if m["plus"] else "")


def _value(s: str) -> float:
    return float(s.replace(",", ""))


def _is_year(s: str) -> bool:
    return len(s) == 4 and s.isdigit() and 1100 <= int(s) <= 2099


def _range(m: re.Match[str]) -> str:
    a, b = m["a"], m["b"]
    spaced = re.search(r"\s[-–]\s", m.group(0))
    if spaced and (("," in b and "," not in a) or _value(b) > 100 * max(_value(a), 1) or _LABEL.search(
            m.string[:m.start()])):
        return f"{n.number(a)}, {n.number(b)}"  # "Part 3 - 100,000 node clusters": a label, then a number
    if _is_year(a) and (_is_year(b) or (len(b) == 2 and b.isdigit())):
        if len(b) == 2:
            return f"{n.year(int(a))} to {n.cardinal(int(b))}"
        return f"{n.year(int(a))} to {n.year(int(b))}"
    return f"{n.number(a)} to {n.number(b)}"


def _range_word(m: re.Match[str]) -> str:
    return f"{n.number(m['a'])} to {n.number(m['b'])} "


RULES: list[Rule] = [
    Rule("measure-range", _MEASURE_RANGE, _measure_range),
    Rule("duration", _DURATION, _duration),
    Rule("seconds", _SECONDS, _seconds),
    Rule("millicores-after-cpu", _MILLICORES_AFTER, lambda m: f"{m['pre']}{n.number(m['a'])} millicores"),
    Rule("per-unit", _PER_UNIT, lambda m: f"{m['per']} {UNITS[m['u']][0]}"),
    Rule("ms-after-word", _MS_AFTER_WORD,
         lambda m: m["w"] + m["sep"] + ("millisecond" if m["w"] == "sub" else "milliseconds")),
    Rule("minutes", _MINUTES, _minutes),
    Rule("days", _DAYS, _days),
    Rule("per-period", _PER_PERIOD, _per_period),
    Rule("percent", _PERCENT, _percent),
    Rule("measure-per", _PER_ONLY, _per_only),
    Rule("measure-hyphen", _MEASURE_HYPHEN, _measure_hyphen),
    Rule("millicores", _MILLICORES, _millicores),
    Rule("word-per", _WORD_PER, _word_per),
    Rule("power", _POWER, _power),
    Rule("measure", _MEASURE, _measure),
    Rule("range-times", _RANGE_TIMES, _range_times),
    Rule("times", _TIMES, _times),
    Rule("scaled", _SCALED, _scaled),
    Rule("range-compound", _RANGE_WORD, _range_word),
    Rule("range", _RANGE, _range),
]
