"""Proof-listening: transcribe a rendered episode turn by turn and flag what a listener would mishear.

A render writes ``turns.json`` beside the MP3: each turn's place in the file,
its written and spoken text, and its audio key (the turn cache's key, which
changes exactly when the turn's sound does). The check cuts every turn out of
the decoded MP3, transcribes it (:mod:`render.check.recognize`) and compares it with
the spoken text (:mod:`render.check.proofread`).

Turns are heard in windows of several turns (:func:`windows`). What was heard is
cached per turn under the turn cache (``check/``), keyed by the turn's audio key,
its window's and the recognizer's version, so a re-render after an edit
transcribes only the edited turn's window, and a warm re-render nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from render.audio.measure import decode
from render.check.proofread import (
    JUDGE,
    Phonemes,
    TurnCheck,
    compare,
    confirm,
    dropped_run,
    heard_at,
    respelled,
    reword,
    spelled,
    word_errors,
    words,
)
from render.check.recognize import GAP_S, MODELS, RATE, WINDOW_S, Recognizer, Window, glossary, join, model_version
from render.errors import RenderError
from render.files import KeyedStore, write_text
from render.report import REPORT, Check, load_report

LAYOUT = "turns.json"
SKIPPED = 8  # expected words in a row heard as nothing: the recognizer skipped, not the voice
SHORT_PIECE_S = 12.0  # a turn heard again after a skip, in pieces of about this long
PAD_S = 0.05  # cut a little either side of a turn: its first and last phonemes are soft


@dataclass
class TurnLayout:
    """One turn of a render, as ``turns.json`` records it."""

    turn: int  # the turn's number, from 1 (as everywhere a user sees one)
    speaker: str
    line: int
    start_s: float
    end_s: float
    key: str
    text: str
    spoken: str
    lexicon: list[tuple[str, str]] = field(default_factory=list)  # lexicon entries it uses: (written, said)
    breaks: list[float] = field(default_factory=list)  # where its sentences after the first start (file seconds)
    sentences: list[int] = field(default_factory=list)  # ... and where they start in ``spoken`` (characters)


@dataclass
class CheckResult:
    """The whole episode, as heard."""

    model: str
    turns: list[TurnCheck]
    transcribed: int  # turns sent to the recognizer this time
    cached: int
    seconds: float
    written: dict[int, str] = field(default_factory=dict)  # each turn's script text
    letters: dict[int, set[str]] = field(default_factory=dict)  # words each turn spells out
    second: int = 0  # turns the second recognizer heard to confirm flags
    lexicon: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # entries each turn uses

    @property
    def flagged(self) -> list[TurnCheck]:
        return [t for t in self.turns if t.flagged]

    def wer(self, speaker: str | None = None) -> float:
        picked = [t for t in self.turns if speaker is None or t.speaker == speaker]
        total = sum(len(t.expected) for t in picked)
        return round(sum(t.errors for t in picked) / total, 4) if total else 0.0

    def summary(self) -> Check:
        """The result as the report keeps it."""
        speakers = sorted({t.speaker for t in self.turns})
        return Check(self.model, self.wer(), {s: self.wer(s) for s in speakers}, len(self.turns), self.transcribed,
                     self.cached, self.second, round(self.seconds, 2), [t.as_flag() for t in self.flagged], JUDGE)


def write_layout(turns: list[TurnLayout], path: Path) -> None:
    write_text(json.dumps([t.__dict__ for t in turns], indent=1, ensure_ascii=False) + "\n", path)


def load_layout(path: Path) -> list[TurnLayout]:
    """``turns.json`` as written by :func:`write_layout`. Files written before turns were
    numbered from 1 everywhere counted from 0; they are read with the numbers users see."""
    turns = [TurnLayout(**t) for t in json.loads(path.read_text(encoding="utf-8"))]
    shift = 1 if turns and turns[0].turn == 0 else 0
    for t in turns:
        t.turn += shift
        t.lexicon = [(str(k), str(v)) for k, v in t.lexicon]
    return turns


def read_layout(folder: Path) -> tuple[list[TurnLayout], Path]:
    """The turns of the render in ``folder`` and its audio file."""
    path = folder / LAYOUT
    report = load_report(folder / REPORT)
    try:
        if report is None:
            raise FileNotFoundError(folder / REPORT)
        turns = load_layout(path)
        audio = folder / Path(report.audio).name
    except FileNotFoundError:
        raise RenderError(f"no render to check in {folder}",
                          hint="render the episode first: render episode EP") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise RenderError(f"{path} is not a turn layout written by this version of render", path,
                          hint="render the episode again") from exc
    if not audio.exists():
        raise RenderError(f"{audio} is missing", folder, hint="render the episode again")
    return turns, audio


def heard_key(audio_key: str, recognizer_version: str, window: list[str], prompt: str | None = None) -> str:
    """What a turn was heard as depends on its own audio, the recognizer, the turns it
    was heard with (``window``: their audio keys, in order) and the names it was prompted with;
    ``v`` changes with :func:`~render.check.proofread.words`' rules for a sentence, whose
    words are what is kept (a rule for one word is applied to kept words again instead:
    :func:`~render.check.proofread.reword`)."""
    blob = json.dumps({"v": 16, "turn": audio_key, "asr": recognizer_version, "window": window, "prompt": prompt})
    return hashlib.sha256(blob.encode()).hexdigest()


def window_keys(group: list[TurnLayout], recognizer_version: str) -> dict[int, str]:
    """Each turn's :func:`heard_key` in its window ``group``."""
    company = [t.key for t in group]
    asked = window_prompt(group)
    return {t.turn: heard_key(t.key, recognizer_version, company, asked) for t in group}


