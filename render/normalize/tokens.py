"""What every rewrite rule shares: the number pattern, token edges and the Rule type."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from render.normalize.units import UNITS

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
SCALE = r"(?:thousand|million|billion|trillion|[KkMmBbTt](?:n|N)?)"
START = r"(?<![\w.])"  # number starts a token
END = r"(?![\w])"


@dataclass(frozen=True)
class Rule:
    """One rewrite: a pattern and what to say for each match."""

    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str]], str]


def words_before(m: re.Match[str], count: int) -> list[str]:
    head = m.string[: m.start()]
    return re.findall(r"[A-Za-z][\w.+#-]*", head)[-count:]


def is_one(num: str) -> bool:
    return num.replace(",", "") in {"1", "1.0", "1.00"}


def unit_word(sym: str, num: str) -> str:
    one, many = UNITS[sym]
    return one if is_one(num) else many
