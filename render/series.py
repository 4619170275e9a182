"""Render a whole series: skip what is current, isolate failures, summarise.

Episodes run in threads (``jobs`` in flight): the heavy work (ONNX Runtime,
Festival, soxr, LAME) happens outside the GIL, and threads let one rich display
show a bar per episode. Synthesis goes to one pool shared by every episode in
flight (:class:`~render.voices.synthesize.WorkerPool`'s processes, or Ray tasks
with ``--executor ray``), so while one episode assembles, masters or is
proof-listened to, the next one's turns keep every core busy, and each model is
loaded once per worker for the whole series. Splitting the cores between the
episodes instead (one in-process engine each, as before) synthesized 1.7x slower
per second of audio.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from render.errors import NoScript, RenderError
from render.pipeline import render_episode
from render.prepare import Settings
from render.report import Report
from render.script.episodes import EpisodeFiles, list_episodes
from render.voices.synthesize import WorkerPool

if TYPE_CHECKING:
    from render.voices.ray_executor import RayPool


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
    pool = shared_pool(settings)

    def one(ep: EpisodeFiles) -> Outcome:
        t0 = time.perf_counter()
        try:
            report = render_episode(str(ep.script), settings,
                                    (lambda d, t: on_progress(ep.id, d, t)) if on_progress else None, pool=pool)
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

    # the pool is left first: on Ctrl-C its workers are stopped, so the episodes in flight end
    # at once (their finished turns are cached) instead of the threads waiting for them
    with ThreadPoolExecutor(jobs) as threads, pool:
        return list(threads.map(one, episodes))


def shared_pool(settings: Settings) -> WorkerPool | RayPool:
    """The synthesis workers every episode of the series feeds: local processes, or Ray tasks
    (started here, on the main thread, which a local Ray's raylet must outlive)."""
    if settings.executor == "ray":
        from render.voices.ray_executor import RayPool

        return RayPool(settings.ray_address, settings.workers)
    return WorkerPool(settings.workers, settings.cache().models)


WORDS_PER_SECOND = 2.5  # the show's pace (150 words a minute), until a finished episode measures it


@dataclass
class SeriesProgress:
    """How far a series is, for the progress display: turns, minutes of audio and the share
    of the work done. An episode's work is weighed by its script's words (read up front,
    cheap), so the ETA covers the whole series before every episode has been parsed."""

    words: dict[str, int]
    turns: dict[str, tuple[int, int]] = field(default_factory=dict)  # episode: (done, total)
    finished: set[str] = field(default_factory=set)
    finished_s: float = 0.0  # audio of the finished episodes
    finished_words: int = 0

    @classmethod
    def of(cls, episodes: list[EpisodeFiles]) -> SeriesProgress:
        return cls({e.id: len(e.script.read_bytes().split()) for e in episodes})

    def update(self, episode: str, done: int, total: int) -> None:
        self.turns[episode] = (done, total)

    def finish(self, outcome: Outcome) -> None:
        self.finished.add(outcome.episode)
        if outcome.report is not None:
            total = outcome.report.turns
            self.turns[outcome.episode] = (total, total)
            self.finished_s += outcome.report.duration_s
            self.finished_words += outcome.report.words

    @property
    def work_done(self) -> float:
        """Words' worth of the series done: finished episodes whole, the others by turns."""
        return sum(words if ep in self.finished else self._share(ep) * words for ep, words in self.words.items())

    @property
    def work_total(self) -> int:
        return sum(self.words.values())

    def _share(self, episode: str) -> float:
        done, total = self.turns.get(episode, (0, 0))
        return done / total if total else 0.0

    @property
    def audio_min(self) -> float:
        """Minutes of audio done: finished episodes as rendered, the others estimated."""
        pace = self.finished_words / self.finished_s if self.finished_s else WORDS_PER_SECOND
        flight = sum(self.words[ep] * self._share(ep) for ep in self.words if ep not in self.finished)
        return (self.finished_s + flight / pace) / 60

    def describe(self) -> str:
        done = sum(d for d, _ in self.turns.values())
        total = sum(t for _, t in self.turns.values())
        return f"{done}/{total} turns · {self.audio_min:.1f} min of audio"


def reuse_line(outcomes: list[Outcome]) -> str:
    """What a series (or a resumed one) did not redo: turns and audio from the cache, episodes
    already up to date, and what it synthesized."""
    reports = [o.report for o in outcomes if o.report is not None]
    hits = sum(r.cache.hits for r in reports if not r.up_to_date)
    misses = sum(r.cache.misses for r in reports if not r.up_to_date)
    reused_s = sum(r.cache.reused_s for r in reports if not r.up_to_date)
    current = sum(1 for r in reports if r.up_to_date)
    return (f"reused {hits} turns ({reused_s / 60:.1f} min of speech) from the cache, "
            f"{current} episode{'s' if current != 1 else ''} already up to date; synthesized {misses} turns")