def window_prompt(turns: list[TurnLayout]) -> str | None:
    """The prompt a window of ``turns`` is heard with: one definition for what is heard
    (:func:`transcribe_turns`) and for the key it is cached under (:func:`window_keys`)."""
    return glossary([n for t in turns for n in vocabulary(t)])


_SENTENCE = re.compile(r"(?<=[.!?:;])\s+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.+#-][A-Za-z0-9]+)*")


def vocabulary(t: TurnLayout) -> list[str]:
    """The names a turn's script text writes, for the recognizer's prompt (:func:`glossary`):
    its lexicon entries' words, and every word with a capital or a digit past its first
    letter (EC2, DynamoDB, IaC, x86) or capitalized inside a sentence (Redis, Trainium), and
    every file or host name (resolv.conf, which unprompted Whisper writes "resolve.com").

    Whisper tiny spells a name it has never seen by its sound ("sileum" for Cilium,
    "colonel" for kernel's homophone, "tetrigon"), which counted as word errors though a
    listener of the show heard the name. Prompted with the names the turn writes, it spells
    them as the script does when it hears them, and still writes what it heard where
    another word was said ("walkie" for Valkey, "gravity on" for Graviton): on six renders
    the flags fell from 14 to 7 (docs/benchmarks.md, "A prompt of the script's names").
    """
    names = [key for key, _ in t.lexicon]
    for sentence in _SENTENCE.split(t.text):
        for i, w in enumerate(_TOKEN.findall(sentence)):
            inner = any(c.isupper() or c.isdigit() for c in w[1:])
            dotted = "." in w and all(len(p) > 1 for p in w.split("."))  # resolv.conf, not e.g.
            if inner or dotted or (i > 0 and w[0].isupper() and len(w) > 2):
                names.append(w)
    return names


BOUNDARY = 3  # past MIN_WINDOW_S, a window ends before roughly one turn in this many, chosen by its audio key
MIN_WINDOW_S = 10.0  # no boundary before this much audio: one-turn windows cost an encoder pass each


