"""Stage 2, normalization: written text in, spoken text out, so every engine reads numbers and symbols right.

The stage is a :class:`Normalizer`: a lexicon plus the ordered rules in
:mod:`render.normalize.rules`. It is pure text-to-text, cheap to build and
safe to share across threads; workers build their own. ``sentences`` splits each
turn into the sentences an engine is given, written and spoken side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from render.normalize.acronyms import spell_unknown, split_names
from render.normalize.change import Change
from render.normalize.lexicon import Lexicon
from render.normalize.rules import RULES, digits_fallback
from render.normalize.tokens import Rule, apply
from render.normalize.units import MONTHS


def _rule(name: str, pattern: re.Pattern[str], said: str | Callable[[re.Match[str]], str]) -> Rule:
    """A rewrite written as a pattern and its replacement (a template or a function)."""
    return Rule(name, pattern, said if callable(said) else lambda m: m.expand(said))


_KEYS = r"(?:Ctrl|Cmd|Alt|Shift|Option|Opt|Meta|Super|Fn)"
_MONTH_NAMES = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
# Before the lexicon: typography, Latin and chat abbreviations, and written forms whose pieces
# the lexicon or the rules would otherwise read apart
PRE: list[Rule] = [
    _rule("dash-pause", re.compile(r"\s*—\s*|\s+–\s+|\s--\s"), ", "),
    _rule("ellipsis", re.compile(r"…"), "..."),
    _rule("double-quotes", re.compile(r"[“”„«»]"), '"'),
    _rule("single-quotes", re.compile(r"[‘’‚]"), "'"),
    # "2 × 3" is a dimension ("two by three"); after a money amount or a percentage ("$0.10 × 24")
    # it multiplies, and gluing an "x" to the amount would leave "ten centsx".
    _rule("times-sign", re.compile(r"(?P<left>(?<!\S)[$€£¥]?[\d.,]*\d%?)\s*×\s*(?=\d)"),
          lambda m: m["left"] + (" times " if m["left"][0] in "$€£¥" or m["left"].endswith("%") else "x")),
    _rule("short-list-comma", re.compile(r"(?<=\d),(?=\d{1,2}\b)"), ", "),
    # "~$49k", "~20 min": a tilde before an amount is "about" (in "~/.kube" it is a home folder)
    _rule("tilde-about", re.compile(r"(?<![\w~])~\s?(?=[$€£¥]?\d)"), "about "),
    _rule("section-sign", re.compile(r"§§?\s?"), "section "),
    # "<1ms", ">99.9%", "≤3 GB": a comparison glued to a number ("sim > 0.8", spaced, is a symbol below)
    _rule("compare-before-number", re.compile(r"(?<![\w)<>=-])(?P<c>>=|<=|[<>≤≥])(?=[$€£¥]?\.?\d)"),
          lambda m: {">": "more than ", "<": "less than ", ">=": "at least ", "<=": "at most ",
                     "≥": "at least ", "≤": "at most "}[m["c"]]),
    # Latin and chat abbreviations espeak-ng spells ("vs." "V-S", "i.e." "I-E", "w/" "W slash") or
    # ends a sentence at ("e.g."): said as the words people say for them
    _rule("versus", re.compile(r"\b[Vv]s\.?(?=\s)"), "versus"),
    _rule("for-example", re.compile(r"\b[Ee]\.g\.,?(?=\s)"), "for example"),
    _rule("that-is", re.compile(r"\b[Ii]\.e\.,?(?=\s)"), "that is"),
    _rule("also-known-as", re.compile(r"\b[Aa]\.?[Kk]\.?[Aa]\.(?=\s)|\baka\b"), "also known as"),
    _rule("without", re.compile(r"(?<![\w/])[Ww]/[Oo](?![\w/])"), "without"),
    _rule("with", re.compile(r"(?<![\w/])[Ww]/(?=\s)"), "with"),
    # "A/B testing", "I/O", "R/W": two capitals around a slash are letters ("A-B"), not "a B"
    _rule("letter-slash-letter", re.compile(r"(?<![\w/])(?P<a>[A-Z])/(?P<b>[A-Z])(?![\w/])"), r"\g<a>-\g<b>"),
    # a count of a plural noun per a singular one: "1.3 bytes/sample", "40 tokens/request" ("and/or",
    # "pros/cons", "read/write", a folder "tests/unit" are no rate)
    _rule("count-per-noun", re.compile(r"(?<=\d )(?P<a>[a-z]{2,}[a-rt-z]s)/(?P<b>[a-z]{2,}[a-rt-z])(?![\w/])"),
          r"\g<a> per \g<b>"),
    # "3pp", "2 pp": percentage points
    _rule("percentage-points", re.compile(r"(?<=\d)\s?pp\b"), " percentage points"),
    # "/24s": CIDR blocks of that size, not seconds
    _rule("cidr-sizes", re.compile(r"(?<![\w/])/(?P<n>\d{1,3})s\b"), lambda m: f"slash {m['n']}'s"),
    # "from 4h to 45m", "2h-45m", "1h 30m": minutes beside hours, not meters
    _rule("hours-minutes", re.compile(r"(?<=\d)(?P<h>h(?:rs?)?\s*(?:to|-|–|and|,)?\s*)(?P<m>\d{1,2})m\b"), r"\g<h>\g<m>min"),
    # "$1.2M–$1.5M": a range of amounts
    _rule("money-range-dash", re.compile(r"(?<=[\dMBKk])\s?[–—]\s?(?=[$€£¥]\d)"), " to "),
    # camelCase keys in configs, "maxSurge", "readinessProbe": their words ("i" "e" prefixes, iPhone, eBPF, are names)
    _rule("camel-case", re.compile(r"\b(?P<w>[a-z]{3,}(?:[A-Z][a-z]{2,})+)\b"),
          lambda m: " ".join(p.lower() for p in re.findall(r"[A-Z]?[a-z]+", m["w"]))),
    # "Qwen2.5", "Llama3.1": a name with its version glued on is the name, then the version
    _rule("name-version", re.compile(r"\b(?P<n>[A-Z][a-z]{2,})(?P<v>\d+\.\d+)(?=[-\s,;:!?)]|\.?$)"), r"\g<n> \g<v>"),
    # "bf16", "fp8", "tf32": number formats, their letters spelled as in "BF16"
    _rule("number-format", re.compile(r"\b(?P<f>bf|fp|tf)(?P<d>\d{1,2})\b"), lambda m: f"{'-'.join(m['f'].upper())} {m['d']}"),
    # "x²", "m³": squared, cubed; "↑", "↓": up, down
    _rule("squared", re.compile(r"(?<!\d\s)(?<!\d)\b(?P<v>[A-Za-z])²"), r"\g<v> squared"),  # after a number, "5 m²" is a unit
    _rule("cubed", re.compile(r"(?<!\d\s)(?<!\d)\b(?P<v>[A-Za-z])³"), r"\g<v> cubed"),
    _rule("arrow-up", re.compile(r"\s?↑"), " up"),
    _rule("arrow-down", re.compile(r"\s?↓"), " down"),
    # "~½": about a half
    _rule("tilde-fraction", re.compile(r"(?<![\w~])~\s?(?=[½⅓⅔¼¾⅕⅛])"), "about "),
    # "5★", "4.5☆": a rating in stars
    _rule("stars", re.compile(r"(?<=\d)\s?[★☆⭐]"), " stars"),
    # "the # of pods": the number of
    _rule("number-of", re.compile(r"(?<!\S)#\s+(?=of\b)"), "number "),
    # "1-on-1s", "1:1s": meetings, not seconds
    _rule("one-on-ones", re.compile(r"(?<![\w:])1(?:-on-|:)1s\b"), "one-on-ones"),
    _rule("one-on-one", re.compile(r"(?<![\w:])1-on-1\b"), "one-on-one"),  # a lone "1:1" may be a ratio
    # keyboard shortcuts: "Ctrl+C" is "control C", "Cmd+Shift+P" "command shift P"
    _rule("keyboard-shortcut", re.compile(rf"\b{_KEYS}(?:\+{_KEYS})*\+[A-Za-z0-9]\b"),
          lambda m: " ".join({"ctrl": "control", "cmd": "command", "opt": "option"}.get(k.lower(), k)
                             for k in m[0].split("+"))),
    # a query string in code ("?utm_source=x"): its "?" is not said, and ends no sentence
    _rule("query-string", re.compile(r"(?<!\S)\?(?=[A-Za-z_][\w.-]*=)"), ""),
    # a call in code, "pg_last_wal_replay_lsn()", "main()": its empty parentheses are not said
    _rule("empty-call", re.compile(r"(?<=\w)\(\)"), ""),
    # C#, F#, .NET's languages: "C sharp" (a "#" is otherwise dropped or read "hashtag")
    _rule("sharp-language", re.compile(r"(?<![\w#])(?P<l>[CFJ])#(?!\w)"), r"\g<l> sharp"),
    # "1000s of pods", "100s of nodes": thousands, hundreds
    _rule("round-hundreds", re.compile(r"(?<![\w.,])(?P<n>10|100|1000|1,000|1000000|1,000,000)s(?=\s+of\b)"),
          lambda m: {"10": "tens", "100": "hundreds", "1000": "thousands", "1,000": "thousands",
                     "1000000": "millions", "1,000,000": "millions"}[m["n"]]),
    # "March '24": a month and a year's last two digits are that year ("March twenty twenty-four")
    _rule("month-year-apostrophe", re.compile(rf"\b(?P<mon>{_MONTH_NAMES})\.?\s['’](?P<y>\d\d)\b"),
          lambda m: f"{m['mon']} {'20' if int(m['y']) < 50 else '19'}{m['y']}"),
    # "Q2 '24", "the class of '19": a year's apostrophe is not said
    _rule("year-apostrophe", re.compile(r"(?<=\s)['’](?=\d\d\b)"), ""),
    _rule("paragraph-sign", re.compile(r"¶\s?"), "paragraph "),
    # "2.3 PB * $0.021", "(n/2)+1": arithmetic between amounts
    _rule("times-between-amounts", re.compile(r"(?<=[\w)])\s\*\s(?=[$€£¥]?\d)"), " times "),
    _rule("variable-over", re.compile(r"(?<![\w/])(?P<v>[a-z])/(?=\d)"), r"\g<v> over "),
    _rule("plus-after-paren", re.compile(r"(?<=\))\s?\+\s?(?=\d)"), " plus "),
    # k8sattributes, k8sclusterreceiver: "k8s" glued to a word is two words, before the lexicon says "k8s"
    _rule("k8s-glued", re.compile(r"(?<![\w])([kK]8[sS])(?=[a-z]{3,})"), r"\1 "),
]
# After the rules: the symbols left, said as words or dropped
SYMBOLS: list[Rule] = [
    _rule("arrow-to", re.compile(r"\s*(?:→|->|=>)\s*"), " to "),
    _rule("arrow-from", re.compile(r"\s*(?:←|<-)\s*"), " from "),
    _rule("times", re.compile(r"\s*×\s*"), " times "),
    _rule("approximately", re.compile(r"\s*≈\s*"), " approximately "),
    _rule("not-equal", re.compile(r"\s*≠\s*|\s*!=\s*"), " not equal to "),
    _rule("at-least", re.compile(r"\s*(?:≥|>=)\s*"), " at least "),
    _rule("at-most", re.compile(r"\s*(?:≤|<=)\s*"), " at most "),
    _rule("equals", re.compile(r"\s+=\s+|(?<=\w)=(?=\w)"), " equals "),
    _rule("greater-than", re.compile(r"\s+>\s+"), " greater than "),
    _rule("less-than", re.compile(r"\s+<\s+"), " less than "),
    _rule("ampersand", re.compile(r"\s*&\s*"), " and "),
    _rule("plus-plus", re.compile(r"(?<=\w)\+\+"), " plus plus"),
    _rule("plus", re.compile(r"\s+\+\s+|(?<=\w)\+(?=\w)"), " plus "),
    _rule("plus-end", re.compile(r"(?<=\w)\+(?!\w)"), " plus"),
    _rule("at-before-word", re.compile(r"(?<=\s)@(?=\w)"), "at "),
    _rule("at-between", re.compile(r"(?<=\w)@(?=\w)"), " at "),  # image@sha256, user@host (an address is read before)
    _rule("at-alone", re.compile(r"\s@\s"), " at "),
    _rule("percent", re.compile(r"%"), " percent"),
    _rule("word-slash-word", re.compile(r"(?<=[A-Za-z])/(?=[A-Za-z])"), " "),
    _rule("hashtag", re.compile(r"(?<=\s)#(?=[A-Za-z])"), "hashtag "),
    _rule("markup-symbols", re.compile(r"[#*_|^~`\\{}\[\]<>]"), " "),
    _rule("check-marks", re.compile(r"✓|✔|✅"), " "),
]
_SPACE = re.compile(r"[ \t]+")
_SPACE_PUNCT = re.compile(r"\s+([,.;:!?])(?![\w])")  # not ".NET"
_DOUBLE_COMMA = re.compile(r",(?:\s*,)+")


@dataclass
class Normalizer:
    """Turns one line of written text into what a host would say."""

    lexicon: Lexicon = field(default_factory=Lexicon)

    @classmethod
    def from_file(cls, path: Path) -> Normalizer:
        """The project's lexicon file over the field lexicon shipped with render."""
        return cls(Lexicon.load(path).over(Lexicon.shipped()))

    def __call__(self, text: str) -> str:
        return self.normalize(text)

    def normalize(self, text: str, trace: list[Change] | None = None) -> str:
        """Return the spoken form; never contains a digit or a spelled-out symbol.

        Removing a symbol can expose a pattern an earlier rule reads (``9:30am- >``), so
        the pass repeats until the text stops changing: the output is a fixed point.
        ``trace`` collects each rewrite and what made it (``render normalize --explain``).
        """
        for _ in range(4):
            spoken = self._once(text, trace)
            if spoken == text:
                break
            text = spoken
        return text

    def entries(self, text: str) -> list[tuple[str, str]]:
        """Each lexicon entry in ``text``, as written there and as the voice is told to say it:
        the entry's form through the rules too ("ndots" = "N-dots" is said "en dots"), so the
        check finds it in the spoken words."""
        return [(w, self.normalize(said)) for w, said in self.lexicon.entries(text)]

    def explain(self, text: str) -> tuple[str, list[Change]]:
        trace: list[Change] = []
        return self.normalize(text, trace), trace

    def _lexicon(self, text: str, with_digits: bool, trace: list[Change] | None) -> str:
        if trace is not None:
            trace += [Change(w, s, f"lexicon: {self.lexicon.origin.get(w) or self.lexicon.origin.get(w.lower(), '')}")
                      for w, s in self.lexicon.entries(text) if with_digits != w.isalpha()]
        return self.lexicon.apply(text, with_digits=with_digits)

    def _once(self, text: str, trace: list[Change] | None = None) -> str:
        text = apply(PRE, text, trace)
        text = self._lexicon(text, True, trace)
        text = apply(RULES, text, trace)
        for _ in range(3):  # removing one symbol can expose another (``[@``)
            before = text
            text = apply(SYMBOLS, text, trace)
            if text == before:
                break
        text = digits_fallback(text)
        text = split_names(text, lambda w: w in self.lexicon.words or self.lexicon.lookup(w) is not None, trace)
        text = self._lexicon(text, False, trace)
        text = spell_unknown(text, self.lexicon.known(), trace)
        text = _SPACE.sub(" ", text)
        text = _SPACE_PUNCT.sub(r"\1", text)
        text = _DOUBLE_COMMA.sub(",", text)
        return text.strip()
