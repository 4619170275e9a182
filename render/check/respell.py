"""``render check EP --try 'WORD=respelling'``: hear a lexicon fix work before adding it.

The flagged turns of the episode's last check that use the word (all flagged
turns if none does) are synthesized again with the respelling laid over
``voices/lexicon.toml``, transcribed, and compared, so the producer sees
before and after side by side. The episode itself is not touched; the new
turns land in the turn cache, so adding the same entry to the lexicon
afterwards re-renders them for free.
"""

from __future__ import annotations

import json
from dataclasses import replace

from render.check.hear import check_render, cut, transcribe_turns
from render.check.proofread import Phonemes, TurnCheck, compare, confirm, spelled, words
from render.check.recognize import Recognizer, pack
from render.errors import RenderError
from render.normalize.lexicon import Lexicon
from render.pipeline import render_audio
from render.prepare import Settings, Stopwatch, prepare


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
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    if "check" not in report:
        raise RenderError(f"episode {prep.episode.id} has not been checked yet", folder,
                          hint=f"run: render check {prep.episode.id}")
    flagged = [int(f["turn"]) - 1 for f in report["check"]["flagged"]]
    if not flagged:
        raise RenderError(f"nothing is flagged in the last check of {prep.episode.id}",
                          hint="--try re-checks flagged turns; use render preview to listen to any turn")
    pattern = Lexicon().with_say(respell).pattern()
    touched = [i for i in flagged if pattern is not None and pattern.search(prep.turns[i].text)]
    chosen = touched or flagged
    before = {c.turn: c for c in check_render(folder, settings.cache().checks).turns}
    turns = [replace(prep.turns[i], index=k) for k, i in enumerate(chosen)]
    timeline, _ = render_audio(replace(prep, script=replace(prep.script, headings=[])), turns, settings,
                               Stopwatch(), music=False)
    clips = [(k, cut(timeline.audio, timeline.rate, s.start_s, s.end_s)) for k, s in enumerate(timeline.turns)]
    expected = {k: words(t.spoken) for k, t in enumerate(turns)}
    heard = transcribe_turns(pack(clips), expected, Recognizer())
    phonemes = Phonemes()
    lexicon = prep.normalizer.lexicon
    afters = []
    for k, i in enumerate(chosen):
        t = prep.turns[i]
        afters.append(compare(t.number, t.speaker, t.line, expected[k], heard[k], lexicon.entries(t.text),
                              spelled(t.spoken), phonemes))
    doubtful = [k for k, c in enumerate(afters) if c.flagged]
    if doubtful:  # the second opinion, as in every check
        second = transcribe_turns([[clips[k]] for k in doubtful], expected, Recognizer("base"))
        for k in doubtful:
            confirm(afters[k], second[k], lexicon.entries(turns[k].text), spelled(turns[k].spoken), phonemes)
    return [(before[prep.turns[i].number], afters[k]) for k, i in enumerate(chosen)]
