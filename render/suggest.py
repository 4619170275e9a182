"""``render check --series``: the words misheard across a series, and respellings that fix them.

A lexicon grown one episode at a time never catches up; a word misheard in one episode is
misheard in the next. This gathers every flagged word of every rendered episode's last
check, counts it, says where its current pronunciation comes from (which lexicon scope),
tries a few respellings of the most frequent ones with ``render check --try`` (the turns
that flagged it, synthesized again and heard again), and writes what it found, most
frequent first, to ``output/lexicon-suggestions.toml``: a file to review and copy into
``voices/lexicon.toml``. Fixing one word once fixes every episode.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from render.check.hear import LAYOUT, load_layout
from render.check.view import written_word
from render.errors import RenderError
from render.files import write_text
from render.normalize.lexicon import Lexicon
from render.prepare import Settings
from render.report import REPORT, load_report

SUGGESTIONS = "lexicon-suggestions.toml"


@dataclass
class Misheard:
    """One word of the scripts the voices' rendering of which listeners would mishear."""

    word: str
    episodes: Counter[str] = field(default_factory=Counter)  # episode → flagged turns with it
    heard: Counter[str] = field(default_factory=Counter)
    scope: str = "none"  # where its pronunciation came from: a lexicon scope, or none
    said: str = ""  # how that scope has it said
    passed: str | None = None  # a respelling that fixed every flagged turn it was tried on
    tried: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.episodes.values())


def gather(out_dir: Path, lexicon: Lexicon, draft: bool = False) -> list[Misheard]:
    """Every flagged word in the last check of every rendered episode under ``out_dir``."""
    found: dict[str, Misheard] = {}
    for path in sorted(out_dir.glob(f"*/draft/{REPORT}" if draft else f"*/{REPORT}")):
        report = load_report(path)
        if report is None or report.check is None or not report.check.flagged:
            continue
        try:
            turns = {t.turn: t for t in load_layout(path.parent / LAYOUT)}
        except (OSError, ValueError, TypeError):
            continue
        for flag in report.check.flagged:
            turn = turns.get(flag.turn)
            if turn is None:
                continue
            for m in flag.mismatches:
                word = _word(m.entry, m.expected, turn.text, turn.lexicon)
                if word is None:
                    continue
                item = found.setdefault(word, Misheard(word))
                item.episodes[report.episode] += 1
                item.heard[m.heard or "∅"] += 1
    for item in found.values():
        said = lexicon.lookup(item.word)
        if said is not None:
            item.said = said
            item.scope = lexicon.origin.get(item.word) or lexicon.origin.get(item.word.lower(), "lexicon")
    return sorted(found.values(), key=lambda i: (-i.count, i.word.lower()))


def _word(entry: str | None, expected: str, written: str, lexicon: list[tuple[str, str]]) -> str | None:
    """The script's word behind a mismatch: a named entry's key, a respelled word's key, or the
    written word the expected words come from."""
    if entry:
        return entry.split(" = ", 1)[0]
    from render.check.proofread import said_in

    for key, form in lexicon:
        if said_in(form, expected):
            return key
    return written_word(written, expected)


def candidates(item: Misheard) -> list[str]:
    """Respellings to try for a word: its letters (an acronym said as a word), the word (an
    acronym spelled), its syllables hyphenated, its camel-case parts apart."""
    w = item.word
    out = []
    if w.isupper() and 2 <= len(w) <= 6 and "-" not in item.said:
        out.append("-".join(w))
    if "-" in item.said and w.isupper():
        out.append(w.lower())
    parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", w)
    if len(parts) > 1:
        out.append("-".join(p.lower() for p in parts))
    syllables = re.findall(r"[^aeiouy]*[aeiouy]+(?:[^aeiouy](?=[^aeiouy]))?", w.lower())
    rest = w.lower()[len("".join(syllables)):]
    if len(syllables) > 1:
        out.append("-".join([*syllables[:-1], syllables[-1] + rest]))
    return [c for c in dict.fromkeys(out) if c and c != item.said and c != w]


def try_fixes(items: list[Misheard], settings: Settings, limit: int) -> None:
    """Try :func:`candidates` on the ``limit`` most frequent words, each in the episode that
    flagged it most; the first respelling that fixes every turn it touches is kept."""
    from render.respell import try_respellings

    for item in items[:limit]:
        episode = item.episodes.most_common(1)[0][0]
        for candidate in candidates(item)[:3]:
            item.tried.append(candidate)
            try:
                pairs = try_respellings(episode, settings, {item.word: candidate})
            except RenderError:
                break
            if pairs and not any(after.flagged for _, after in pairs):
                item.passed = candidate
                break


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_suggestions(items: list[Misheard], path: Path) -> Path:
    """The suggestions file: a ready-to-review lexicon, most frequent first. A word with a
    respelling that passed is an entry; the others are comments with what was heard."""
    lines = ["# Words misheard across the series (render check --series), most frequent first.",
             "# Review each, then copy it into voices/lexicon.toml under [say] (or [say.ENGINE]",
             "# when only one voice needs it). Fixing a word once fixes every episode.", "", "[say]"]
    for i in items:
        where = ", ".join(f"{ep} ({n})" for ep, n in sorted(i.episodes.items()))
        heard = "; ".join(f'"{h}"' + (f" ×{n}" if n > 1 else "") for h, n in i.heard.most_common(4))
        now = f'now {_toml(i.said)} from the {i.scope}' if i.said else "no entry yet"
        note = f"misheard {i.count}× in {where}; heard {heard}; {now}"
        if i.passed:
            lines.append(f"{_toml(i.word)} = {_toml(i.passed)}  # passed --try; {note}")
        else:
            tried = f"; tried {', '.join(i.tried)}: none passed" if i.tried else ""
            lines.append(f"# {_toml(i.word)} = \"\"  # {note}{tried}")
    write_text("\n".join(lines) + "\n", path)
    return path
