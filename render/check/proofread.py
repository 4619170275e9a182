"""Compare what a turn was meant to say with what a speech recognizer heard.

Both sides go through Whisper's English text normalizer (``whisper-normalizer``:
lower case, no punctuation, numbers as digits), so "two point one six
million dollars" and "$2.16 million" compare equal, after letters a voice was
told to spell are joined back (``G-P-U's`` → ``GPUs``). The words are aligned
(``jiwer``), and each run of differing words is a :class:`Mismatch`.

Not every mismatch is something a listener would mishear. A recognizer as
small as Whisper tiny.en writes a name it has never seen as something that
sounds the same ("cubecon" for KubeCon), merges or splits words ("open ai"),
and drops or swaps small function words ("a" for "the") at random. So each
mismatch is also compared by sound: both sides are turned into phonemes by
espeak-ng (the library Kokoro already ships, through ``phonemizer``) and a
mismatch whose phonemes are close is *sounds alike*, not an error. Only the
rest flag a turn. How the threshold was chosen is in the README ("Checking
a render").
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from render import report
from render.errors import RenderError

# The comparison's version, kept in the report: bump it when a rule changes what is flagged or
# counted, so a render that is otherwise up to date is judged again (from the heard text in the
# cache, a few seconds) instead of showing figures the current rules would not give.
JUDGE = 25
SOUNDS_ALIKE = 0.65  # phoneme similarity at or above which a mismatch is the recognizer's spelling
# Small words Whisper tiny drops, adds or swaps whatever the voice does (measured on 00035
# with two voices): a mismatch made only of these never flags a turn.
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by", "as",
    "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "there",
    "their", "they", "them", "we", "you", "i", "he", "she", "our", "your", "his", "her", "so", "do", "does",
    "did", "all", "just", "then", "than", "too", "very", "also", "oh",
    # auxiliaries a contraction says in a sound ("I'd trust", "we'll see"), which the recognizers
    # drop when the voice runs it into the next word; "not" ("don't") is no such word
    "would", "will", "have", "has", "had", "am",
    # sounds more than words ("Huh. Which one?"), which Whisper leaves out at a turn's start
    "huh", "hmm", "ah", "uh", "um", "mm",
    # symbols the voice says as words ("I dash zero A three F", "slash metrics"), which
    # Whisper writes as the symbol and its normalizer then drops
    "dash", "slash",
})
_LETTERS = re.compile(r"\b(?:[A-Za-z]-)+[A-Za-z](?:'s\b)?")
_INSTALL_HINT = "pip install whisper-normalizer jiwer (the README's set-up commands do this)"


@dataclass
class Mismatch:
    """One run of differing words: what the script says there and what was heard."""

    expected: str
    heard: str
    kind: str  # "lexicon" (a lexicon entry), "number" (a normalized number) or "text"
    similarity: float  # of the two sides' phonemes, 0..1
    benign: bool  # sounds alike, only function words, or the second recognizer heard it right
    start: int = 0  # the expected words' place in the turn
    end: int = 0
    second: str | None = None  # what the second recognizer heard there, when it was asked
    entry: str | None = None  # a lexicon entry that says another word than the one it stands for


@dataclass
class TurnCheck:
    """One turn, as expected and as heard."""

    turn: int
    speaker: str
    line: int
    expected: list[str]
    heard: list[str]
    errors: int  # word substitutions + deletions + insertions
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return any(not m.benign for m in self.mismatches)

    def as_flag(self) -> report.Flag:
        """This turn as the report lists a flagged one: its audible mismatches only."""
        return report.Flag(self.turn, self.speaker, self.line, " ".join(self.expected), " ".join(self.heard),
                           self.errors, [report.Mismatch(m.expected, m.heard, m.kind, m.similarity, m.second, m.entry)
                                         for m in self.mismatches if not m.benign])


@lru_cache(maxsize=1)
def _normalizer() -> Callable[[str], str]:
    try:
        from whisper_normalizer.english import EnglishTextNormalizer
    except ImportError as exc:
        raise RenderError("render check needs the package whisper-normalizer", hint=_INSTALL_HINT) from exc
    return EnglishTextNormalizer()


_SENTENCE_END = re.compile(r"(?<=[.!?,;:])\s+")  # clauses too: "2025, three" joins into 20253
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
# whisper-normalizer knows "nineth", not "ninth", after a tens word: "ninety-ninth" became "90 ninth"
_ZERO_POINT = re.compile(r"0\.\d+")
_WILDCARD = re.compile(r"\b(\d+)\.([xX])\b")
_DOTTED = re.compile(r"(?<=\w\w)\.(?=_?[A-Za-z])|(?<=\w)\.(?=_?[A-Za-z]{2})")  # not "G.A." or "e.g."
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_POINT_ZERO = re.compile(r"\w+\.0+")
# Whisper writes "GB" for gigabytes and for gigabits alike ("400 GB per second" for the voice's
# "four hundred gigabits per second"), so both are the abbreviation on both sides
_UNIT_HEARD = {f"{name}{unit}{s}": short for short, name in (("kb", "kilo"), ("mb", "mega"), ("gb", "giga"),
                                                            ("tb", "tera"), ("pb", "peta"))
               for unit in ("byte", "bit") for s in ("", "s")} | {"millisecond": "ms", "milliseconds": "ms"}
_RATE_HEARD = {f"{short}bps": f"{short}b per seconds" for short in "kmgt"}
# "second" after a number or "per" is the unit, but the normalizer reads it as an ordinal and
# joins it to the number ("fifteen second samples" → "152nd", "one second" → "12nd"); said as
# "seconds" on both sides, it stays a word of its own
_UNIT_SECOND = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty|"
                          r"hundred|thousand|per|a)([ -])second\b", re.IGNORECASE)
_TENS_NINTH = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]ninth\b", re.IGNORECASE)
# whisper-normalizer drops "cent" after a number ("one cent a gigabyte" → "one a gigabyte"):
# a zero-width space after it keeps the word, and is taken out again
_CENT = re.compile(r"\b([Cc]ents?)\b")
# an "oh" that ends a respelled word ("ist-ee-oh" for Istio) is no zero: before a number
# whisper-normalizer made "ist-ee-oh one point two" "ist ee 01.2"; "owe" sounds the same
_OH_IN_WORD = re.compile(r"(?<=\w-)oh\b")
# "400 Gb/s" (bits: a small b) is "gigabits per second"; "100 GB/s" "gigabytes per second"
_BIT_RATE = re.compile(r"(?<=\d)\s?([KMGT])b/s\b")
_BYTE_RATE = re.compile(r"(?<=\d)\s?([KMGTP]i?B)/s\b")
# an instance type Whisper writes "trn2.48xlarge" or "p5.48xlarge": its size's number apart
_INSTANCE_PREFIX = re.compile(r"\b(db|cache)\.(?=[a-z]{1,4}\d)", re.IGNORECASE)  # "db.r6g.xlarge": said "D-B r six g"
_INSTANCE_SIZE = re.compile(r"(?<=[a-z])(\d+[a-z-]*)\.(\d{0,2})\s?(x?large|medium|small|micro|nano|metal)\b", re.IGNORECASE)
_SIZE_NUMBER = re.compile(r"\d+\.\d{1,2}")
_SIZES = {"large", "medium", "small", "micro", "nano", "metal"}


def words(text: str) -> list[str]:
    """Whisper's normalized words, sentence by sentence (its number rules would join "2023. Four"
    into 20234), with spelled letters joined (``G-P-U's`` → ``GPUs``) and ``'s`` kept as an ``s``
    on both sides (the normalizer reads every ``'s`` as "is", so "GPU's" and "GPUs" would differ)."""
    def join(m: re.Match[str]) -> str:
        return m[0].replace("-", "")

    normalize = _normalizer()
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = _TENS_NINTH.sub(r"\1 nineth", _POSSESSIVE.sub("s", _LETTERS.sub(join, sentence)))
        sentence = _INSTANCE_SIZE.sub(r"\1 \2 \3", _BYTE_RATE.sub(r" \1 per second", _BIT_RATE.sub(r" \1bps", sentence)))
        sentence = _INSTANCE_PREFIX.sub(r"\1 ", sentence)
        sentence = _UNIT_SECOND.sub(r"\1 seconds", _CENT.sub("\\1\u200b", _OH_IN_WORD.sub("owe", sentence)))
        # a host name Whisper writes as one ("svc.cluster.local"), but "3.x" is "three point x"
        sentence = _DOTTED.sub(" dot ", _WILDCARD.sub(r"\1 point \2", sentence))
        said = [part for w in str(normalize(sentence)).replace("\u200b", "").split()
                if any(c.isalnum() for c in w)  # "seems... specific" leaves a "." that is no word
                for part in _spoken_parts(w)]
        # "times" after a number is what Whisper writes "x" ("10x faster", ".02 x 720"); this
        # way round, a letter x the voice said ("forty-eight x large") stays an x
        out += _join_numbers(["x" if w == "times" and i and said[i - 1][-1:].isdigit() else w
                              for i, w in enumerate(said)])
    return out


def _spoken_parts(word: str) -> list[str]:
    """One normalized word in one spelling for the same spoken words, on both sides: an
    address Whisper writes "10.96.0.10" is "10 dot 96 dot 0 dot 10", as the normalizer spoke
    it; "3.0" is "3" (Whisper drops the "point zero" it heard, "Prometheus 3"); a unit it
    abbreviates ("GB" for "gigabytes") is the abbreviation; a rate it abbreviates ("Gbps") is
    its words."""
    if _ZERO_POINT.fullmatch(word):
        return [word[1:]]  # "point six" comes out ".6", and at a clip's start "0.6": one word
    if _IPV4.fullmatch(word):
        return " dot ".join(word.split(".")).split()
    if _POINT_ZERO.fullmatch(word):
        return [word.split(".")[0]]
    if re.fullmatch(r"¢\d+(?:\.\d+)?", word):  # "$0.80" comes out "¢80": said "eighty cents"
        return [word[1:], "cents"]
    if word.endswith("xlarge"):  # "xlarge", "2xlarge": said "x large", "two x large"
        return [*([word[:-6]] if word[:-6] else []), "x", "large"]
    return _RATE_HEARD.get(word, _UNIT_HEARD.get(word, word)).split()


def reword(heard: list[str]) -> list[str]:
    """Words kept from an earlier hearing put through :func:`words`' rules for one word again:
    the heard-words cache keeps words, not Whisper's text, so a rule added since ("gigabits" is
    "gb") applies to words heard before it as to words heard now. Each word's rules give
    their own output back, so words heard now are unchanged. (Numbers are not joined again:
    the cache's words no longer show the clauses :func:`words` joins numbers within.)"""
    parts = [p for w in heard for p in _spoken_parts(w)]
    out: list[str] = []
    for i, w in enumerate(parts):
        size = parts[i + 1:i + 3]
        if (size and size[0] in _SIZES) or size == ["x", "large"]:
            if _SIZE_NUMBER.fullmatch(w):  # "p 5.48 x large" heard before the instance rule: "p 548 x large"
                out.append(w.replace(".", ""))
                continue
            if w == "dot" and out and out[-1][-1:].isdigit():  # "g 6 dot x large": "g 6 x large"
                continue
        out.append(w)
    return out


def _join_numbers(tokens: list[str]) -> list[str]:
    """Numbers side by side in a clause as one token: the normalizer joins "twenty twenty-four
    thirty ninety-four" (CVE-2024-3094) into 20243094, where Whisper writes "2024 3094"; both
    sides joined, the same digits match however they were grouped."""
    out: list[str] = []
    for w in tokens:
        if out and w.isdigit() and out[-1].isdigit():
            out[-1] += w
        else:
            out.append(w)
    return out


class Phonemes:
    """English phonemes from espeak-ng (via phonemizer); one backend, used under a lock."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        try:
            import espeakng_loader
            from phonemizer.backend import EspeakBackend
            from phonemizer.backend.espeak.wrapper import EspeakWrapper
        except ImportError as exc:
            raise RenderError("render check needs phonemizer and espeakng-loader",
                              hint="pip install phonemizer-fork espeakng-loader (the README's set-up commands do this)"
                              ) from exc
        with self._lock:
            EspeakWrapper.set_library(espeakng_loader.get_library_path())
            EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
            # its own logger, quiet: espeak-ng reading "e.g." as two words is no news to a producer
            quiet = logging.getLogger(f"{__name__}.espeak")
            quiet.setLevel(logging.ERROR)
            self._backend = EspeakBackend("en-us", with_stress=False, preserve_punctuation=False, logger=quiet)
        self._memo: dict[str, str] = {}

    def __call__(self, texts: list[str]) -> list[str]:
        todo = sorted({t for t in texts if t and t not in self._memo})
        if todo:
            with self._lock:
                out = self._backend.phonemize(todo, strip=True, njobs=1)
            self._memo.update({t: re.sub(r"[\s_ˈˌː-]", "", p) for t, p in zip(todo, out, strict=True)})
        return [self._memo.get(t, "") for t in texts]


def similarity(a: str, b: str) -> float:
    """1 − edit distance / longer length, on phoneme strings."""
    from rapidfuzz.distance import Levenshtein

    return float(Levenshtein.normalized_similarity(a, b))


def _kind(expected: list[str], lexicon_words: set[str]) -> str:
    if any(w in lexicon_words for w in expected):
        return "lexicon"
    if any(any(c.isdigit() for c in w) for w in expected):
        return "number"
    return "text"


Run = tuple[int, int, list[str]]  # one aligned edit: expected words [start, end) and the words heard


def _align(expected: list[str], heard: list[str]) -> tuple[int, list[list[Run]]]:
    """(word errors, edits grouped where they touch: ``cube con`` for ``kubecon`` is a
    substitution next to an insertion, and only sounds alike taken together)."""
    try:
        import jiwer
    except ImportError as exc:
        raise RenderError("render check needs the package jiwer", hint=_INSTALL_HINT) from exc
    if not expected or not heard:
        return len(expected) + len(heard), ([[(0, len(expected), heard)]] if expected or heard else [])
    out = jiwer.process_words(" ".join(expected), " ".join(heard))
    errors = out.substitutions + out.deletions + out.insertions
    groups: list[list[Run]] = []
    touching = False
    for chunk in out.alignments[0]:
        if chunk.type == "equal":
            touching = False
            continue
        run = (chunk.ref_start_idx, chunk.ref_end_idx, heard[chunk.hyp_start_idx:chunk.hyp_end_idx])
        if touching:
            groups[-1].append(run)
        else:
            groups.append([run])
        touching = True
    return errors, groups


def dropped_run(expected: list[str], heard: list[str]) -> int:
    """The most expected words in a row that nothing was heard for (a recognizer skipping a
    stretch of a long turn leaves a run of deletions, a voice's slip one or two)."""
    if not heard:
        return len(expected)
    _, groups = _align(expected, heard)
    return max((b - a for group in groups for a, b, h in group if not h), default=0)


def spelled(spoken: str) -> set[str]:
    """Words the voice was told to spell, as they come out of :func:`words` (``G-P-U`` → ``gpu``)."""
    return {m[0].removesuffix("'s").replace("-", "").lower() for m in _LETTERS.finditer(spoken)}


def _say(ws: list[str], letters: set[str]) -> str:
    """Text for espeak: spelled words as separate letters, so "dra" sounds as D-R-A."""
    out = []
    for w in ws:
        stem = w[:-1] if w.endswith("s") and w[:-1] in letters else w
        out.append(" ".join(w) if stem in letters else w)
    return " ".join(out)


def said_in(form: str, text: str) -> str | None:
    """A lexicon form's words (as :func:`words` makes them) where they stand as whole words in
    ``text`` (words joined by spaces), else None: "G-A" is in "went ga in", not in "gamma"."""
    said = " ".join(words(form))
    return said if said and f" {said} " in f" {text} " else None


def _as_written(text: str, lexicon: list[tuple[str, str]]) -> str | None:
    """``text`` with respelled lexicon entries put back as the script writes them ("noo muh" →
    "NUMA"): a recognizer that understood the word writes it that way. None if none is in it."""
    out = f" {text} "
    for key, form in lexicon:
        if not _LETTERS.fullmatch(form) and (said := said_in(form, out)):
            out = out.replace(f" {said} ", f" {key} ")
    return out.strip() if out.strip() != text else None


def respelled(expected: list[str], lexicon: list[tuple[str, str]]) -> list[tuple[int, int, str, str]]:
    """Where each respelled lexicon word ([say], not spelled letters) sits in the expected
    words, with its entry: (start, end, written key, respelling)."""
    spans: list[tuple[int, int, str, str]] = []
    for key, form in lexicon:
        said = words(form)
        if not said or _LETTERS.fullmatch(form):
            continue
        for i in range(len(expected) - len(said) + 1):
            if expected[i:i + len(said)] == said and not any(a < i + len(said) and i < b for a, b, *_ in spans):
                spans.append((i, i + len(said), key, form))
    return sorted(spans)


# A respelling must sound something like the word it stands for: measured on every [say] entry
# of the field and project lexicons (lowest: SQL = "sequel" 0.29, PaaS = "pass" 0.33) against
# planted nonsense (Zorblat = "flibber gronk wazzle" 0.13, Kafka = "banana split" 0.09, all
# five under 0.14). Abbreviations written with digits or a slash (K8s = "Kubernetes",
# CI/CD), or whose expansion's initials spell them (LOC = "lines of code"), expand rather
# than respell, and are not judged this way.
PLAUSIBLE = 0.2


def plausibility(key: str, form: str, phonemes: Phonemes) -> float | None:
    """How much a respelling sounds like its written word, read as a word or letter by letter
    (None for an abbreviation, which expands instead: written with a digit or a slash, or an
    acronym whose expansion's initials spell it, LOC = "lines of code", YoY = "year over year")."""
    if re.search(r"[\d/]", key) or (len(key) > 1 and "".join(w[0] for w in words(form)) == key.lower()):
        return None
    caps = key.isupper() or sum(c.isupper() for c in key) > 1
    options = _readings(" ".join(words(key)), True) + ([" ".join(key)] if caps else [])
    sounds = phonemes([*options, " ".join(words(form))])
    return max(similarity(a, sounds[-1]) for a in sounds[:-1])


def _heard_as_written(expected: list[str], heard: list[str], s: int, e: int,
                      lexicon: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The respelled words ``expected[s:e]`` as the script writes them, and what was heard there.

    Aligned in the written domain (every respelling put back as its key), so a key that
    normalizes to a different number of words ("isn't" → "is not" for "izz-unt") lines
    up word for word with what a recognizer that understood it wrote.
    """
    span = _as_written(" ".join(expected[s:e]), lexicon)
    if span is None:
        return [], []
    head = words(_as_written(" ".join(expected[:s]), lexicon) or " ".join(expected[:s]))
    tail = words(_as_written(" ".join(expected[e:]), lexicon) or " ".join(expected[e:]))
    said = words(span)
    at = heard_at(head + said + tail, heard)
    return said, [w for i in range(len(head), len(head) + len(said)) for w in at[i]]


def compare(turn: int, speaker: str, line: int, expected: list[str], heard: list[str],
            lexicon: list[tuple[str, str]], letters: set[str], phonemes: Phonemes) -> TurnCheck:
    """Align one turn's expected words with what was heard, and judge each mismatch: it is
    benign if it sounds like what was expected, alone or together with the edits it touches,
    or differs only in spacing.

    A respelled lexicon word is judged whole, against the script's own word: what was heard
    there must be the respelling itself, word for word, or sound like the written word (a
    recognizer that understood "noo-mah" writes "NUMA"). So a respelling that makes the voice
    say something else ("Zorblat" = "flibber gronk") is caught, however faithfully it is said.
    """
    _, groups = _align(expected, heard)
    lexicon_words = {w for _, form in lexicon for w in words(form)}
    spans = respelled(expected, lexicon)
    errors = word_errors(expected, heard, spans)

    def in_span(a: int, b: int) -> bool:
        return any((s < b and a < e) if b > a else s < a < e for s, e, *_ in spans)

    mismatches = []
    group_sims: list[tuple[int, int, float]] = []  # each group's expected words and how alike it sounds whole
    for group in groups:
        e_all = [w for a, b, _ in group for w in expected[a:b]]
        h_all = [w for *_, h in group for w in h]
        # only the spacing differs ("cube con", "open ai", "2025 3" heard as "20253"): the same words,
        # also with small words dropped or added beside them ("if open ai" heard "openai": rule 1 and 2)
        respaced = "".join(e_all) == "".join(h_all) or (
            _content(e_all) == _content(h_all) and bool(_content(e_all)))
        together = 1.0 if respaced else max(_sounds(e_all, h_all, lexicon, letters, phonemes),
                                            _content_sounds(e_all, h_all, lexicon, letters, phonemes))
        group_sims.append((group[0][0], group[-1][1], together))
        for a, b, h in group:
            if in_span(a, b):
                continue  # judged with its whole lexicon word below
            e = expected[a:b]
            sim = together if respaced else max(together, _sounds(e, h, lexicon, letters, phonemes))
            small = all(w in FUNCTION_WORDS for w in e + h)
            mismatches.append(Mismatch(" ".join(e), " ".join(h), _kind(e, lexicon_words), round(sim, 3),
                                       benign=small or sim >= SOUNDS_ALIKE, start=a, end=b))
    at = heard_at(expected, heard) if spans or any(not m.benign for m in mismatches) else []
    for m in mismatches:  # the same letters across the edits' neighbours: "auto vacuum vacuum" for "autovacuum vacuum"
        m.benign = m.benign or respaced_window(expected, at, m.start, m.end)
    if spans:
        for lo, hi, key, form in spans:
            there = [w for i in range(lo, hi) for w in at[i]]
            fit = plausibility(key, form, phonemes)
            if fit is not None and fit < PLAUSIBLE:  # the entry itself says another word, however well it is said
                mismatches.append(Mismatch(" ".join(expected[lo:hi]), " ".join(there), "lexicon", round(fit, 3),
                                           benign=False, start=lo, end=hi, entry=f'{key} = "{form}"'))
                continue
            if there == expected[lo:hi]:
                continue
            said, there_said = _heard_as_written(expected, heard, lo, hi, lexicon)
            same = ("".join(there) == "".join(expected[lo:hi]) or (bool(said) and there_said == said)
                    or _respelling_heard(expected[lo:hi], there, phonemes))
            # a word heard run into its neighbour ("qproxy" for "cube proxy", kube = "cube") is
            # judged with it: the stretch its alignment group covers, whole
            whole = max((g for a, b, g in group_sims if a < hi and lo < b and (a < lo or b > hi)), default=0.0)
            sim = 1.0 if same else max(whole, *(_sounds(expected[lo:hi], h, lexicon, letters, phonemes)
                                                 for h in (there, there_said)))
            mismatches.append(Mismatch(" ".join(expected[lo:hi]), " ".join(there), "lexicon", round(sim, 3),
                                       benign=sim >= SOUNDS_ALIKE, start=lo, end=hi))
        mismatches.sort(key=lambda m: (m.start, m.end))
    return TurnCheck(turn, speaker, line, expected, heard, errors, mismatches)


def _content_sounds(expected: list[str], heard: list[str], lexicon: list[tuple[str, str]], letters: set[str],
                    phonemes: Phonemes) -> float:
    """How alike the two runs sound without their small function words, which the recognizer
    drops and adds at random (:data:`FUNCTION_WORDS`): "a pod's" heard "pod" is judged as
    "pods" against "pod", as it would be had the dropped "a" not stood beside it. 0 when
    either side is nothing but function words, or no word was dropped."""
    e = [w for w in expected if w not in FUNCTION_WORDS]
    h = [w for w in heard if w not in FUNCTION_WORDS]
    if not e or not h or (e == expected and h == heard):
        return 0.0
    return _sounds(e, h, lexicon, letters, phonemes)


def _content(ws: list[str]) -> str:
    """The letters of the words that are not small function words."""
    return "".join(w for w in ws if w not in FUNCTION_WORDS)


def word_errors(expected: list[str], heard: list[str], spans: Sequence[tuple[int, int, str, str]] = ()) -> int:
    """The word errors the check's WER counts: substitutions, deletions and insertions, except
    where the recognizer wrote the same letters with other spacing ("trace points" for
    "tracepoints", "postgres ql") and, for each respelled lexicon word, against whichever of
    the respelling ("red iss") and the script's own word ("redis") was heard there: a
    recognizer that understood the word writes it as the script does, and that is no error."""
    reference = list(expected)
    if spans:
        from rapidfuzz.distance import Levenshtein

        at = heard_at(expected, heard)
        for lo, hi, key, _ in reversed(spans):  # right to left: earlier indices stay valid
            there = "".join(w for i in range(lo, hi) for w in at[i])
            own = words(key)
            if any("".join(run) == "".join(own) for run in _runs_near(at, lo, hi, 2, RESPACED)) or \
                    Levenshtein.normalized_similarity(there, "".join(own)) > \
                    Levenshtein.normalized_similarity(there, "".join(expected[lo:hi])):
                reference[lo:hi] = own
    if not reference or not heard:
        return len(reference) + len(heard)
    _, groups = _align(reference, heard)
    return sum(respaced_errors([w for a, b, _ in group for w in reference[a:b]], [w for *_, h in group for w in h])
               for group in groups)


RESPACED = 4  # the most words on either side that may be one run of letters ("post gress q l")


def _runs_near(at: list[list[str]], lo: int, hi: int, slack: int, longest: int) -> list[list[str]]:
    """Every run of up to ``longest`` words heard within ``slack`` words of ``at[lo:hi]``.

    When a word beside a span was dropped, the alignment can give the span's own word to its
    neighbour: "and red iss on" heard "redis on" put "redis" against "and" (the respelling then
    counted three errors for a word heard as the script writes it), and base's "plano sider
    blocks" for "plan your cider blocks" put "sider" against "your". So the word is looked for
    a little either side of its place."""
    near = [w for i in range(max(0, lo - slack), min(len(at), hi + slack)) for w in at[i]]
    return [near[i:j] for i in range(len(near)) for j in range(i + 1, min(len(near), i + longest) + 1)]


def respaced_window(expected: list[str], at: list[list[str]], start: int, end: int) -> bool:
    """Whether the words around ``expected[start:end]`` were heard as the same letters with
    other spacing, the mismatch's own words included: a name in code said as words
    ("autovacuum vacuum scale factor") and written as one, or "autovacuum vacuum" heard "auto
    vacuum vacuum". ``at``: the heard words per expected word (:func:`heard_at`), an
    insertion with the word before; a word heard twice ("auto vacuum vacuum" for "auto
    vacuum") is no respacing."""
    first = start - 1 if end == start else start  # words heard where none are sit with the word before
    if first < 0:
        return False
    return any("".join(expected[a:b]) == "".join(w for i in range(a, b) for w in at[i])
               for a in range(max(0, first - RESPACED + 1), first + 1)
               for b in range(max(end, first + 1), min(len(expected), max(end, first + 1) + RESPACED) + 1)
               if b - a > 1)


def respaced_errors(ref: list[str], hyp: list[str]) -> int:
    """Word edits from ``ref`` to ``hyp`` where a run of words written with the same letters
    and other spacing ("elasticache" / "elastic cache") costs nothing: so one dropped "and"
    beside a respaced word is one error, not every word of the stretch."""
    inf = len(ref) + len(hyp)
    dist = [[inf] * (len(hyp) + 1) for _ in range(len(ref) + 1)]
    dist[0] = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        dist[i][0] = i
        for j in range(1, len(hyp) + 1):
            best = min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
            for a in range(1, min(RESPACED, i) + 1):
                for b in range(1, min(RESPACED, j) + 1):
                    if (a > 1 or b > 1) and "".join(ref[i - a:i]) == "".join(hyp[j - b:j]):
                        best = min(best, dist[i - a][j - b])
            dist[i][j] = best
    return dist[len(ref)][len(hyp)]


def _readings(text: str, spelled_too: bool) -> list[str]:
    """Ways to read ``text`` aloud: as words, and, for a short word, letter by letter
    (a recognizer writes an acronym it half-heard as "DRI" or "dri")."""
    out = [text]
    if spelled_too and text and len(text.replace(" ", "")) <= 5 and text.replace(" ", "").isalpha():
        out.append(" ".join(text.replace(" ", "")))
    return out


def _sounds(expected: list[str], heard: list[str], lexicon: list[tuple[str, str]], letters: set[str],
            phonemes: Phonemes) -> float:
    """How alike two runs of words sound. Respelled lexicon words count as the script writes
    them, read as a word or, when short and in capitals (DRA, NUMA), letter by letter."""
    written = _as_written(" ".join(expected), lexicon)
    if written is None:
        options = [_say(expected, letters)]
        alternatives = [_say(heard, letters)]
    else:
        caps = any(k.isupper() for k, _ in lexicon if k in written.split())
        options = _readings(written, caps)
        alternatives = _readings(" ".join(heard), caps)
    sounds = phonemes([*options, *alternatives])
    return max(similarity(a, b) for a in sounds[:len(options)] for b in sounds[len(options):])


def _respelling_heard(said: list[str], heard: list[str], phonemes: Phonemes) -> bool:
    """Whether a respelling was heard word for word by sound ("kube control" for "cube
    control"): the voice said what it was told. A respelling that says another word is caught
    by :func:`plausibility`; one word heard for two ("side of" for "cider") is not this."""
    if len(said) != len(heard) or not said:
        return False
    sounds = phonemes([*said, *heard])
    return all(similarity(a, b) >= SOUNDS_ALIKE for a, b in zip(sounds[:len(said)], sounds[len(said):], strict=True))


def heard_at(expected: list[str], heard: list[str]) -> list[list[str]]:
    """For each expected word, the words heard in its place (an inserted word goes with the word before)."""
    import jiwer

    at: list[list[str]] = [[] for _ in expected]
    if not heard or not expected:
        return at
    out = jiwer.process_words(" ".join(expected), " ".join(heard))
    for c in out.alignments[0]:
        h = heard[c.hyp_start_idx:c.hyp_end_idx]
        if c.type == "insert":
            at[max(0, c.ref_start_idx - 1)] += h
        elif c.type != "delete":
            for i, w in enumerate(h):
                at[min(c.ref_start_idx + i, c.ref_end_idx - 1)].append(w)
    return at


def confirm(check: TurnCheck, second: list[str], lexicon: list[tuple[str, str]], letters: set[str],
            phonemes: Phonemes, span: tuple[int, int] | None = None) -> None:
    """Keep a flag only where a second, larger recognizer mishears the same words too.

    Whisper tiny mishears some clear words (a name it does not know, "beta" as
    "better"); when Whisper base hears the script's words there, the fault is
    tiny's, not the voice's, and the mismatch becomes benign. ``span``: the second
    recognizer heard only these expected words (the sentences holding the flags), and
    only the mismatches inside it are judged again.
    """
    lo, hi = span if span is not None else (0, len(check.expected))
    expected_here = check.expected[lo:hi]
    at = heard_at(expected_here, second)
    for m in check.mismatches:
        if m.benign or m.entry:  # a wrong entry is wrong whoever hears it
            continue
        if m.end > m.start:
            if not (lo <= m.start and m.end <= hi):
                continue
            there = [w for i in range(m.start, m.end) for w in at[i - lo]]
            expected = check.expected[m.start:m.end]
            content = [w for w in expected if w not in FUNCTION_WORDS]
            sim = _sounds(expected, there, lexicon, letters, phonemes)
            if m.kind == "lexicon":
                said, there_said = _heard_as_written(expected_here, second, m.start - lo, m.end - lo, lexicon)
                sim = 1.0 if (said and there_said == said) or _respelling_heard(expected, there, phonemes) else max(
                    sim, _sounds(expected, there_said, lexicon, letters, phonemes))
            if sim < SOUNDS_ALIKE:  # the alignment can put base's word one place off the span
                sim = max([sim, *(_sounds(expected, run, lexicon, letters, phonemes)
                                  for run in _runs_near(at, m.start - lo, m.end - lo, 1, len(expected) + 1))])
            m.second = " ".join(there)
            # base heard the words that carry the meaning (dropping an "it's" is not a mishearing),
            # or the same letters spaced otherwise ("autovacuumvacuumscalefactor")
            # or one small word for another ("an" heard "na" by tiny and "in" by base), as
            # :func:`compare` judges small words
            m.benign = sim >= SOUNDS_ALIKE or (bool(content) and content == [w for w in there
                                                                                if w not in FUNCTION_WORDS]) \
                or respaced_window(expected_here, at, m.start - lo, m.end - lo) \
                or all(w in FUNCTION_WORDS for w in expected + there)
        else:  # words heard where the script has none: confirmed if base hears extra words there too
            before = m.start - 1  # the expected word the extra words were heard after
            if not (lo <= before < hi or m.start == lo == 0):
                continue
            extra = at[before - lo][1:] if before >= lo and at[before - lo] else []
            m.second = " ".join(extra)
            m.benign = not extra or respaced_window(expected_here, at, m.start - lo, m.end - lo)
    _confirm_together(check, at, lo, hi, lexicon, letters, phonemes)


def _confirm_together(check: TurnCheck, at: list[list[str]], lo: int, hi: int, lexicon: list[tuple[str, str]],
                      letters: set[str], phonemes: Phonemes) -> None:
    """Mismatches side by side judged whole by what base heard over them all: "a word" heard
    "award" is two mismatches ("a": "award", "word": nothing) that sound alike only together,
    as :func:`compare` judges an alignment group; so too "cube admin" heard "kube and in"."""
    runs: list[list[Mismatch]] = []
    for m in check.mismatches:
        if m.benign or m.entry or not (lo <= m.start and max(m.end, m.start + 1) <= hi):
            continue
        if runs and m.start <= max(r.end for r in runs[-1]):
            runs[-1].append(m)
        else:
            runs.append([m])
    for run in runs:
        a = min(m.start for m in run if m.end > m.start) if any(m.end > m.start for m in run) else run[0].start - 1
        b = max(max(m.end for m in run), a + 1)
        if len(run) < 2 or a < lo:
            continue
        expected = check.expected[a:b]
        # words heard before the run's first word sit with the word before it (:func:`heard_at`)
        before = at[a - 1 - lo][1:] if any(m.end == m.start == a for m in run) and a - 1 >= lo else []
        there = before + [w for i in range(a, b) for w in at[i - lo]]
        # a respelled word as written ("kubeadm") or as the voice was told to say it ("cube admin"):
        # an entry that says another word is caught by :func:`plausibility` before this
        if max(_sounds(expected, there, lexicon, letters, phonemes),
               _sounds(expected, there, [], letters, phonemes)) >= SOUNDS_ALIKE:
            for m in run:
                m.benign = True
