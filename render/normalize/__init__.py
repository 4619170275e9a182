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
from render.normalize.units import MONTHS

_PRE: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\s*—\s*|\s+–\s+|\s--\s"), ", "),
    (re.compile(r"…"), "..."),
    (re.compile(r"[“”„«»]"), '"'),
    (re.compile(r"[‘’‚]"), "'"),
    # "2 × 3" is a dimension ("two by three"); after a money amount or a percentage ("$0.10 × 24")
    # it multiplies, and gluing an "x" to the amount would leave "ten centsx".
    (re.compile(r"(?P<left>(?<!\S)[$€£¥]?[\d.,]*\d%?)\s*×\s*(?=\d)"),
     lambda m: m["left"] + (" times " if m["left"][0] in "$€£¥" or m["left"].endswith("%") else "x")),
    (re.compile(r"(?<=\d),(?=\d{1,2}\b)"), ", "),
    # "~$49k", "~20 min": a tilde before an amount is "about" (in "~/.kube" it is a home folder)
    (re.compile(r"(?<![\w~])~\s?(?=[$€£¥]?\d)"), "about "),
    (re.compile(r"§§?\s?"), "section "),
    # Latin and chat abbreviations espeak-ng spells ("vs." "V-S", "i.e." "I-E", "w/" "W slash") or
    # ends a sentence at ("e.g."): said as the words people say for them
    (re.compile(r"\b[Vv]s\.?(?=\s)"), "versus"),
    (re.compile(r"\b[Ee]\.g\.,?(?=\s)"), "for example"),
    (re.compile(r"\b[Ii]\.e\.,?(?=\s)"), "that is"),
    (re.compile(r"\b[Aa]\.?[Kk]\.?[Aa]\.(?=\s)|\baka\b"), "also known as"),
    (re.compile(r"(?<![\w/])[Ww]/[Oo](?![\w/])"), "without"),
    (re.compile(r"(?<![\w/])[Ww]/(?=\s)"), "with"),
    # "A/B testing", "I/O", "R/W": two capitals around a slash are letters ("A-B"), not "a B"
    (re.compile(r"(?<![\w/])(?P<a>[A-Z])/(?P<b>[A-Z])(?![\w/])"), r"\g<a>-\g<b>"),
    # a count of a plural noun per a singular one: "1.3 bytes/sample", "40 tokens/request" ("and/or",
    # "pros/cons", "read/write", a folder "tests/unit" are no rate)
    (re.compile(r"(?<=\d )(?P<a>[a-z]{2,}[a-rt-z]s)/(?P<b>[a-z]{2,}[a-rt-z])(?![\w/])"), r"\g<a> per \g<b>"),
    # "3pp", "2 pp": percentage points
    (re.compile(r"(?<=\d)\s?pp\b"), " percentage points"),
    # "/24s": CIDR blocks of that size, not seconds
    (re.compile(r"(?<![\w/])/(?P<n>\d{1,3})s\b"), lambda m: f"slash {m['n']}'s"),
    # "from 4h to 45m", "2h-45m", "1h 30m": minutes beside hours, not meters
    (re.compile(r"(?<=\d)(?P<h>h(?:rs?)?\s*(?:to|-|–|and|,)?\s*)(?P<m>\d{1,2})m\b"), r"\g<h>\g<m>min"),
    # "$1.2M–$1.5M": a range of amounts
    (re.compile(r"(?<=[\dMBKk])\s?[–—]\s?(?=[$€£¥]\d)"), " to "),
    # camelCase keys in configs, "maxSurge", "readinessProbe": their words ("i" "e" prefixes, iPhone, eBPF, are names)
    (re.compile(r"\b(?P<w>[a-z]{3,}(?:[A-Z][a-z]{2,})+)\b"),
     lambda m: " ".join(p.lower() for p in re.findall(r"[A-Z]?[a-z]+", m["w"]))),
    # "Qwen2.5", "Llama3.1": a name with its version glued on is the name, then the version
    (re.compile(r"\b(?P<n>[A-Z][a-z]{2,})(?P<v>\d+\.\d+)(?=[-\s,;:!?)]|\.?$)"), r"\g<n> \g<v>"),
    # "bf16", "fp8", "tf32": number formats, their letters spelled as in "BF16"
    (re.compile(r"\b(?P<f>bf|fp|tf)(?P<d>\d{1,2})\b"), lambda m: f"{'-'.join(m['f'].upper())} {m['d']}"),
    # "x²", "m³": squared, cubed; "↑", "↓": up, down
    (re.compile(r"(?<!\d\s)(?<!\d)\b(?P<v>[A-Za-z])²"), r"\g<v> squared"),  # after a number, "5 m²" is a unit
    (re.compile(r"(?<!\d\s)(?<!\d)\b(?P<v>[A-Za-z])³"), r"\g<v> cubed"),
    (re.compile(r"\s?↑"), " up"),
    (re.compile(r"\s?↓"), " down"),
    # "~½": about a half
    (re.compile(r"(?<![\w~])~\s?(?=[½⅓⅔¼¾⅕⅛])"), "about "),
    # "5★", "4.5☆": a rating in stars
    (re.compile(r"(?<=\d)\s?[★☆⭐]"), " stars"),
    # "the # of pods": the number of
    (re.compile(r"(?<!\S)#\s+(?=of\b)"), "number "),
    # "1-on-1s", "1:1s": meetings, not seconds
    (re.compile(r"(?<![\w:])1(?:-on-|:)1s\b"), "one-on-ones"),
    (re.compile(r"(?<![\w:])1-on-1\b"), "one-on-one"),  # a lone "1:1" may be a ratio
    # keyboard shortcuts: "Ctrl+C" is "control C", "Cmd+Shift+P" "command shift P"
    (re.compile(r"\b(?:Ctrl|Cmd|Alt|Shift|Option|Opt|Meta|Super|Fn)(?:\+(?:Ctrl|Cmd|Alt|Shift|Option|Opt|Meta|Super|Fn))*"
                r"\+[A-Za-z0-9]\b"),
     lambda m: " ".join({"ctrl": "control", "cmd": "command", "opt": "option"}.get(k.lower(), k)
                        for k in m[0].split("+"))),
    # a query string in code ("?utm_source=x"): its "?" is not said, and ends no sentence
    (re.compile(r"(?<!\S)\?(?=[A-Za-z_][\w.-]*=)"), ""),
    # a call in code, "pg_last_wal_replay_lsn()", "main()": its empty parentheses are not said
    (re.compile(r"(?<=\w)\(\)"), ""),
    # C#, F#, .NET's languages: "C sharp" (a "#" is otherwise dropped or read "hashtag")
    (re.compile(r"(?<![\w#])(?P<l>[CFJ])#(?!\w)"), r"\g<l> sharp"),
    # "1000s of pods", "100s of nodes": thousands, hundreds
    (re.compile(r"(?<![\w.,])(?P<n>10|100|1000|1,000|1000000|1,000,000)s(?=\s+of\b)"),
     lambda m: {"10": "tens", "100": "hundreds", "1000": "thousands", "1,000": "thousands",
                "1000000": "millions", "1,000,000": "millions"}[m["n"]]),
    # "March '24": a month and a year's last two digits are that year ("March twenty twenty-four")
    (re.compile(rf"\b(?P<mon>{'|'.join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))})\.?\s['’]"
                r"(?P<y>\d\d)\b"),
     lambda m: f"{m['mon']} {'20' if int(m['y']) < 50 else '19'}{m['y']}"),
    # "Q2 '24", "the class of '19": a year's apostrophe is not said
    (re.compile(r"(?<=\s)['’](?=\d\d\b)"), ""),
    (re.compile(r"¶\s?"), "paragraph "),
    # "2.3 PB * $0.021", "(n/2)+1": arithmetic between amounts
    (re.compile(r"(?<=[\w)])\s\*\s(?=[$€£¥]?\d)"), " times "),
    (re.compile(r"(?<![\w/])(?P<v>[a-z])/(?=\d)"), r"\g<v> over "),
    (re.compile(r"(?<=\))\s?\+\s?(?=\d)"), " plus "),
    # k8sattributes, k8sclusterreceiver: "k8s" glued to a word is two words, before the lexicon says "k8s"
    (re.compile(r"(?<![\w])([kK]8[sS])(?=[a-z]{3,})"), r"\1 "),
]
_SYMBOLS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*(?:→|->|=>)\s*"), " to "),
    (re.compile(r"\s*(?:←|<-)\s*"), " from "),
    (re.compile(r"\s*×\s*"), " times "),
    (re.compile(r"\s*≈\s*"), " approximately "),
    (re.compile(r"\s*≠\s*|\s*!=\s*"), " not equal to "),
    (re.compile(r"\s*(?:≥|>=)\s*"), " at least "),
    (re.compile(r"\s*(?:≤|<=)\s*"), " at most "),
    (re.compile(r"\s+=\s+|(?<=\w)=(?=\w)"), " equals "),
    (re.compile(r"\s+>\s+"), " greater than "),
    (re.compile(r"\s+<\s+"), " less than "),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(?<=\w)\+\+"), " plus plus"),
    (re.compile(r"\s+\+\s+|(?<=\w)\+(?=\w)"), " plus "),
    (re.compile(r"(?<=\w)\+(?!\w)"), " plus"),
    (re.compile(r"(?<=\s)@(?=\w)"), "at "),
    (re.compile(r"(?<=\w)@(?=\w)"), " at "),  # image@sha256, user@host (an address is read before)
    (re.compile(r"\s@\s"), " at "),
    (re.compile(r"%"), " percent"),
    (re.compile(r"(?<=[A-Za-z])/(?=[A-Za-z])"), " "),
    (re.compile(r"(?<=\s)#(?=[A-Za-z])"), "hashtag "),
    (re.compile(r"[#*_|^~`\\{}\[\]<>]"), " "),
    (re.compile(r"✓|✔|✅"), " "),
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
        for pat, repl in _PRE:
            text = pat.sub(repl, text)
        text = self._lexicon(text, True, trace)
        for rule in RULES:
            if trace is not None:
                trace += [Change(m.group(0), said.strip(), f"rule: {rule.name}") for m in rule.pattern.finditer(text)
                          if (said := rule.speak(m)) != m.group(0)]
            text = rule.pattern.sub(rule.speak, text)
        for _ in range(3):  # removing one symbol can expose another (``[@``)
            before = text
            for pat, repl in _SYMBOLS:
                text = pat.sub(repl, text)
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
