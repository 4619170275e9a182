"""What the report says, worked out: the verdict against the target, each host's share,
the audio's sanity, and the few lines the terminal shows. (The report's schema, load
and save are :mod:`render.report`.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.audio.assemble import Pacing, Timeline
from render.report import Report, Sanity, SpeakerStats
from render.script.episodes import Target
from render.script.parse import Turn


@dataclass
class Verdict:
    verdict: str
    gap_s: float
    gap_words: int


def judge(duration_s: float, target: Target | None, words_per_s: float) -> Verdict:
    """short / within / long, with how far off in seconds and in words at this cast's pace."""
    if target is None:
        return Verdict("no target", 0.0, 0)
    if duration_s < target.min_s:
        gap = duration_s - target.min_s
    elif duration_s > target.max_s:
        gap = duration_s - target.max_s
    else:
        return Verdict("within", 0.0, 0)
    return Verdict("short" if gap < 0 else "long", round(gap, 1), round(abs(gap) * words_per_s))


def speaker_stats(turns: list[Turn], timeline: Timeline) -> dict[str, SpeakerStats]:
    """Turns, words and talk time per speaker (the caller adds the voice's names)."""
    stats: dict[str, SpeakerStats] = {}
    spans = {s.index: s for s in timeline.turns}
    for t in turns:
        st = stats.setdefault(t.speaker, SpeakerStats())
        st.turns += 1
        st.words += len(t.text.split())
        span = spans[t.index]
        st.talk_s = round(st.talk_s + span.end_s - span.start_s, 2)
    return stats


def sanity(timeline: Timeline, clipped: int, pacing: Pacing) -> Sanity:
    """Audio checks run on every render and reported: the engine or the mix went wrong if any fails."""
    finite = bool(np.isfinite(timeline.audio).all())
    gaps = [b.start_s - a.end_s for a, b in zip(timeline.turns, timeline.turns[1:], strict=False)]
    longest = max(gaps, default=0.0)
    allowed = pacing.max_gap() + pacing.gap_s + 0.01
    return Sanity(finite, clipped, 0, round(longest, 3), round(allowed, 3),
                  finite and clipped == 0 and longest <= allowed)


def _mmss(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{int(seconds // 60)}:{seconds % 60:04.1f}"


def summary(report: Report) -> str:
    """A few lines for the terminal; the JSON has everything."""
    lines = [f"episode  {report.episode}  {report.title or ''}".rstrip(),
             f"audio    {report.audio}",
             f"page     {Path(report.audio).parent / 'index.html'}  (or: render serve {report.episode})",
             f"length   {_mmss(report.duration_s)} ({report.duration_s:.1f} s)"]
    tgt = report.target
    if tgt:
        lines.append(f"target   {_mmss(tgt.min_s)}–{_mmss(tgt.max_s)}  from {tgt.source}")
        if report.verdict == "within":
            lines.append("verdict  within the target")
        else:
            lines.append(f"verdict  {report.verdict} by {abs(report.gap_s) / 60:.1f} min "
                         f"(≈{report.gap_words} words at this cast's pace)")
    else:
        lines.append("target   none (add 'target_length' to the front matter or "
                     "'**Target Length**: 22-25 minutes' to the outline)")
    lines.append(f"script   {report.turns} turns, {report.words} words, {report.cast} cast")
    lines += [f"note     {note}" for note in report.notes]
    if report.pronunciation:
        lines.append("says     " + ", ".join(f"{p.word} = {p.say}" for p in report.pronunciation)
                     + "  (the episode's pronunciation notes)")
    for name, s in report.speakers.items():
        lines.append(f"  {name:<8} {s.turns:>3} turn{'s' * (s.turns != 1)} {s.words:>5} word{'s' * (s.words != 1)}  "
                     f"{_mmss(s.talk_s)} talk  ({_voice(s)})")
    loud = report.loudness
    lines.append(f"loudness {loud.integrated_lufs:.1f} LUFS, true peak {loud.true_peak_dbtp:.1f} dBTP")
    lines.append(f"cache    {report.cache.hits} hits, {report.cache.misses} synthesized")
    check = report.check
    if check is not None:
        flagged = len(check.flagged)
        where = f"; see: render check {report.episode}" if flagged else ""
        lines.append(f"check    {flagged} of {check.turns} turns flagged, word error rate {check.wer:.1%}{where}")
    lines.append("time     " + ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items()))
    return "\n".join(lines)


def _voice(speaker: SpeakerStats) -> str:
    """``alex: kokoro jm_kumo``; reports written before engines were named show the voice file only."""
    if not speaker.engine:
        return speaker.voice
    return f"{speaker.voice}: {speaker.engine} {speaker.model_voice or ''}".rstrip()


def relpath(path: Path, root: Path | None = None) -> str:
    """``path`` relative to ``root`` (the current folder when None: for what the terminal
    shows) when inside it, else as given."""
    try:
        return str(path.resolve().relative_to((root or Path.cwd()).resolve()))
    except ValueError:
        return str(path)
