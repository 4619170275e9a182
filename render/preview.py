"""``render preview``: a slice of an episode rendered fast, sharing the turn cache."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from render.audio.master import master_to_file
from render.files import check_writable
from render.normalize.sentences import speak
from render.pipeline import render_audio
from render.prepare import Prepared, Settings, Stopwatch, prepare
from render.report import CacheStats, Loudness
from render.script.parse import Turn
from render.voices.jobs import plan_jobs


@dataclass
class PreviewResult:
    """A rendered slice: where it was written and what it holds."""

    path: Path
    turns: list[Turn]
    duration_s: float
    loudness: Loudness
    cache: CacheStats
    timings: dict[str, float]


def render_preview(ref: str, settings: Settings, pick: Callable[[Prepared], list[Turn]],
                   label: str, music: bool = False, name: str | None = None) -> PreviewResult:
    """Render a slice to ``out/EP/preview-LABEL.wav`` (or ``out/EP/NAME``) with the episode's voices and cache."""
    watch = Stopwatch()
    with watch.stage("parse"):
        prep = prepare(ref, settings)
        path = settings.episode_dir(prep.episode.id) / (name or f"preview-{label}.wav")
        check_writable(path.parent)
        turns = pick(prep)
        if any(not t.sentences for t in turns):  # outline exchanges arrive unspoken
            turns = speak(turns, prep.normalizer, prep.normalizers)
        turns = [replace(t, index=i) for i, t in enumerate(turns)]
        prep = replace(prep, script=replace(prep.script, headings=[]))
    timeline, cache = render_audio(prep, plan_jobs(turns, prep.cast), settings, watch, music=music)
    measured, _ = master_to_file(timeline, path, "wav", settings.spec, watch.stage)
    return PreviewResult(path, turns, round(measured.seconds, 2),
                         Loudness(measured.integrated_lufs, measured.true_peak_dbtp, settings.spec.lufs,
                                  settings.spec.true_peak_db), cache, watch.times)
