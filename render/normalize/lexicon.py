"""The pronunciation lexicon shared by every voice.

One TOML file (``voices/lexicon.toml``) so a producer fixes a mispronounced
name once for the whole cast. Matching is whole-word; a key written in
lowercase matches any case, any other key matches its exact case, so
``US`` (the country) and ``us`` stay apart.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from render.errors import RenderError

log = logging.getLogger(__name__)

_Trie = dict[str, "_Trie"]


def trie_pattern(words: set[str]) -> str:
    """One regex for many words, as a trie (``a(?:ws|pi)``) rather than an alternation of
    every word: with the field lexicon's hundreds of entries, a plain alternation made the
    normalizer four times slower. Longer words win, as in the alternation sorted by length."""
    trie: _Trie = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


# A letter's name as a word espeak-ng reads right: "eigh" for A ("ay" is "aye" to espeak-ng, so
# "A-tier" was "eye tier"; see also render.voices.engines.base.espeak_text).
LETTER_NAMES = {
    "A": "eigh", "B": "bee", "C": "see", "D": "dee", "E": "ee", "F": "eff", "G": "gee", "H": "aitch", "I": "eye",
    "J": "jay", "K": "kay", "L": "el", "M": "em", "N": "en", "O": "oh", "P": "pee", "Q": "cue", "R": "ar",
    "S": "ess", "T": "tee", "U": "you", "V": "vee", "W": "double-you", "X": "ex", "Y": "why", "Z": "zee",
}


def spell(acronym: str) -> str:
    """``GPU`` → ``G-P-U``, ``IaC`` → ``I-A-C``: hyphenated capitals are read as letters by every engine."""
    return "-".join(acronym.upper())


# "ay" as a syllable of its own is "eye" to espeak-ng, which gives Piper and Kokoro their
# phonemes: "ASIC" = "ay-sick" was said "eye-sick" (heard "Isaac") and still passed the check,
# since Whisper, told the name, wrote it back. "eigh" is the letter's sound.
_AY = re.compile(r"(?<![A-Za-z])ay(?![A-Za-z])", re.IGNORECASE)


def warn_pitfalls(say: dict[str, str], where: str) -> None:
    """Warn, naming where the entry comes from (a file, "episode", "check --try") and the
    entry, about respellings espeak-ng reads otherwise than their writer meant (see :data:`_AY`)."""
    for key, form in say.items():
        if _AY.search(form):
            log.warning('%s: "%s" = "%s": espeak-ng (Piper, Kokoro) says "ay" as "eye"; write "eigh" '
                        '(or spell the letters: "A")', where, key, form)


SCOPED_KEYS = {"letters", "words", "say", "series"}


def _plurals(say: dict[str, str]) -> list[tuple[str, str]]:
    """The plural of each respelled acronym, as letters entries have theirs: "SBOMs" is said
    "ess-bombs", "CIDRs" "ciders" (a form ending in a spelled letter takes "'s": "sim-D's").
    An entry for the plural itself wins, since the entries are laid over these."""
    return [(key + "s", value + ("'s" if re.search(r"(?:^|[\s-])[A-Z]$", value) else "s"))
            for key, value in say.items() if key[-1].isupper() and key + "s" not in say]


_ARTICLE_BEFORE = re.compile(r"(?:^|(?<=\W))([Aa])(n?)(\s+)$")
# letters whose names start with a vowel: "an F-B-I", "a G-P-U"
_VOWEL_LETTERS = {letter for letter, name in LETTER_NAMES.items() if name[0] in "aeio"}


def _vowel_sound(said: str) -> bool | None:
    """Whether ``said`` starts with a vowel sound: a spelled letter by its name, a word by its
    first letter; None where the letter does not say (u, y, h: "a user", "an hour")."""
    if (len(said) > 1 and said[0].isupper() and said[1] == "-") or len(said) == 1:
        return said[0].upper() in _VOWEL_LETTERS
    first = said[:1].lower()
    return True if first in "aeio" else None if first in "uyh" or not first.isalpha() else False


def agree(before: str, written: str, said: str) -> str:
    """``before`` (the text up to an entry) with its closing "a"/"an" agreeing with how the
    entry is said, where the entry changes the word's first letter: the script's "an AAAA
    query" was written for "an A-A-A-A" and is said "a quad A query"."""
    m = _ARTICLE_BEFORE.search(before)
    if m is None or said[:1].lower() == written[:1].lower() or (vowel := _vowel_sound(said)) is None:
        return before
    return f"{before[:m.start()]}{m[1]}{'n' if vowel else ''}{m[3]}"


