"""One exception type for every problem a user can fix.

The CLI turns a :class:`RenderError` into a one-paragraph message and a
non-zero exit status, so no user ever sees a traceback for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class RenderError(Exception):
    """A problem the user can act on: what went wrong, where, and what to do."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    hint: str | None = None
    exit_code: int = 2

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class NoScript(RenderError):
    """The file holds no script at all (show notes, a page without a transcript): a series
    skips it rather than failing, and ``render episode`` says so in one line."""
