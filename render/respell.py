"""``render check EP --try 'WORD=respelling'``: hear a lexicon fix work before adding it.

The flagged turns of the episode's last check that use the word (all flagged
turns if none does) are synthesized again with the respelling laid over
``voices/lexicon.toml``, transcribed, and compared, so the producer sees
before and after side by side. The episode itself is not touched; the new
turns land in the turn cache, so adding the same entry to the lexicon
afterwards re-renders them for free. Each tried turn is heard as the next check will
hear it (its window's neighbours, the episode's level), so what passes here should pass
there; Whisper still hears the MP3's coding, so a word at the edge can differ.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from render.audio.assemble import Timeline
from render.audio.dsp import Limiter
from render.audio.master import MasterSpec
from render.check.hear import (
    EpisodeAudio,
    TurnLayout,
    check_render,
    cut,
    judge,
    read_layout,
    transcribe_turns,
    windows,
)
from render.check.proofread import TurnCheck, words
from render.check.recognize import Recognizer
from render.errors import RenderError
from render.normalize.lexicon import Lexicon
from render.pipeline import render_audio
from render.prepare import Settings, Stopwatch, prepare
from render.report import REPORT, Master, load_report
from render.voices.jobs import plan_jobs


def parse_respellings(items: list[str]) -> dict[str, str]:
    """``["DRA-Net=D-R-A Net"]`` → ``{"DRA-Net": "D-R-A Net"}``."""
    out = {}
    for item in items:
        word, sep, said = item.partition("=")
        if not sep or not word.strip() or not said.strip():
            raise RenderError(f"--try {item!r} is not WORD=RESPELLING",
                              hint="e.g. --try 'DRA=dee are ay' (quote it for the shell)")
        out[word.strip()] = said.strip()
    return out


SHIFTS = (0, 3, 5)  # samples at 16 kHz of silence put before a tried turn: 0, 0.19 and 0.31 ms


def _as_mastered(timeline: Timeline, plan: Master | None, spec: MasterSpec) -> np.ndarray:
    """The tried turns through the episode's master gain and limiter (their voices already at
    the episode's level: :func:`try_respellings`), since Whisper's features are not
    gain-invariant (a turn 8 dB quieter than in the MP3 was heard differently)."""
    if plan is None:
        return timeline.audio
    limiter = Limiter(timeline.audio, timeline.envelope, spec.ceiling_db(plan.extra_headroom_db),
                      10 ** (plan.gain_db / 20), timeline.rate)
    return np.clip(limiter.block(0, len(timeline.audio)), -1.0, 1.0)


def try_respellings(ref: str, settings: Settings, respell: dict[str, str]) -> list[tuple[TurnCheck, TurnCheck]]:
    """(before, after) for each flagged turn the respellings touch."""
    prep = prepare(ref, replace(settings, respell=respell))
    folder = settings.episode_dir(prep.episode.id)
    report = load_report(folder / REPORT)
    if report is None or report.check is None:
        raise RenderError(f"episode {prep.episode.id} has not been checked yet", folder,
                          hint=f"run: render check {prep.episode.id}")
    flagged = [f.turn - 1 for f in report.check.flagged]
    if not flagged:
        raise RenderError(f"nothing is flagged in the last check of {prep.episode.id}",
                          hint="--try re-checks flagged turns; use render preview to listen to any turn")
    pattern = Lexicon().with_say(respell).pattern()
    touched = [i for i in flagged if pattern is not None and pattern.search(prep.turns[i].text)]
    chosen = [prep.turns[i] for i in (touched or flagged)]
    layout, audio = read_layout(folder)
    before = {c.turn: c for c in check_render(layout, audio, settings.cache().checks).turns}
    jobs = plan_jobs([replace(t, index=k) for k, t in enumerate(chosen)], prep.cast)
    # each voice at the level the whole episode gave it, not the median of the few turns tried
    timeline, _ = render_audio(replace(prep, script=replace(prep.script, headings=[])), jobs, settings,
                               Stopwatch(), music=False, keep_levels=report.master.voice_levels if report.master else None,
                               keep_within_db=math.inf)
    heard_as = _as_mastered(timeline, report.master, settings.spec)
    clips = {t.number: cut(heard_as, timeline.rate, s.start_s, s.end_s)
             for t, s in zip(chosen, timeline.turns, strict=True)}
    # Each tried turn is heard in the company the next check will hear it in: the episode's
    # windows laid out with its new audio (key and length), its neighbours as rendered.
    # Whisper's reading of a turn shifts with its neighbours, so a turn heard alone could pass
    # here and still be flagged once the entry is in the lexicon.
    old = {t.turn: t for t in layout}
    again = [TurnLayout(t.number, t.speaker, t.line, old[t.number].start_s,
                        old[t.number].start_s + (s.end_s - s.start_s), job.key, t.text, t.spoken,
                        prep.normalizer_for(t.speaker).entries(t.text))
             for t, s, job in zip(chosen, timeline.turns, jobs, strict=True)]
    tried = {t.turn: t for t in again}
    groups = [g for g in windows([tried.get(t.turn, t) for t in layout]) if any(t.turn in tried for t in g)]
    clips |= EpisodeAudio(audio).turns([t for g in groups for t in g if t.turn not in tried])
    expected = {t.turn: words(t.spoken) for g in groups for t in g}
    turns = {t.turn: t for g in groups for t in g}
    tiny, base = Recognizer(), Recognizer("base")
    # A word at the edge of what Whisper tiny hears flips with a shift of a fraction of a
    # millisecond (measured on 00035's NUMA: the same samples, cut 0.1–0.3 ms apart, heard
    # "new mamas" once and right once), so each turn is heard at SHIFTS and passes only
    # if it passes every time: a fix that passes here is not a coin that fell right once.
    def hear_shifted(shift: int) -> list[TurnCheck]:
        moved = {n: np.concatenate([np.zeros(shift, np.float32), c]) if n in tried else c for n, c in clips.items()}
        heard = transcribe_turns([[(t.turn, moved[t.turn]) for t in g] for g in groups], expected, tiny, turns=turns)
        checks, _, _ = judge(again, expected, heard, lambda doubtful, said: transcribe_turns(
            [[(t.turn, moved[t.turn])] for t in doubtful], said, base, turns={t.turn: t for t in doubtful}))
        return checks

    verdicts = [hear_shifted(shift) for shift in SHIFTS]
    afters = [next((c for c in heard_so if c.flagged), heard_so[0]) for heard_so in zip(*verdicts, strict=True)]
    return [(before[t.number], after) for t, after in zip(chosen, afters, strict=True)]