@dataclass
class Lexicon:
    """Whole-word replacements compiled into one regex for speed.

    ``origin`` says where each entry came from (the field lexicon, the project's file, an
    episode's notes), for ``render normalize --explain``; ``voices`` holds entries limited
    to one engine or voice (``[say.kokoro]``, ``[say.joe]``), laid over the rest by
    :meth:`for_voice`; ``series`` the ``[series.NAME]`` tables, by :meth:`for_series`.
    """

    exact: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)  # acronyms read as words (DORA, YAML): never spelled
    origin: dict[str, str] = field(default_factory=dict)
    voices: dict[str, dict[str, str]] = field(default_factory=dict)
    series: dict[str, Lexicon] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _known: set[str] | None = field(default=None, repr=False)

    @classmethod
    def from_entries(cls, letters: list[str], say: dict[str, str], origin: str = "") -> Lexicon:
        lex = cls()
        for word in letters:
            for key, said in ((word, spell(word)), (word + "s", spell(word) + "'s")):
                lex.exact[key] = said
                lex.origin[key] = f"{origin} letters".strip()
        return lex.with_say(say, origin)

    @classmethod
    def shipped(cls) -> Lexicon:
        """The field lexicon shipped with render (``render/normalize/field.toml``)."""
        return cls.load(Path(__file__).with_name("field.toml"), "field lexicon")

    @classmethod
    def load(cls, path: Path, origin: str | None = None) -> Lexicon:
        """Read a lexicon file; errors name the file and the bad key."""
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RenderError(f"lexicon is not valid TOML: {exc}", path,
                              hint="fix the syntax; see docs/voices.md, 'Normalization and pronunciation'") from exc
        return cls._parse(data, path, origin or path.name)

    @classmethod
    def _parse(cls, data: dict[str, object], path: Path, origin: str) -> Lexicon:
        letters, words, say = data.get("letters", []), data.get("words", []), data.get("say", {})
        for key, value in (("letters", letters), ("words", words)):
            if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
                raise RenderError(f"'{key}' must be a list of strings", path)
        if not isinstance(say, dict):
            raise RenderError("[say] entries must be 'word = \"how to say it\"'", path)
        plain = {k: v for k, v in say.items() if isinstance(v, str)}
        scoped = {k: v for k, v in say.items() if isinstance(v, dict)}
        for scope, table in scoped.items():
            if not all(isinstance(v, str) for v in table.values()):
                raise RenderError(f"[say.{scope}] entries must be 'word = \"how to say it\"'", path)
        if len(plain) + len(scoped) != len(say):
            raise RenderError("[say] entries must be 'word = \"how to say it\"'", path)
        unknown = set(data) - SCOPED_KEYS
        if unknown:
            raise RenderError(f"unknown key(s) {sorted(unknown)}", path,
                              hint="allowed keys are 'letters', 'words', the [say] table (with [say.ENGINE] "
                                   "or [say.VOICE] tables) and [series.NAME] tables")
        for table in (plain, *scoped.values()):
            warn_pitfalls(table, str(path))
        lex = cls.from_entries([str(w) for w in letters], plain, origin)  # type: ignore[attr-defined]
        lex.words = {str(w) for w in words}  # type: ignore[attr-defined]
        lex.voices = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in scoped.items()}
        series = data.get("series", {})
        if not isinstance(series, dict) or not all(isinstance(v, dict) for v in series.values()):
            raise RenderError("[series.NAME] tables must hold letters, words or say", path)
        lex.series = {str(k): cls._parse(v, path, f"{origin} [series.{k}]") for k, v in series.items()}
        return lex

    def over(self, base: Lexicon) -> Lexicon:
        """This lexicon laid over ``base``: its entries win where both have one."""
        lex = Lexicon({**base.exact, **self.exact}, {**base.folded, **self.folded}, base.words | self.words,
                      {**base.origin, **self.origin}, {k: {**base.voices.get(k, {}), **self.voices.get(k, {})}
                                                       for k in {*base.voices, *self.voices}},
                      {**base.series, **self.series})
        for key in self.exact:  # a word the stronger scope spells or respells is not also read as a word
            lex.words.discard(key)
        return lex

    def for_series(self, name: str | None) -> Lexicon:
        return self.series[name].over(self) if name and name in self.series else self

    def for_voice(self, *names: str) -> Lexicon:
        """With the entries limited to these engines or voices (``kokoro``, ``joe``) laid over."""
        lex = self
        for name in names:
            if name in self.voices:
                lex = lex.with_say(self.voices[name], f"[say.{name}]")
        return lex

    def with_say(self, say: dict[str, str], origin: str = "") -> Lexicon:
        """A copy with more [say] entries on top (an episode's notes, ``render check --try``)."""
        lex = Lexicon(dict(self.exact), dict(self.folded), set(self.words), dict(self.origin), self.voices, self.series)
        for key, value in (*_plurals(say), *say.items()):
            (lex.folded if key.islower() else lex.exact)[key] = value
            lex.origin[key] = origin
        return lex

    def entries(self, text: str) -> list[tuple[str, str]]:
        """Each entry found in ``text``, as written there and as said."""
        pat = self.pattern()
        if pat is None:
            return []
        return [(m[0], v) for m in pat.finditer(text) if (v := self.lookup(m[0])) is not None]

    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and (self.exact or self.folded):
            alt = trie_pattern({w.lower() for w in (*self.exact, *self.folded)})
            self._pattern = re.compile(rf"(?<![\w])(?:{alt})(?![\w])", re.I)
        return self._pattern

    def known(self) -> set[str]:
        """Every word some entry names (an acronym the acronym rule must leave alone), and
        every capitalized word an entry says (``D-R-Eh``'s parts are not new acronyms).
        Built once: a lexicon is not changed after it is made (its methods return copies)."""
        if self._known is None:
            caps = re.compile(r"[A-Z]{2,}")
            self._known = {*self.exact, *self.folded, *self.words,
                           *(w for said in (*self.exact.values(), *self.folded.values()) for w in caps.findall(said))}
        return self._known

    def lookup(self, word: str) -> str | None:
        return self.exact.get(word) or self.folded.get(word.lower())

    def apply(self, text: str, *, with_digits: bool) -> str:
        """Replace entries; ``with_digits`` selects entries containing non-letters."""
        pat = self.pattern()
        if pat is None:
            return text

        out, pos = [], 0
        for m in pat.finditer(text):
            word = m.group(0)
            found = None if with_digits == word.isalpha() else self.lookup(word)
            if found is not None:
                out += [agree(text[pos:m.start()], word, found), found]
                pos = m.end()
        return "".join([*out, text[pos:]])
