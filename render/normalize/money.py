"""Money: amounts with currency symbols and scales ("$2.16 million", "€40K/month")."""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.tokens import DETERMINER, NUM, SCALE, Rule, is_one
from render.normalize.units import (
    CURRENCIES,
    PER,
    SUBUNITS,
)

_CUR = "|".join(re.escape(c) for c in sorted(CURRENCIES, key=len, reverse=True))
_MONEY = re.compile(
    rf"(?P<neg>-)?(?P<cur>{_CUR})\s?(?P<a>{NUM})(?:\s?(?:-|–|to)\s?(?:{_CUR})?(?P<b>{NUM}))?"
    rf"(?:\s?(?P<scale>{SCALE})\b)?(?:\s?(?:/|\bper\s|\ba\s)(?P<per>[A-Za-z]+)\b)?"
)
# "a $400M valuation", "a $5 fee": an amount before one of these nouns is said in the singular,
# as a compound adjective ("a four hundred million dollar valuation"); a closed list, because
# "the $40M went to hiring" must keep its plural and no rule tells the verb from the noun
_ATTRIBUTIVE = re.compile(r"(?:\s[A-Za-z][\w-]*)?\s(?:valuation|budget|bill|deal|contract|round|fine|fee|raise|investment|"
                          r"acquisition|loss|problem|mistake|question|company|business|market|check|invoice|"
                          r"commitment|increase|cut|discount|credit|grant|donation|salary|hole|gap|line|item|"
                          r"overrun|surprise|price|savings|project|program|industry|outage|error|lesson)s?\b")
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
    return words + " " + (one if is_one(raw) else many)


SUBUNIT_CURRENCIES = set(SUBUNITS)


def per_phrase(word: str | None, money: bool) -> str:
    if not word:
        return ""
    unit = PER.get(word, PER.get(word.lower(), word))
    if not money:
        return " per " + unit
    return (" an " if unit[0] in "aeiou" or unit == "hour" else " a ") + unit


def _money(m: re.Match[str]) -> str:
    cur, a, b, scale_word = m["cur"], m["a"], m["b"], m["scale"]
    neg = "minus " if m["neg"] else ""
    # "$5/month" is "five dollars a month"; where the script writes "per", the voice says it
    per = per_phrase(m["per"], money=not re.search(r"\bper\s", m.group(0)))
    before_noun = not per and bool(DETERMINER.search(m.string, 0, m.start()) and _ATTRIBUTIVE.match(m.string, m.end()))
    if scale_word and (sc := n.scale(scale_word)):
        many = CURRENCIES[cur][0 if before_noun else 1]
        amount = n.number(a) + (" to " + n.number(b) if b else "")
        return f"{neg}{amount} {sc} {many}{per}"
    if b:
        both = bool(re.search(rf"(?:-|–|to)\s?(?:{_CUR})", m.group(0))) or "." in a
        return f"{neg}{_amount(cur, a, both)} to {_amount(cur, b, True)}{per}"
    if before_noun and "." not in a:
        return f"{neg}{n.number(a)} {CURRENCIES[cur][0]}"
    return f"{neg}{_amount(cur, a, True)}{per}"


def _money_words(m: re.Match[str]) -> str:
    return f"{m['word']} of {CURRENCIES[m['cur']][1]}{per_phrase(m['per'], money=True)}"


RULES: list[Rule] = [
    Rule("money-words", _MONEY_WORDS, _money_words),
    Rule("money", _MONEY, _money),
]
