"""Render a whole series: skip what is current, isolate failures, summarise.

Episodes run in threads: the heavy work (ONNX Runtime, Festival, soxr,
LAME) happens outside the GIL, and threads let one rich display show a bar
per episode. The worker budget is split between the episodes in flight.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from render.errors import NoScript, RenderError
from render.pipeline import render_episode
from render.prepare import Settings
from render.report import Report
from render.script.episodes import EpisodeFiles, list_episodes


@dataclass
class Outcome:
    """One episode of a series: its report, or why it failed."""

    episode: str
    seconds: float
    report: Report | None = None
    error: str | None = None
    skipped: str | None = None  # why it was not rendered, though nothing failed ("no script")

    @property
    def ok(self) -> bool:
        return self.error is None


def select_episodes(folder: Path, only: str | None) -> list[EpisodeFiles]:
    """Every script in ``folder``; ``only`` keeps a number range like ``35-40`` or ``35``."""
    episodes = list_episodes(folder)
    if not episodes:
        raise RenderError("no episode scripts found", folder, hint="scripts are named NNNNN-slug.md")
    if only:
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", only)
        if not m:
            raise RenderError(f"--only {only!r} is not a range", hint="write e.g. --only 35-40")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        episodes = [e for e in episodes if e.id.isdigit() and lo <= int(e.id) <= hi]
    return episodes


def render_series(episodes: list[EpisodeFiles], settings: Settings, jobs: int,
                  on_progress: Callable[[str, int, int], None] | None = None,
                  on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Render each episode; a failure is recorded and the others carry on."""
    jobs = max(1, min(jobs, len(episodes)))
    per_episode = replace(settings, workers=max(1, settings.workers // jobs))

    def one(ep: EpisodeFiles) -> Outcome:
        t0 = time.perf_counter()
        try:
            report = render_episode(str(ep.script), per_episode,
                                    (lambda d, t: on_progress(ep.id, d, t)) if on_progress else None)
            out = Outcome(ep.id, time.perf_counter() - t0, report)
        except NoScript as exc:  # show notes beside the scripts: nothing to render, nothing wrong
            out = Outcome(ep.id, time.perf_counter() - t0, skipped=exc.message.split(":", 1)[0])
        except RenderError as exc:
            out = Outcome(ep.id, time.perf_counter() - t0, error=str(exc))
        except Exception as exc:  # one broken episode must not stop a batch
            out = Outcome(ep.id, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}")
        if on_done:
            on_done(out)
        return out

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(one, episodes))
