"""The episode report: measured duration against the target, and where time went."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render.audio.assemble import Timeline
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


def speaker_stats(turns: list[Turn], timeline: Timeline) -> dict[str, dict[str, Any]]:
    """Turns, words and talk time per speaker (the caller adds the voice's names)."""
    stats: dict[str, dict[str, Any]] = {}
    spans = {s.index: s for s in timeline.turns}
    for t in turns:
        st = stats.setdefault(t.speaker, {"turns": 0, "words": 0, "talk_s": 0.0})
        st["turns"] += 1
        st["words"] += len(t.text.split())
        span = spans[t.index]
        st["talk_s"] = round(st["talk_s"] + span.end_s - span.start_s, 2)
    return stats


def _mmss(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{int(seconds // 60)}:{seconds % 60:04.1f}"


def summary(report: dict) -> str:
    """A few lines for the terminal; the JSON has everything."""
    lines = [f"episode  {report['episode']}  {report.get('title') or ''}".rstrip(),
             f"audio    {report['audio']}",
             f"page     {Path(report['audio']).parent / 'index.html'}  (or: render serve {report['episode']})",
             f"length   {_mmss(report['duration_s'])} ({report['duration_s']:.1f} s)"]
    tgt = report["target"]
    if tgt:
        lines.append(f"target   {_mmss(tgt['min_s'])}–{_mmss(tgt['max_s'])}  from {tgt['source']}")
        v = report["verdict"]
        if v == "within":
            lines.append("verdict  within the target")
        else:
            lines.append(f"verdict  {v} by {abs(report['gap_s']) / 60:.1f} min "
                         f"(≈{report['gap_words']} words at this cast's pace)")
    else:
        lines.append("target   none (add 'target_length' to the front matter or "
                     "'**Target Length**: 22-25 minutes' to the outline)")
    cast = f", {report['cast']} cast" if "cast" in report else ""
    lines.append(f"script   {report['turns']} turns, {report['words']} words{cast}")
    for name, s in report["speakers"].items():
        lines.append(f"  {name:<8} {s['turns']:>3} turns {s['words']:>5} words  "
                     f"{_mmss(s['talk_s'])} talk  ({_voice(s)})")
    loud = report["loudness"]
    lines.append(f"loudness {loud['integrated_lufs']:.1f} LUFS, true peak "
                 f"{loud['true_peak_dbtp']:.1f} dBTP")
    c = report["cache"]
    lines.append(f"cache    {c['hits']} hits, {c['misses']} synthesized")
    check = report.get("check")
    if check is not None:
        flagged = len(check["flagged"])
        where = f"; see: render check {report['episode']}" if flagged else ""
        lines.append(f"check    {flagged} of {check['turns']} turns flagged, word error rate {check['wer']:.1%}{where}")
    lines.append("time     " + ", ".join(f"{k} {v:.1f}s" for k, v in report["timings"].items()))
    return "\n".join(lines)


def _voice(speaker: dict) -> str:
    """``alex: kokoro jm_kumo``; reports written before engines were named show the voice file only."""
    if "engine" not in speaker:
        return str(speaker["voice"])
    return f"{speaker['voice']}: {speaker['engine']} {speaker.get('model_voice') or ''}".rstrip()


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def relpath(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
