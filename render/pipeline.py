"""The render pipeline: parse → normalize → synthesize → assemble → master → deliver.

Each stage is a plain function over plain data; this module only wires
them together, times them, and decides where files go.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from render.audio import memory
from render.audio.assemble import Pacing, Timeline, TimelineBuffers, assemble, sentence_spans
from render.audio.dsp import RATE, loudness
from render.audio.export import check_writable, remove_stale_parts, write_audio, write_text
from render.audio.master import MasterPlan, MasterSpec, codec_offset, plan_master
from render.audio.measure import decode
from render.audio.mp3 import StreamStore, encode_mp3, mp3_delay_s
from render.audio.music import load_intro
from render.check.hear import LAYOUT, CheckResult, TurnLayout, check_render, write_layout
from render.deliver.captions import build_cues, to_srt, to_transcript_json, to_vtt
from render.deliver.chapters import chapters_for, time_chapters
from render.deliver.chapters import to_json as chapters_json
from render.deliver.page import envelope, write_page
from render.deliver.report import judge, relpath, speaker_stats, to_json
from render.deliver.tags import Tags, write_tags
from render.errors import RenderError
from render.fit import plan_fit
from render.prepare import Prepared, Settings, Stopwatch, prepare, section_starts
from render.script.episodes import EpisodeFiles
from render.script.parse import Turn
from render.voices.jobs import Job, plan_jobs
from render.voices.synthesize import Synthesis, synthesize


def render_audio(prep: Prepared, turns: list[Turn], settings: Settings, watch: Stopwatch,
                 progress: Callable[[int], None] | None = None, *,
                 music: bool | None = None, keep_levels: dict[str, float] | None = None
                 ) -> tuple[Timeline, dict[str, int]]:
    """Synthesize (cached) and assemble ``turns`` of a prepared episode (``keep_levels``: the
    last render's voice levels, kept while they still match)."""
    cache = settings.cache()
    use_music = settings.music if music is None else music
    silences = {s: v.sentence_silence for s, v in prep.cast.voices.items()}
    # Synthesis streams turns into assembly, so the "synthesize" stage includes preparing each turn;
    # the intro music is read or generated on the side meanwhile.
    with watch.stage("synthesize"), ThreadPoolExecutor(1) as side:
        intro = side.submit(load_intro, prep.intro) if use_music else None
        result = synthesize(plan_jobs(turns, prep.cast), cache, settings.workers, progress,
                            executor=settings.executor, ray_address=settings.ray_address)
        estimate = _timeline_estimate(turns, result, settings.pacing, silences, use_music)
        buffers = None if estimate is None else TimelineBuffers(estimate)
        try:
            with result:
                timeline = assemble(turns, result, silences, settings.pacing, intro, section_starts(prep.script),
                                    buffers, keep_levels)
        except RenderError as exc:
            if exc.file is None:  # engine failures know the turn's line, not the file
                exc.file = prep.episode.script
            raise
    memory.release()
    return timeline, {"hits": result.hits, "misses": result.misses}


PREFAULT_BUDGET = 600 * 2**20  # bytes: keeps a 25-minute episode's peak memory under 1 GB


def _timeline_estimate(turns: list[Turn], result: Synthesis, pacing: Pacing, silences: dict[str, float],
                       music: bool) -> int | None:
    """Samples the timeline will need when most turns are cached (exact for those, generous for
    the rest); None when too much is unknown to allocate ahead without wasting memory."""
    total, unknown = 0, 0
    for t in turns:
        cached = result.cached.get(t.index)
        if cached is None:
            unknown += 1
            total += int(0.1 * RATE * len(t.text))  # 10 characters a second: slower than these voices
        else:
            spans = sentence_spans([len(s) for s in cached.sentences], silences[t.speaker])
            total += spans[-1][1] if spans else 0
    if unknown > max(2, len(turns) // 10):
        return None
    total += int((len(turns) * pacing.max_gap() + pacing.music_lead_s + pacing.tail_s + 1.0) * RATE)
    total += int(20 * RATE) if music else 0
    # Both buffers (6 bytes a sample) then coexist with the cached turns (6 bytes a sample):
    # past PREFAULT_BUDGET that would lift peak memory, so long episodes fault as they fill.
    return total if 12 * total <= PREFAULT_BUDGET else None


def _mp3_round_trip(audio: np.ndarray) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.mp3"
        path.write_bytes(encode_mp3(audio))
        return decode(path)[0]


def deliver(timeline: Timeline, path: Path, fmt: str, spec: MasterSpec, watch: Stopwatch,
            finish: Callable[[Path], None] | None = None, store: StreamStore | None = None,
            previous: MasterPlan | None = None) -> tuple[float, dict[str, float], MasterPlan]:
    """Master and write, then measure the decoded file; correct and rewrite if it misses.

    ``previous``, the last render's plan, is where mastering starts: its gain
    is kept if it still lands on the target, and with it every MP3 stream the
    edit did not touch is taken from ``store`` as it was.
    """
    if previous is not None and previous.fits(spec, fmt):
        extra, offset, gain_db = previous.extra_headroom_db, previous.codec_offset_lu, previous.gain_db
    else:
        with watch.stage("master"), ThreadPoolExecutor(1) as side:
            # The codec's loudness loss is measured on an excerpt, on the other core meanwhile.
            codec = side.submit(codec_offset, timeline.audio, spec, _mp3_round_trip) if fmt == "mp3" else None
            input_lufs = loudness(timeline.audio)
            extra, offset = 0.0, codec.result() if codec is not None else 0.0
            gain_db = spec.lufs + offset - input_lufs
    for _ in range(4):
        with watch.stage("master"):
            memory.release()
            limiter, gain_db = plan_master(timeline.audio, timeline.envelope, gain_db, spec, extra, offset)
        with watch.stage("export"):
            # Each MP3 stream masters its own range as it encodes it: no mastered copy of the
            # episode. The written file is measured, and mastered again if it misses.
            measured = write_audio(timeline.audio, path, fmt, finish=finish, read=limiter.block, store=store)
        lufs_error = spec.lufs - measured.integrated_lufs
        if measured.true_peak_dbtp <= spec.true_peak_db and abs(lufs_error) <= 0.3:
            break
        offset += lufs_error
        gain_db += lufs_error
        if measured.true_peak_dbtp > spec.true_peak_db:
            extra += measured.true_peak_dbtp - spec.true_peak_db + 0.3
    plan = MasterPlan(gain_db, extra, offset, spec.lufs, spec.true_peak_db, fmt)
    return measured.seconds, {"integrated_lufs": measured.integrated_lufs,
                              "true_peak_dbtp": measured.true_peak_dbtp,
                              "clipped_samples": measured.clipped_samples,
                              "streams_reused": measured.streams_reused,
                              "streams_encoded": measured.streams_encoded}, plan


def episode_number(ep: EpisodeFiles) -> int | None:
    return int(ep.id) if ep.id.isdigit() else None


def _tags(prep: Prepared, root: Path) -> Tags:
    front = prep.script.front_matter
    meta = prep.script.metadata
    return Tags(
        title=str(front.get("title") or prep.script.title or prep.episode.slug),
        series=str(front.get("series") or meta.get("Series") or "The Platform Engineering Playbook Podcast"),
        episode=episode_number(prep.episode),
        hosts=prep.cast.speakers,
        date=str(front["date"]) if front.get("date") else None,
        description=str(front.get("description") or meta.get("Summary") or "") or None,
        cover=prep.cover,
    )


def _previous_report(path: Path) -> dict:
    """The episode's last report, or ``{}``: what a re-render keeps (publication date, master plan)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}


def _kept_levels(previous: dict) -> dict[str, float] | None:
    """The voice levels the last render matched its voices to (see assemble.voice_levels)."""
    master = previous.get("master")
    data = master.get("voice_levels") if isinstance(master, dict) else None
    if not isinstance(data, dict):
        return None
    return {str(k): float(v) for k, v in data.items()
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)}


def _published(tags: Tags, previous: dict) -> str:
    """The episode's publication date for the feed: the script's ``date:``, else the day it
    was first rendered (kept across re-renders, so the feed's dates do not move)."""
    if tags.date:
        return tags.date
    if isinstance(previous.get("published"), str):
        return previous["published"]
    return datetime.now(UTC).isoformat(timespec="seconds")


def render_key(prep: Prepared, jobs: list[Job]) -> str:
    """Hash of every file the render read and every setting it used (``prep.inputs``), with
    the turns' audio keys, which carry the engines' and models' versions: equal keys mean
    nothing to redo."""
    return prep.inputs.key([j.key for j in jobs])


def up_to_date(report_path: Path, key: str) -> dict | None:
    """The previous report if it was made from identical inputs and its files are intact."""
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if report.get("render_key") != key:
        return None
    for f in report.get("files", []):
        path = report_path.parent / Path(f["path"]).name  # every deliverable lives beside the report
        if not path.exists() or path.stat().st_size != f["bytes"]:
            return None
    return report


def render_episode(ref: str, settings: Settings,
                   progress: Callable[[int, int], None] | None = None, *, fit: bool = False,
                   check_progress: Callable[[int, int], None] | None = None) -> dict:
    """Render one episode to ``out/EP/`` and return the report (also written as JSON)."""
    watch = Stopwatch()
    with watch.stage("parse"):
        prep = prepare(ref, settings)
    fit_report = None
    if fit:
        with watch.stage("fit"):
            settings, fit_report = plan_fit(prep, settings)
    folder = settings.episode_dir(prep.episode.id)
    with episode_lock(folder):
        remove_stale_parts(folder)
        key = render_key(prep, plan_jobs(prep.turns, prep.cast))
        previous = up_to_date(folder / "report.json", key)
        if previous is not None:
            previous["cache"] = {"hits": len(prep.turns), "misses": 0}
            previous["up_to_date"] = True
            previous["timings"] = watch.times
            write_text(to_json(previous), folder / "report.json")
            if progress:
                progress(len(prep.turns), len(prep.turns))
            if settings.check and "check" not in previous:
                with watch.stage("check"):
                    check_episode(folder, settings, previous, check_progress)
                write_text(to_json(previous), folder / "report.json")  # again, with the check and its time
            write_page(folder)
            return previous
        report = _render_locked(prep, settings, folder, key, watch, progress)
        if settings.check:
            with watch.stage("check"):
                check_episode(folder, settings, report, check_progress)
            write_text(to_json(report), folder / "report.json")  # again, with the check and its time
        if fit_report is not None:
            report["fit"] = fit_report
            write_text(to_json(report), folder / "report.json")
        write_page(folder)
    return report


def turn_layout(prep: Prepared, timeline: Timeline, delay: float) -> list[TurnLayout]:
    """Where each turn sits in the delivered file and what it says: what ``render check`` reads."""
    spans = {s.index: s for s in timeline.turns}
    jobs = {j.turn.index: j for j in plan_jobs(prep.turns, prep.cast)}
    lexicon = prep.normalizer.lexicon
    return [TurnLayout(t.number, t.speaker, t.line, round(spans[t.index].start_s + delay, 3),
                       round(spans[t.index].end_s + delay, 3), jobs[t.index].key, t.text, t.spoken,
                       lexicon.entries(t.text))
            for t in prep.turns]


def check_episode(folder: Path, settings: Settings, report: dict,
                  progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Proof-listen the render in ``folder`` and add the result to ``report`` (the caller writes it)."""
    result = check_render(folder, settings.cache().checks, progress=progress, threads=settings.workers)
    report["check"] = result.as_dict()
    return result


def _render_locked(prep: Prepared, settings: Settings, folder: Path, key: str, watch: Stopwatch,
                   progress: Callable[[int, int], None] | None) -> dict:
    """The render proper, run while holding the episode's lock."""
    total = len(prep.turns)
    done = [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(done[0], total)

    previous = _previous_report(folder / "report.json")
    timeline, cache_stats = render_audio(prep, prep.turns, settings, watch, tick, keep_levels=_kept_levels(previous))
    audio_path = folder / f"{prep.episode.slug}.{settings.fmt}"
    tags = _tags(prep, settings.root)
    with watch.stage("captions"):
        delay = mp3_delay_s() if settings.fmt == "mp3" else 0.0
        chapters, chapter_source = chapters_for(prep.script, prep.turns, prep.episode.outline)
        # The file's exact length is known only after encoding; chapters end at the last sample.
        time_chapters(chapters, timeline.turns, len(timeline.audio) / timeline.rate + delay, delay)
        cues = build_cues(prep.turns, timeline.turns, delay)
    finish = (lambda p: write_tags(p, tags, chapters)) if settings.fmt == "mp3" else None
    streams = settings.cache().streams
    duration, loud, plan = deliver(timeline, audio_path, settings.fmt, settings.spec, watch, finish,
                                   StreamStore(streams) if streams else None,
                                   MasterPlan.from_dict(previous.get("master")))
    chapters[-1].end_s = round(duration, 3)
    with watch.stage("captions"):
        side_files = {
            "captions.vtt": to_vtt(cues), "captions.srt": to_srt(cues),
            "transcript.json": to_transcript_json(cues), "chapters.json": chapters_json(chapters)}
        for name, text in side_files.items():
            write_text(text, folder / name)
        write_layout(turn_layout(prep, timeline, delay), folder / LAYOUT)

    stats = speaker_stats(prep.turns, timeline)
    for name, st in stats.items():
        voice = prep.cast.voices[name]
        st["voice"] = voice.name
        st["engine"] = voice.engine
        st["model_voice"] = voice.voice or voice.speaker or voice.model or voice.model_path
    talk = sum(s["talk_s"] for s in stats.values())
    words = sum(int(s["words"]) for s in stats.values())
    verdict = judge(duration, prep.target, words / talk if talk else 2.5)
    report: dict[str, Any] = {
        "episode": prep.episode.id,
        "title": prep.script.title,
        "script": relpath(prep.episode.script),
        "audio": relpath(audio_path),
        "format": settings.fmt,
        "duration_s": round(duration, 3),
        "target": None if prep.target is None else {
            "min_s": prep.target.min_s, "max_s": prep.target.max_s, "source": prep.target.source},
        "verdict": verdict.verdict,
        "gap_s": verdict.gap_s,
        "gap_words": verdict.gap_words,
        "cast": "draft" if settings.draft else "quality",
        "turns": len(prep.turns),
        "words": words,
        "speakers": stats,
        "loudness": loud,
        "music": timeline.music,
        "intro": {"end_s": round(timeline.music_end_s + delay, 3)} if timeline.music else None,
        "cache": cache_stats,
        # MP3 streams taken as they were from the last render (an edit re-encodes only its own)
        "mp3_streams": {"reused": loud.pop("streams_reused"), "encoded": loud.pop("streams_encoded")},
        "timings": watch.times,
        "render_key": key,
        "inputs": prep.inputs.files,  # every file the render read (None: looked for, absent)
    }
    report["meta"] = {"series": tags.series, "episode": tags.episode, "hosts": tags.hosts,
                      "description": tags.description, "date": tags.date}
    report["published"] = _published(tags, previous)
    report["master"] = asdict(plan) | {"voice_levels": timeline.voice_levels}
    report["sanity"] = sanity(timeline, int(loud.pop("clipped_samples")), settings.pacing)
    loud["target_lufs"], loud["ceiling_dbtp"] = settings.spec.lufs, settings.spec.true_peak_db
    report["envelope"] = envelope(timeline.audio, timeline.rate, delay)
    report["chapters"] = {"source": chapter_source, "list": [
        {"title": c.title, "start_s": c.start_s, "end_s": c.end_s, "first_turn": c.first_turn}
        for c in chapters]}
    report_path = folder / "report.json"
    written = [audio_path, *(folder / name for name in side_files), folder / LAYOUT]
    report["files"] = [{"path": relpath(p), "bytes": p.stat().st_size} for p in written]
    write_text(to_json(report), report_path)
    return report


@contextmanager
def episode_lock(folder: Path) -> Iterator[None]:
    """One render per episode folder at a time; a second one refuses with a clear message."""
    check_writable(folder)
    lock_path = folder / ".render.lock"
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole render
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RenderError(f"this episode is already being rendered by {holder}", folder,
                              hint="wait for it to finish, or render into another --out DIR") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def sanity(timeline: Timeline, clipped: int, pacing: Pacing) -> dict:
    """Audio checks run on every render and reported: the engine or the mix went wrong if any fails."""
    finite = bool(np.isfinite(timeline.audio).all())
    gaps = [b.start_s - a.end_s for a, b in zip(timeline.turns, timeline.turns[1:], strict=False)]
    longest = max(gaps, default=0.0)
    allowed = pacing.max_gap() + pacing.gap_s + 0.01
    return {"finite": finite, "clipped_samples": clipped, "silent_turns": 0,
            "longest_gap_s": round(longest, 3), "max_allowed_gap_s": round(allowed, 3),
            "ok": finite and clipped == 0 and longest <= allowed}