def windows(turns: list[TurnLayout]) -> list[list[TurnLayout]]:
    """The episode's turns in windows that depend on the turns' audio alone, not on what
    else needs hearing: the same audio is always heard in the same company, so a re-check
    gives the same flags as a cold one (Whisper's reading of a turn shifts a little with
    its neighbours).

    Windows fill up to :data:`WINDOW_S`, and once one holds :data:`MIN_WINDOW_S` a new one
    also starts at any turn whose audio key falls on a boundary (content-defined chunking
    with a minimum size, as backup tools do), so an edit that changes one turn's length
    moves the windows only until the next such turn. Simulated on 00035 (every turn edited
    in turn, 2 s longer): 46 windows; an edit re-hears 1.65 windows on average, at most 4.
    Without the boundaries, 42 windows but up to 7; without the minimum, 56 windows.
    """
    out: list[list[TurnLayout]] = []
    length = 0.0
    for t in turns:
        seconds = t.end_s - t.start_s + 2 * PAD_S + GAP_S
        boundary = length >= MIN_WINDOW_S and int(t.key[:8], 16) % BOUNDARY == 0
        if not out or length + seconds > WINDOW_S or boundary:
            out.append([])
            length = 0.0
        out[-1].append(t)
        length += seconds
    return out


class HeardCache:
    """What was heard in each turn, on disk under ``root/ab/abcd….json``; ``root=None`` keeps nothing."""

    def __init__(self, root: Path | None) -> None:
        self.store = KeyedStore(root, ".json")

    def get(self, key: str) -> list[str] | None:
        data = self.store.read(key)
        try:
            heard = json.loads(data)["heard"] if data is not None else None
        except (ValueError, KeyError, TypeError):
            return None
        return reword([str(w) for w in heard]) if isinstance(heard, list) else None

    def put(self, key: str, heard: list[str]) -> None:
        self.store.write(key, json.dumps({"heard": heard}).encode())


BOUNDARY_SLACK = 3  # words a boundary between two turns' heard words may move


def split_heard(expected: list[list[str]], heard: list[str],
                lexicons: list[list[tuple[str, str]]] | None = None) -> list[list[str]]:
    """Share out the words heard in a window among its turns, by aligning them with the
    turns' expected words; a word heard between two turns goes to the earlier one. Errors
    at a boundary are counted as the check counts them, a respelled word heard as the
    script writes it being none (``lexicons``: each turn's entries)."""
    spans = [respelled(e, lex) for e, lex in zip(expected, lexicons or [[] for _ in expected], strict=True)]
    owner = [k for k, ws in enumerate(expected) for _ in ws]
    out: list[list[str]] = [[] for _ in expected]
    if not owner:
        out[0] = list(heard)
        return out
    for k, there in zip(owner, heard_at([w for ws in expected for w in ws], heard), strict=True):
        out[k] += there
    # The alignment breaks ties blindly, and a tie at a boundary moves words to the wrong turn:
    # "… what about far gate?" then "far gate is great …", heard "what about fargate fargate
    # is great", gave both "fargate"s to the first turn and flagged both turns (90001). So each
    # boundary moves, by up to BOUNDARY_SLACK words, to where the two turns' errors are fewest.
    for k in range(len(out) - 1):
        if out[k][-1:] == expected[k][-1:] and out[k + 1][:1] == expected[k + 1][:1]:
            continue  # a clean boundary
        both, cut_at = out[k] + out[k + 1], len(out[k])
        options = range(max(0, cut_at - BOUNDARY_SLACK), min(len(both), cut_at + BOUNDARY_SLACK) + 1)
        best = min(options, key=lambda c: (word_errors(expected[k], both[:c], spans[k])
                                           + word_errors(expected[k + 1], both[c:], spans[k + 1]), abs(c - cut_at)))
        out[k], out[k + 1] = both[:best], both[best:]
    return out


def cut(audio: np.ndarray, rate: int, start_s: float, end_s: float) -> np.ndarray:
    """One turn at the recognizer's rate."""
    import soxr

    a = max(0, int((start_s - PAD_S) * rate))
    b = min(len(audio), int((end_s + PAD_S) * rate))
    return soxr.resample(audio[a:b], rate, RATE).astype(np.float32)


def pieces(audio: np.ndarray, cuts: list[float], limit_s: float = WINDOW_S - 1.0) -> list[np.ndarray]:
    """A turn longer than Whisper hears at once (30 s) in pieces of at most ``limit_s``, cut at
    its sentence starts (``cuts``, seconds into the clip) where it can be, else hard."""
    out, start, total = [], 0, len(audio)
    limit = int(limit_s * RATE)
    while total - start > limit:
        fits = [int(c * RATE) for c in cuts if start < int(c * RATE) <= start + limit]
        end = max(fits) if fits and max(fits) - start > limit // 3 else start + limit
        out.append(audio[start:end])
        start = end
    return [*out, audio[start:]]


