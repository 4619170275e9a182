"""One rewrite of the normalizer, as ``render normalize --explain`` shows it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One rewrite ``render normalize --explain`` shows: what, into what, and by which rule
    or lexicon entry (with the scope the entry came from)."""

    written: str
    spoken: str
    by: str
