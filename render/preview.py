"""``render preview``: a slice of an episode rendered fast, sharing the turn cache."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from render.audio.export import (
    check_writable,
)
from render.normalize.sentences import speak
from render.pipeline import deliver, render_audio
from render.prepare import Prepared, Settings, Stopwatch, prepare
from render.script.parse import Turn


def render_preview(ref: str, settings: Settings, pick: Callable[[Prepared], list[Turn]],
                   label: str, music: bool = False, name: str | None = None) -> tuple[Path, list[Turn], dict]:
    """Render a slice to ``out/EP/preview-LABEL.wav`` (or ``out/EP/NAME``) with the episode's voices and cache."""
    watch = Stopwatch()
    with watch.stage("parse"):
        prep = prepare(ref, settings)
        path = settings.episode_dir(prep.episode.id) / (name or f"preview-{label}.wav")
        check_writable(path.parent)
        turns = pick(prep)
        if any(not t.sentences for t in turns):  # outline exchanges arrive unspoken
            normalizer = settings.normalizer()
            turns = speak(turns, normalizer)
        turns = [replace(t, index=i) for i, t in enumerate(turns)]
        sub_script = replace(prep.script, headings=[])
    timeline, cache_stats = render_audio(replace(prep, script=sub_script), turns, settings, watch,
                                         music=music)
    duration, loud, _ = deliver(timeline, path, "wav", settings.spec, watch)
    for key in ("clipped_samples", "streams_reused", "streams_encoded"):
        loud.pop(key)
    return path, turns, {"duration_s": round(duration, 2), "loudness": loud, "cache": cache_stats,
                         "timings": watch.times}