def transcribe_turns(groups: list[list[tuple[int, np.ndarray]]], expected: dict[int, list[str]],
                     recognizer: Recognizer, progress: Callable[[int], None] | None = None,
                     cuts: dict[int, list[float]] | None = None,
                     turns: dict[int, TurnLayout] | None = None) -> dict[int, list[str]]:
    """Words heard in each turn of ``groups`` (windows of (turn, 16 kHz audio)), each window
    transcribed whole, prompted with the names its ``turns`` write (:func:`vocabulary`), and
    its words shared back among its turns (counting their lexicon entries as the check
    does). A turn alone in its window and longer than Whisper hears (30 s) is heard in
    pieces cut at its sentence starts (``cuts``: seconds into its clip), and the pieces'
    words joined."""
    heard: dict[int, list[str]] = {}
    known = turns or {}

    def prompt(numbers: list[int]) -> str | None:
        return window_prompt([known[turn] for turn in numbers if turn in known])

    step = 8  # windows per batch: one progress tick each
    for i in range(0, len(groups), step):
        part: list[Window] = []
        whole: list[bool] = []  # False: a piece of a long turn
        for g in groups[i:i + step]:
            if len(g) == 1 and len(g[0][1]) > WINDOW_S * RATE:
                chunks = pieces(g[0][1], (cuts or {}).get(g[0][0], []))
                part += [join([(g[0][0], c)], prompt([g[0][0]])) for c in chunks]
                whole += [False] * len(chunks)
            else:
                part.append(join(g, prompt([turn for turn, _ in g])))
                whole.append(True)
        for window, text, entire in zip(part, recognizer.transcribe(part), whole, strict=True):
            if not entire:
                heard.setdefault(window.turns[0], []).extend(words(text))
                continue
            shares = split_heard([expected[t] for t in window.turns], words(text),
                                 [known[t].lexicon if t in known else [] for t in window.turns])
            heard.update(zip(window.turns, shares, strict=True))
            if progress:
                progress(len(window.turns))
        if progress and not all(whole):
            progress(len({w.turns[0] for w, entire in zip(part, whole, strict=True) if not entire}))
    def heard_alone(clips: list[tuple[int, np.ndarray]]) -> list[str]:
        return recognizer.transcribe([join([c], prompt([c[0]])) for c in clips])

    # Whisper sometimes ends a window early (after a question and a pause it wrote nothing of
    # the next turn in 00035): a turn that came back with under half its words is heard alone.
    lost = [c for g in groups if len(g) > 1 for c in g if len(heard[c[0]]) < len(expected[c[0]]) / 2]
    if lost:
        for (turn, _), text in zip(lost, heard_alone(lost), strict=True):
            alone = words(text)
            if len(alone) > len(heard[turn]):
                heard[turn] = alone
    # It also skips a stretch inside a long piece, most often where sentences repeat each other
    # ("Then api.stripe.com.svc.cluster.local, NXDOMAIN again. Then …": 50 words of a lesson's
    # paragraph left out): such a turn is heard again in pieces of a few sentences each, and
    # what was heard that way is kept if it is closer to the script.
    skipped = [c for g in groups for c in g if dropped_run(expected[c[0]], heard[c[0]]) >= SKIPPED]
    if skipped:
        redo = [(turn, piece) for turn, audio in skipped
                for piece in pieces(audio, (cuts or {}).get(turn, []), SHORT_PIECE_S)]
        again: dict[int, list[str]] = {}
        for (turn, _), text in zip(redo, heard_alone(redo), strict=True):
            again.setdefault(turn, []).extend(words(text))
        for turn, found in again.items():
            if word_errors(expected[turn], found) < word_errors(expected[turn], heard[turn]):
                heard[turn] = found
    return heard


