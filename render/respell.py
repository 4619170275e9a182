"""``render check EP --try 'WORD=respelling'``: hear a lexicon fix work before adding it.

The flagged turns of the episode's last check that use the word (all flagged
turns if none does) are synthesized again with the respelling laid over
``voices/lexicon.toml``, transcribed, and compared, so the producer sees
before and after side by side. The episode itself is not touched; the new
turns land in the turn cache, so adding the same entry to the lexicon
afterwards re-renders them for free.
"""

from __future__ import annotations

from dataclasses import replace

from render.check.hear import TurnLayout, check_render, cut, judge, read_layout, transcribe_turns
from render.check.proofread import TurnCheck, words
from render.check.recognize import Recognizer, pack
from render.errors import RenderError
from render.normalize.lexicon import Lexicon
from render.pipeline import render_audio
from render.prepare import Settings, Stopwatch, prepare
from render.report import REPORT, load_report
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
    timeline, _ = render_audio(replace(prep, script=replace(prep.script, headings=[])), jobs, settings,
                               Stopwatch(), music=False)
    again = [TurnLayout(t.number, t.speaker, t.line, s.start_s, s.end_s, "", t.text, t.spoken,
                        prep.normalizer_for(t.speaker).lexicon.entries(t.text))
             for t, s in zip(chosen, timeline.turns, strict=True)]
    clips = {t.turn: cut(timeline.audio, timeline.rate, t.start_s, t.end_s) for t in again}
    expected = {t.turn: words(t.spoken) for t in again}
    heard = transcribe_turns(pack(list(clips.items())), expected, Recognizer())
    afters, _, _ = judge(again, expected, heard, lambda doubtful, said: transcribe_turns(
        [[(t.turn, clips[t.turn])] for t in doubtful], said, Recognizer("base")))
    return [(before[t.number], after) for t, after in zip(chosen, afters, strict=True)]
