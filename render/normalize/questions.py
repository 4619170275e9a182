"""Which questions rise: the tune English gives a question, from its words.

A yes/no question ("Is the cache shared?") and a statement said as a question
("You profiled the fleet?", "Forty percent?") end with a rise in pitch: that
rise is how a listener hears that the other host is asking. A wh-question
("What changed?") and an alternative question ("Is it A or B?") fall, like a
statement. Neither voice of the default cast knows this (Kokoro falls on every
question; Piper rises on one in four), so render marks each sentence that
should rise and shapes its end (:mod:`render.audio.intonation`).
"""

from __future__ import annotations

import re
from enum import Enum


class Tune(Enum):
    RISE = "rise"  # yes/no and declarative questions, tags ("..., right?")
    FALL = "fall"  # wh-questions, alternatives


# Openers that say nothing about the question's kind: "So", "Wait, ...", "And how ...".
_OPENERS = {"so", "and", "but", "wait", "okay", "ok", "oh", "well", "right", "hmm", "hold", "on", "then",
            "now", "sorry", "really", "yeah", "yes", "no", "alright", "huh", "um", "uh"}
_WH = {"what", "why", "how", "where", "when", "who", "whom", "whose", "which", "what's", "who's",
       "where's", "how's", "why's", "when's", "whatever", "how'd", "what'd", "why'd", "where'd", "who'd"}
# Words after "or" that leave a yes/no question open ("... or something?", "... or not?").
_OPEN_OR = {"something", "anything", "not", "what", "so", "whatever", "no"}
_PREPOSITIONS = {"in", "on", "at", "for", "from", "to", "with", "by", "about"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def tune(sentence: str) -> Tune | None:
    """How ``sentence`` (written text) should end, if it is a question; None otherwise."""
    text = sentence.strip().rstrip("\"'”’)*_ ")
    if not text.endswith("?"):
        return None
    clauses = [[w.lower().replace("’", "'") for w in _WORD.findall(c)]
               for c in re.split(r"[,;:—–]|\.\.\.|…", text)]
    clauses = [c for c in clauses if c]
    if not clauses:
        return Tune.RISE
    # Clauses of openers only ("Okay,", "Wait,") say nothing; the question starts after them.
    content = [c for c in clauses if not all(w in _OPENERS for w in c)] or clauses
    first = _strip(content[0])
    if first[0] in _WH or (first[0] in _PREPOSITIONS and len(first) > 1 and first[1] in _WH):
        return Tune.FALL  # "What changed?", "Okay, so why?", "In which region?"
    words = _strip([w for c in content for w in c])
    if "or" in words[1:-1]:
        after = words[words.index("or", 1) + 1:]
        if after and after[0] not in _OPEN_OR:
            return Tune.FALL  # "Is it the scheduler or the driver?"
    return Tune.RISE  # yes/no, declarative ("Forty percent?"), or a tag ("..., right?")


def _strip(words: list[str]) -> list[str]:
    while len(words) > 1 and words[0] in _OPENERS:
        words = words[1:]
    return words