class EpisodeAudio:
    """The rendered episode, read only where turns have to be heard again: the whole file
    when many do (a cold check), else just those turns' stretches (after an edit: libsndfile
    seeks in the MP3 sample-exactly, 30 ms a turn against 0.8 s to decode 15 minutes)."""

    SPARSE = 12  # up to this many turns, read each on its own

    def __init__(self, path: Path) -> None:
        self.path = path
        self._audio: tuple[np.ndarray, int] | None = None
        self._rate: int | None = None

    def turns(self, wanted: list[TurnLayout]) -> dict[int, np.ndarray]:
        if self._audio is None and len(wanted) <= self.SPARSE:
            return {t.turn: self._segment(t) for t in wanted}
        if self._audio is None:
            self._audio = decode(self.path)
        audio, rate = self._audio
        return {t.turn: cut(audio, rate, t.start_s, t.end_s) for t in wanted}

    def _segment(self, t: TurnLayout) -> np.ndarray:
        import soundfile as sf

        if self._rate is None:
            self._rate = sf.info(str(self.path)).samplerate
        rate = self._rate
        a = max(0, int((t.start_s - PAD_S) * rate))
        b = int((t.end_s + PAD_S) * rate)
        part, rate = sf.read(str(self.path), dtype="float32", start=a, stop=b, always_2d=True)
        mono = np.ascontiguousarray(part[:, 0] if part.shape[1] == 1 else part.mean(axis=1))
        return cut(mono, rate, t.start_s - a / rate, t.end_s - a / rate)  # times within the stretch read


def _hear(groups: list[list[TurnLayout]], expected: dict[int, list[str]], audio: EpisodeAudio, cache: HeardCache,
          model: str, threads: int | None,
          progress: Callable[[int], None] | None = None) -> tuple[dict[int, list[str]], int]:
    """Words heard in each turn of ``groups`` (the windows to hear them in) by ``model``:
    from the cache, or transcribed now, a whole window at a time. (heard, transcribed)"""
    version = model_version(model)
    heard: dict[int, list[str]] = {}
    todo: list[list[TurnLayout]] = []
    keys: dict[int, str] = {}
    for group in groups:
        keys.update(window_keys(group, version))
        got = {t.turn: cache.get(keys[t.turn]) for t in group}
        if all(v is not None for v in got.values()):
            heard.update({k: v for k, v in got.items() if v is not None})
        else:
            todo.append(group)
    if progress:
        progress(len(heard))
    if todo:
        recognizer = Recognizer(model, threads)
        clips = audio.turns([t for g in todo for t in g])
        cuts = {t.turn: [b - (t.start_s - PAD_S) for b in t.breaks] for g in todo for t in g}
        fresh = transcribe_turns([[(t.turn, clips[t.turn]) for t in g] for g in todo], expected, recognizer,
                                 progress, cuts, {t.turn: t for g in todo for t in g})
        for t in (t for g in todo for t in g):
            cache.put(keys[t.turn], fresh[t.turn])
        heard.update(fresh)
    return heard, sum(len(g) for g in todo)


def check_render(layout: list[TurnLayout], audio_path: Path, cache_root: Path | None, *,
                 progress: Callable[[int, int], None] | None = None, threads: int | None = None) -> CheckResult:
    """Check a render (its turns and its audio file): every turn heard by Whisper tiny.en (from
    the cache where possible) and compared; what it flags is heard again by Whisper base, and
    kept only if base mishears it too."""
    t0 = time.perf_counter()
    audio = EpisodeAudio(audio_path)
    cache = HeardCache(cache_root)
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(done[0], len(layout))

    tick(0)
    expected = {t.turn: words(t.spoken) for t in layout}
    heard, transcribed = _hear(windows(layout), expected, audio, cache, "tiny.en", threads, tick)
    # base hears the doubtful stretches packed by the same rule: which those are follows from
    # tiny's windows, so the same audio gets the same second opinion, and an edit moves base's
    # windows only locally too
    checks, letters, second = judge(layout, expected, heard, lambda doubtful, said: _hear(
        windows(doubtful), said, audio, cache, "base", threads)[0])
    return CheckResult(f"{MODELS['tiny.en'][0]}, flags confirmed by {MODELS['base'][0]}", checks, transcribed,
                       len(layout) - transcribed, time.perf_counter() - t0,
                       {t.turn: t.text for t in layout}, letters, second=second,
                       lexicon={t.turn: t.lexicon for t in layout})


