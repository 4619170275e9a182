"""What every rewrite rule shares: the number pattern, token edges and the Rule type."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from render.normalize.change import Change
from render.normalize.units import UNITS

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
SCALE = r"(?:thousand|million|billion|trillion|[KkMmBbTt](?:n|N)?)"
START = r"(?<![\w.])"  # number starts a token
END = r"(?![\w])"
# A word that makes the measure or amount after it an adjective when a noun follows: "a 40 KB
# payload", "a single 80 GB card", "each 8 GB node", "its $6.4 billion acquisition". Shared
# by measures and money, which both say their unit in the singular there.
DETERMINER = re.compile(r"\b(?:(?:[Aa]n?)(?:\s[a-z]+)?|[Tt]he|[Tt]his|[Tt]hat|[Ee]ach|[Ee]very|[Oo]ne|[Oo]ur|"
                        r"[Tt]heir|[Yy]our|[Ii]ts|[Hh]is|[Mm]y|[\w-]+['’]s)\s$")
_NOUN_AFTER = re.compile(r"\s(?!(?:of|per|a|an|and|or|to|in|on|at|for|each|every|is|was|are|were|that|which|"
                         r"than|from|by|with|ago|later|earlier|before|after|into|up|down|off|out)\b)[a-z]")


@dataclass(frozen=True)
class Rule:
    """One rewrite: a pattern and what to say for each match."""

    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str]], str]


def apply(rules: Sequence[Rule], text: str, trace: list[Change] | None = None) -> str:
    """Each rule over the whole text in turn; ``trace`` collects what each changed and which
    rule did (``render normalize --explain``)."""
    for rule in rules:
        if trace is not None:
            trace += [Change(m.group(0).strip(), said.strip(), f"rule: {rule.name}") for m in rule.pattern.finditer(text)
                      if (said := rule.speak(m)).strip() != m.group(0).strip()]  # not a change of spacing alone
        text = rule.pattern.sub(rule.speak, text)
    return text


def words_before(m: re.Match[str], count: int) -> list[str]:
    head = m.string[: m.start()]
    return re.findall(r"[A-Za-z][\w.+#-]*", head)[-count:]


def is_one(num: str) -> bool:
    return num.replace(",", "") in {"1", "1.0", "1.00"}


def unit_word(sym: str, num: str) -> str:
    one, many = UNITS[sym]
    return one if is_one(num) else many


def attributive(m: re.Match[str]) -> bool:
    """Whether a measure stands before its noun after "a"/"an" ("a 40 KB payload"), where
    English says the unit in the singular ("a forty kilobyte payload")."""
    return bool(DETERMINER.search(m.string, 0, m.start()) and _NOUN_AFTER.match(m.string, m.end()))
