"""The field's own written forms: file paths, command-line flags, letter grades ("B-tier"),
numbered identifiers ("RFC 8305", "port 8080") and letters-and-digits names ("EC2").

Each reading is the one engineers say aloud, and one reading is used everywhere, so both
voices say a path the same way (the issue 24 set: ``tests/normalize/data/field.tsv``).
"""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.acronyms import pronounceable
from render.normalize.tokens import Rule

LETTER_NAMES = {
    "A": "ay", "B": "bee", "C": "see", "D": "dee", "E": "ee", "F": "eff", "G": "gee", "H": "aitch", "I": "eye",
    "J": "jay", "K": "kay", "L": "el", "M": "em", "N": "en", "O": "oh", "P": "pee", "Q": "cue", "R": "ar",
    "S": "ess", "T": "tee", "U": "you", "V": "vee", "W": "double-you", "X": "ex", "Y": "why", "Z": "zee",
}

# /sys/kernel/debug/tracing/trace_pipe, ~/.kube/config, ./bin/run: two or more segments
_PATH = re.compile(r"(?<![\w/.:~])(?P<p>(?:~|\.{1,2})?(?:/[\w.@+-]+){2,}/?|(?:~|\.{1,2})/[\w.@+-]+(?:/[\w.@+-]+)*/?)"
                   r"(?<![.,;:!?])")
_FLAG = re.compile(r"(?<![\w-])--(?P<f>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)\b")
# "B-tier", "S-tier", "A-list", "T-shirt": one capital letter, a hyphen, a word
_LETTER_WORD = re.compile(r"(?<![\w-])(?P<l>[A-Z])-(?P<w>[a-z]{2,})\b")
# the number after these is an identifier, said as people say years and ports: "eighty-three oh five"
_ID_WORDS = r"RFC|RFCs|ISO|PEP|KEP|JSR|CVE|port|ports|Port|issue|Issue|PR|pull request|model|Model|build|Build"
_ID_NUMBER = re.compile(rf"\b(?P<k>{_ID_WORDS})\s(?P<d>\d{{3,5}})(?![\w,]|\.\d)")
# EC2, G5, MI300X: letters then digits; a run of capitals that is no word is spelled
_LETTERS_DIGITS = re.compile(r"(?<![\w.$-])(?P<w>[A-Z]{2,4})(?P<d>\d{1,3})(?![\w.]|\.\d)")


def _path(m: re.Match[str]) -> str:
    def part(segment: str) -> str:
        return re.sub(r"[._@+-]", lambda c: {".": " dot ", "_": " underscore ", "@": " at ", "+": " plus ",
                                              "-": " dash "}[c.group(0)], segment)

    p = m["p"]
    head = {"~": "home ", ".": "dot ", "..": "dot dot "}.get(p.split("/", 1)[0], "")
    segments = [s for s in p.split("/")[1:]]
    return " " + head + " ".join(f"slash {part(s)}" if s else "slash" for s in segments).strip() + " "


def _flag(m: re.Match[str]) -> str:
    return "dash dash " + m["f"].replace("-", " dash ")


def _letter_word(m: re.Match[str]) -> str:
    return f"{LETTER_NAMES[m['l']]} {m['w']}"


def identifier_number(digits: str) -> str:
    """A 3–5 digit identifier as it is said: 8305 "eighty-three oh five", 793 "seven
    ninety-three", 8080 "eighty eighty", 30080 digit by digit."""
    value = int(digits)
    if len(digits) == 4 and not digits.startswith("0"):
        return n.year(value)
    if len(digits) == 3 and not digits.startswith("0"):
        tail = int(digits[1:])
        return f"{n.cardinal(int(digits[0]))} " + (n.cardinal(tail) if tail >= 10 else
                                                  ("hundred" if tail == 0 else f"oh {n.cardinal(tail)}"))
    return n.digits(digits)


def _id_number(m: re.Match[str]) -> str:
    return f"{m['k']} {identifier_number(m['d'])}"


def _letters_digits(m: re.Match[str]) -> str:
    w, number = m["w"], n.cardinal(int(m["d"]))
    return f"{w} {number}" if pronounceable(w) else "-".join(w) + f" {number}"  # "E-C two": heard "EC2"


RULES: list[Rule] = [
    Rule("path", _PATH, _path),
    Rule("flag", _FLAG, _flag),
    Rule("letter-word", _LETTER_WORD, _letter_word),
    Rule("identifier-number", _ID_NUMBER, _id_number),
    Rule("letters-digits", _LETTERS_DIGITS, _letters_digits),
]
