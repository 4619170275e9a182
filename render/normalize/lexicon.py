"""The pronunciation lexicon shared by every voice.

One TOML file (``voices/lexicon.toml``) so a producer fixes a mispronounced
name once for the whole cast. Matching is whole-word; a key written in
lowercase matches any case, any other key matches its exact case, so
``US`` (the country) and ``us`` stay apart.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from render.errors import RenderError


def spell(acronym: str) -> str:
    """``GPU`` → ``G-P-U``: hyphenated letters are read as letters by every engine."""
    return "-".join(acronym.upper() if acronym.isupper() else acronym)


@dataclass
class Lexicon:
    """Whole-word replacements compiled into one regex for speed."""

    exact: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def from_entries(cls, letters: list[str], say: dict[str, str]) -> Lexicon:
        lex = cls()
        for word in letters:
            lex.exact[word] = spell(word)
            lex.exact[word + "s"] = spell(word) + "'s"
        return lex.with_say(say)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read ``lexicon.toml``; errors name the file and the bad key."""
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RenderError(f"lexicon is not valid TOML: {exc}", path,
                              hint="fix the syntax; see the README section 'Pronunciation'") from exc
        letters = data.get("letters", [])
        say = data.get("say", {})
        if not isinstance(letters, list) or not all(isinstance(w, str) for w in letters):
            raise RenderError("'letters' must be a list of strings", path)
        if not isinstance(say, dict) or not all(isinstance(v, str) for v in say.values()):
            raise RenderError("[say] entries must be 'word = \"how to say it\"'", path)
        unknown = set(data) - {"letters", "say"}
        if unknown:
            raise RenderError(f"unknown key(s) {sorted(unknown)}", path,
                              hint="allowed keys are 'letters' and the [say] table")
        return cls.from_entries(letters, say)

    def with_say(self, say: dict[str, str]) -> Lexicon:
        """A copy with more [say] entries on top (``render check --try`` tries a respelling this way)."""
        lex = Lexicon(dict(self.exact), dict(self.folded))
        for key, value in say.items():
            (lex.folded if key.islower() else lex.exact)[key] = value
        return lex

    def entries(self, text: str) -> list[tuple[str, str]]:
        """Each entry found in ``text``, as written there and as said."""
        pat = self.pattern()
        if pat is None:
            return []
        return [(m[0], v) for m in pat.finditer(text) if (v := self.lookup(m[0])) is not None]

    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and (self.exact or self.folded):
            words = sorted([*self.exact, *self.folded], key=len, reverse=True)
            alt = "|".join(re.escape(w) for w in words)
            self._pattern = re.compile(rf"(?<![\w-])(?:{alt})(?![\w]|-\w)", re.I)
        return self._pattern

    def lookup(self, word: str) -> str | None:
        return self.exact.get(word) or self.folded.get(word.lower())

    def apply(self, text: str, *, with_digits: bool) -> str:
        """Replace entries; ``with_digits`` selects entries containing non-letters."""
        pat = self.pattern()
        if pat is None:
            return text

        def sub(m: re.Match[str]) -> str:
            word = m.group(0)
            if with_digits == word.isalpha():
                return word
            found = self.lookup(word)
            return word if found is None else found

        return pat.sub(sub, text)
