"""Repair text pasted from docs, chat and word processors before parsing.

Scripts arrive with UTF-8 that was decoded as Mac Roman (``‚Äî`` for an em
dash), as Windows-1252 (``â€”``), with curly quotes and stray control
characters. ftfy handles the Windows/Latin-1 family but not Mac Roman, so a
small targeted pass handles that first.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Runs of characters that Mac Roman can encode above ASCII: candidates for a
# UTF-8 sequence that was mis-decoded as Mac Roman.
_MAC_RUN = re.compile(r"[^\x00-\x7f]{2,}")
# control characters, and the invisible ones editors and web pages leave: zero-width spaces and
# joiners' neighbours, word joiners, soft hyphens, the byte-order mark inside a file
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200e\u200f\u2060\u00ad\ufeff]")


def _repair_mac_roman_run(run: str) -> str:
    """Decode every UTF-8 sequence hidden in a run; keep characters that aren't one."""
    out: list[str] = []
    i = 0
    while i < len(run):
        for size in (4, 3, 2):
            chunk = run[i : i + size]
            if len(chunk) < size:
                continue
            try:
                decoded = chunk.encode("mac_roman").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(decoded) == 1:
                out.append(decoded)
                i += size
                break
        else:
            out.append(run[i])
            i += 1
    return "".join(out)


def repair_mac_roman(text: str) -> str:
    """Undo UTF-8 read as Mac Roman (``‚Äî`` → ``—``, ``√ó`` → ``×``)."""
    return _MAC_RUN.sub(lambda m: _repair_mac_roman_run(m.group(0)), text)


def repair(text: str) -> str:
    """Return text with mojibake, curly quotes and control characters repaired."""
    text = repair_mac_roman(text)
    text = ftfy.fix_text(text, normalization="NFC")
    text = text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


_VARIATION = re.compile(r"[\ufe0e\ufe0f\u200d]")


def strip_emoji(text: str) -> str:
    """Drop pictographs: engines either spell them out or choke on them."""
    text = _VARIATION.sub("", text)
    return "".join(
        ch for ch in text if unicodedata.category(ch) != "So" or ch in "©®°™"
    )
