"""Numbers to American English words.

num2words does the heavy lifting; this module fixes its British "and"
(``one hundred and five``), reads decimals digit by digit after the point as
a host would, and adds the year and digit-string readings TTS needs.
"""

from __future__ import annotations

from functools import lru_cache

from num2words import num2words

_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_SCALES = {"k": "thousand", "m": "million", "mm": "million", "mn": "million", "b": "billion",
           "bn": "billion", "t": "trillion", "tn": "trillion", "thousand": "thousand",
           "million": "million", "billion": "billion", "trillion": "trillion"}


def _clean(words: str) -> str:
    return words.replace(",", "").replace(" and ", " ")


@lru_cache(maxsize=4096)
def cardinal(n: int) -> str:
    """``1234`` → ``one thousand two hundred thirty-four``."""
    if n < 0:
        return "minus " + cardinal(-n)
    return _clean(num2words(n))


@lru_cache(maxsize=4096)
def ordinal(n: int) -> str:
    """``21`` → ``twenty-first``."""
    return _clean(num2words(n, to="ordinal"))


def digits(s: str) -> str:
    """``007`` → ``zero zero seven``."""
    return " ".join(_DIGITS[int(c)] for c in s if c.isdigit())


def number(s: str) -> str:
    """Read a written number: separators, sign, decimals (``-1,234.05``)."""
    s = s.replace(",", "").strip()
    neg = s.startswith(("-", "−"))
    s = s.lstrip("-−+")
    if "." in s:
        whole, frac = s.split(".", 1)
        head = cardinal(int(whole)) if whole else ""
        words = (head + " point " + digits(frac)).strip() if frac else head
    else:
        words = cardinal(int(s)) if s else ""
    return ("minus " + words) if neg else words


@lru_cache(maxsize=1024)
def year(n: int) -> str:
    """``2025`` → ``twenty twenty-five``; ``2008`` → ``two thousand eight``; ``1905`` → ``nineteen oh five``."""
    if n < 1000 or n > 9999:
        return cardinal(n)
    hi, lo = divmod(n, 100)
    if lo == 0:
        return cardinal(n) if hi % 10 == 0 else cardinal(hi) + " hundred"
    if 2000 <= n < 2010:
        return cardinal(n)
    if lo < 10:
        return cardinal(hi) + " oh " + cardinal(lo)
    return cardinal(hi) + " " + cardinal(lo)


def plural(words: str) -> str:
    """Pluralise a number word for decades and fractions (``twenty`` → ``twenties``)."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"


def decade(n: int) -> str:
    """``1990`` (from 1990s) → ``nineteen nineties``; ``2000s`` → ``two thousands``."""
    if n % 100 == 0:
        return plural(cardinal(n)) if n % 1000 == 0 else plural(year(n))
    return plural(year(n))


def scale(word: str) -> str | None:
    """``K`` → ``thousand``, ``bn`` → ``billion``; None if not a magnitude."""
    return _SCALES.get(word.lower())


def fraction(num: int, den: int) -> str:
    """``1/3`` → ``one third``; ``3/4`` → ``three quarters``; ``1/2`` → ``one half``."""
    if den == 2:
        name = "half" if num == 1 else "halves"
    elif den == 4:
        name = "quarter" if num == 1 else "quarters"
    elif den == 1:
        return cardinal(num) + " over one"
    else:
        name = ordinal(den)
        if num != 1:
            name = plural(name) if not name.endswith("th") else name + "s"
    return cardinal(num) + " " + name
