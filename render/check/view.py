"""How a check reads in the terminal: a table of flagged turns and what to try for each."""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text

from render.check.proofread import FUNCTION_WORDS, Mismatch, TurnCheck, said_in
from render.normalize.lexicon import LETTER_NAMES

CONTEXT = 3  # words shown either side of a mismatch


def _locate(words: list[str], run: str, start: int = 0) -> int:
    target = run.split()
    if not target:
        return start
    for i in range(start, len(words) - len(target) + 1):
        if words[i:i + len(target)] == target:
            return i
    return start


def _snippet(words: list[str], run: str, at: int, style: str) -> Text:
    n = len(run.split())
    text = Text()
    before = words[max(0, at - CONTEXT):at]
    after = words[at + n:at + n + CONTEXT]
    if at - CONTEXT > 0:
        text.append("… ")
    text.append(" ".join(before) + (" " if before else ""))
    text.append(run or "∅", style=style)
    text.append((" " if after else "") + " ".join(after))
    if at + n + CONTEXT < len(words):
        text.append(" …")
    return text


def written_word(written: str, expected: str) -> str | None:
    """The script's own spelling of a mismatched word (``dra`` → ``DRA``)."""
    content = [w for w in expected.split() if w not in FUNCTION_WORDS] or expected.split()
    first = max(content, key=len) if content else ""
    for token in re.findall(r"[\w][\w.'-]*[\w]|\w", written):
        if token.lower().replace("-", "") == first or token.lower() == first:
            return token
    return None


def suggestion(m: Mismatch, written: str, letters: set[str], lexicon: list[tuple[str, str]]) -> str:
    """What to try for one mismatch (render check EP --try '…')."""
    if m.entry:
        key = m.entry.split(" = ", 1)[0]
        return f"--try '{key}=<respelling>': the lexicon entry {m.entry} says another word; fix or remove it"
    for key, form in lexicon:
        said = said_in(form, m.expected)
        if said and said.replace(" ", "") != key.lower():
            return f"--try '{key}=<another respelling>' (the lexicon says \"{form}\")"
    word = written_word(written, m.expected)
    if m.kind == "number":
        return "check how the number is read: render normalize '<the sentence>'"
    if word is None:
        return "listen to the turn: render preview EP --turns N"
    stem = word.lower().removesuffix("s") if word.lower().removesuffix("s") in letters else word.lower()
    if stem in letters:
        said = " ".join(LETTER_NAMES.get(c.upper(), c) for c in stem)
        return f"--try '{word.removesuffix('s') if stem != word.lower() else word}={said}'"
    return f"--try '{word}=<respelling>' (e.g. hyphenated syllables)"


def flagged_table(checks: list[TurnCheck], written: dict[int, str], letters: dict[int, set[str]],
                  lexicon: dict[int, list[tuple[str, str]]]) -> Table:
    """One row per audible mismatch: where, what kind, expected and heard in context, what to try."""
    table = Table(show_lines=False, pad_edge=False)
    for col in ("turn", "speaker", "line", "kind", "expected", "heard", "try"):
        table.add_column(col, overflow="fold")
    for c in checks:
        at_e = at_h = 0
        for m in c.mismatches:
            at_e = m.start
            at_h = _locate(c.heard, m.heard, at_h)
            if m.benign:
                continue
            table.add_row(str(c.turn), c.speaker, str(c.line), m.kind,
                          _snippet(c.expected, m.expected, at_e, "bold green"),
                          _snippet(c.heard, m.heard, at_h, "bold red"),
                          suggestion(m, written.get(c.turn, ""), letters.get(c.turn, set()),
                                     lexicon.get(c.turn, [])))
    return table


def try_table(pairs: list[tuple[TurnCheck, TurnCheck]]) -> Table:
    """Each re-checked turn: what was heard before and with the respelling."""
    table = Table(pad_edge=False)
    for col in ("turn", "speaker", "line", "before", "with the respelling", "result"):
        table.add_column(col, overflow="fold")
    for before, after in pairs:
        def audible(c: TurnCheck) -> str:
            return "; ".join(f"{m.expected or '∅'} → {m.heard or '∅'}" for m in c.mismatches if not m.benign) or "—"
        table.add_row(str(after.turn), after.speaker, str(after.line), audible(before), audible(after),
                      "[red]still flagged[/red]" if after.flagged else "[green]passes[/green]")
    return table