def judge(layout: list[TurnLayout], expected: dict[int, list[str]], heard: dict[int, list[str]],
          second_opinion: Callable[[list[TurnLayout], dict[int, list[str]]], dict[int, list[str]]]
          ) -> tuple[list[TurnCheck], dict[int, set[str]], int]:
    """Compare what each turn should say with what tiny.en heard; the stretches that look wrong
    are heard again by ``second_opinion`` (Whisper base, given the stretches and their expected
    words) and stay flagged only if it mishears them too. (checks, the words each turn spells
    out, how many turns were heard again)"""
    phonemes = Phonemes()
    letters = {t.turn: spelled(t.spoken) for t in layout}
    checks = [compare(t.turn, t.speaker, t.line, expected[t.turn], heard[t.turn], t.lexicon, letters[t.turn],
                      phonemes) for t in layout]
    doubtful = [(t, c) for t, c in zip(layout, checks, strict=True) if c.flagged]
    parts = [part for t, c in doubtful for part in doubtful_parts(t, c, expected[t.turn])]
    second = second_opinion([p.layout for p in parts], {p.layout.turn: p.expected for p in parts}) if parts else {}
    for part in parts:
        confirm(part.check, second[part.layout.turn], part.owner.lexicon, letters[part.owner.turn], phonemes,
                span=(part.lo, part.hi))
    return checks, letters, len(doubtful)


@dataclass
class Part:
    """A stretch of a flagged turn to hear again: the whole turn, or the sentences that hold
    its flags. ``layout`` is the stretch as a turn of its own (its own id, times and key),
    ``lo:hi`` its words in the owner turn's expected words."""

    owner: TurnLayout
    check: TurnCheck
    layout: TurnLayout
    lo: int
    hi: int
    expected: list[str]


PART_IDS = 1000  # a stretch's id: the turn's number times this, plus its first sentence


def doubtful_parts(t: TurnLayout, check: TurnCheck, expected: list[str]) -> list[Part]:
    """The sentences of ``t`` that hold its flagged words, merged where they touch, each to be
    heard again on its own: a 30-second turn with one doubtful word costs the second
    recognizer one sentence, not the turn (on a 5.3-minute long-turn episode, base's time fell
    from 17 to 12 s). The whole turn when it has one sentence, or its layout does not say where its
    sentences are (``turns.json`` written before they were recorded)."""
    whole = [Part(t, check, t, 0, len(expected), expected)]
    if not t.breaks or len(t.sentences) != len(t.breaks):
        return whole
    bounds = [0]
    for start in t.sentences:  # words() splits at sentence ends, so a prefix's words are the turn's first words
        head = words(t.spoken[:start])
        if head != expected[:len(head)] or len(head) < bounds[-1]:
            return whole
        bounds.append(len(head))
    bounds.append(len(expected))

    def sentence(word: int) -> int:
        return max(k for k in range(len(bounds) - 1) if bounds[k] <= word) if word > 0 else 0

    wanted: set[int] = set()
    for m in check.mismatches:
        if m.benign:
            continue
        first = sentence(m.start - 1 if m.end == m.start else m.start)  # words heard where none are: the one before
        last = sentence(max(m.start, m.end - 1))
        wanted.update(range(first, last + 1))
    runs: list[list[int]] = []
    for k in sorted(wanted):
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    times = [t.start_s, *t.breaks, t.end_s]  # sentence k runs from times[k] to times[k + 1]
    chars = [0, *t.sentences, len(t.spoken)]  # ... and from chars[k] to chars[k + 1] in the text
    out = []
    for run in runs:
        first, last = run[0], run[-1] + 1
        lo, hi = bounds[first], bounds[last]
        piece = replace(t, turn=t.turn * PART_IDS + first, start_s=times[first], end_s=times[last],
                        key=f"{t.key}:{first}-{last - 1}", breaks=[], sentences=[],
                        spoken=t.spoken[chars[first]:chars[last]])
        out.append(Part(t, check, piece, lo, hi, expected[lo:hi]))
    return out or whole
