"""The render pipeline: parse → normalize → synthesize → assemble → master → deliver → check.

This module only wires the stages together (each lives in its package), times
them, and decides where files go. :func:`render_episode` reads top to bottom
as the README's drawing; every path through it, and ``render check``, ends in
:func:`finish` (check, save the report, write the page).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from render import warmup
from render.audio import memory
from render.audio.assemble import LEVEL_KEEP_DB, Timeline, assemble
from render.audio.buffers import TimelineBuffers, timeline_samples
from render.audio.master import master_to_file
from render.audio.mp3 import StreamStore, mp3_delay_s
from render.audio.music import load_intro
from render.audio.stems import MIX, Mix
from render.check.hear import LAYOUT, CheckResult, TurnLayout, check_render, load_layout, write_layout
from render.check.proofread import JUDGE
from render.deliver.captions import build_cues, to_srt, to_transcript_json, to_vtt
from render.deliver.chapters import chapters_for, time_chapters
from render.deliver.chapters import to_json as chapters_json
from render.deliver.page import envelope, write_page
from render.deliver.report import judge, relpath, sanity, speaker_stats
from render.deliver.tags import write_tags
from render.errors import RenderError
from render.files import folder_lock, remove_stale_parts, write_text
from render.fit import plan_fit
from render.normalize.sentences import sentence_starts
from render.prepare import Prepared, Settings, Stopwatch, episode_tags, prepare, section_starts
from render.report import (
    REPORT,
    CacheStats,
    Chapter,
    Chapters,
    Envelope,
    FileEntry,
    Intro,
    Loudness,
    Meta,
    Pronunciation,
    Report,
    Streams,
    load_report,
    save_report,
)
from render.voices.jobs import Job, plan_jobs
from render.voices.synthesize import TurnPool, synthesize

Progress = Callable[[int, int], None]


def render_episode(ref: str, settings: Settings, progress: Progress | None = None, *, fit: bool = False,
                   check_progress: Progress | None = None, pool: TurnPool | None = None) -> Report:
    """Render one episode to ``out/EP/`` and return its report (also written as JSON);
    ``pool``: a series' synthesis workers, shared with the other episodes in flight."""
    watch = Stopwatch()
    with watch.stage("parse"):
        prep = prepare(ref, settings)
    fitted = None
    if fit:
        with watch.stage("fit"):
            prep, settings, fitted = plan_fit(prep, settings)
    folder = settings.episode_dir(prep.episode.id)
    jobs = plan_jobs(prep.turns, prep.cast)  # planned once: synthesis, the key and turns.json share it
    with folder_lock(folder):
        remove_stale_parts(folder)
        settings.cache().remove_stale_parts()
        key = render_key(prep, jobs)
        report = up_to_date(folder, key)
        if report is not None:
            talk = round(sum(s.talk_s for s in report.speakers.values()), 3)
            report.up_to_date, report.cache, report.timings = True, CacheStats(len(jobs), 0, talk), watch.times
            if progress:
                progress(len(jobs), len(jobs))
            layout = None
        else:
            report, layout = _render(prep, jobs, settings, folder, key, watch, progress, pool)
        report.fit = fitted if fitted is not None else report.fit
        finish(folder, report, settings, layout, watch, check_progress)
    return report


def finish(folder: Path, report: Report, settings: Settings, layout: list[TurnLayout] | None = None,
           watch: Stopwatch | None = None, progress: Progress | None = None, *,
           recheck: bool = False) -> CheckResult | None:
    """How every render and ``render check`` ends: proof-listen (when ``settings.check`` asks
    for it and the report has no check yet, or one judged by older rules, or ``recheck``), save the
    report, write the page. The report is saved before a check too, so an interrupted check loses
    no render."""
    result = None
    if settings.check and (recheck or report.check is None or report.check.judged != JUDGE):
        save_report(report, folder)
        turns = layout if layout is not None else load_layout(folder / LAYOUT)
        with (watch or Stopwatch()).stage("check"):
            result = check_render(turns, folder / Path(report.audio).name, settings.cache().checks,
                                  progress=progress, threads=settings.workers)
        report.check = result.summary()
    save_report(report, folder)
    write_page(folder, report)
    return result


def render_key(prep: Prepared, jobs: list[Job]) -> str:
    """Hash of every file the render read and every setting it used (``prep.inputs``), with
    the turns' audio keys, which carry the engines' and models' versions: equal keys mean
    nothing to redo."""
    return prep.inputs.key([j.key for j in jobs])


def up_to_date(folder: Path, key: str) -> Report | None:
    """The previous report if it was made from identical inputs and its files are intact."""
    report = load_report(folder / REPORT)
    if report is None or report.render_key != key or not (folder / MIX).exists():  # no mix.json: before stems
        return None
    for f in report.files:
        path = folder / Path(f.path).name  # every deliverable lives beside the report
        if not path.exists() or path.stat().st_size != f.bytes:
            return None
    return report


def render_audio(prep: Prepared, jobs: list[Job], settings: Settings, watch: Stopwatch,
                 progress: Callable[[int], None] | None = None, *,
                 music: bool | None = None, keep_levels: dict[str, float] | None = None,
                 keep_within_db: float = LEVEL_KEEP_DB, pool: TurnPool | None = None) -> tuple[Timeline, CacheStats]:
    """Synthesize (cached) and assemble the turns of ``jobs`` (``keep_levels``: the last
    render's voice levels, kept while they match within ``keep_within_db``)."""
    warmup.start()  # assembly's scipy imports, meanwhile
    turns = [j.turn for j in jobs]
    use_music = settings.music if music is None else music
    silences = {s: v.sentence_silence for s, v in prep.cast.voices.items()}
    # Synthesis streams turns into assembly, so the "synthesize" stage includes preparing each turn;
    # the intro music is read or generated on the side meanwhile.
    with watch.stage("synthesize"), ThreadPoolExecutor(1) as side:
        intro = side.submit(load_intro, prep.intro) if use_music else None
        result = synthesize(jobs, settings.cache(), settings.workers, progress,
                            executor=settings.executor, ray_address=settings.ray_address, pool=pool)
        samples = timeline_samples(turns, result.cached, settings.pacing, silences, use_music)
        try:
            with result:
                timeline = assemble(turns, result, silences, settings.pacing, intro, section_starts(prep.script),
                                    None if samples is None else TimelineBuffers(samples).take, keep_levels,
                                    keep_within_db)
        except RenderError as exc:
            if exc.file is None:  # engine failures know the turn's line, not the file
                exc.file = prep.episode.script
            raise
    memory.release()
    return timeline, CacheStats(result.hits, result.misses, round(result.reused_s, 3))


def _render(prep: Prepared, jobs: list[Job], settings: Settings, folder: Path, key: str, watch: Stopwatch,
            progress: Progress | None, pool: TurnPool | None) -> tuple[Report, list[TurnLayout]]:
    """The render proper, run while holding the episode's lock: audio, captions, chapters,
    turns.json, and the report of it all (returned, not yet saved)."""
    total, done = len(jobs), [0]

    def tick(n: int) -> None:
        done[0] += n
        if progress:
            progress(done[0], total)

    previous = load_report(folder / REPORT)
    last_plan = previous.master if previous is not None else None
    timeline, cache_stats = render_audio(prep, jobs, settings, watch, tick,
                                         keep_levels=last_plan.voice_levels if last_plan else None, pool=pool)
    audio_path = folder / f"{prep.episode.slug}.{settings.fmt}"
    tags = episode_tags(prep)
    with watch.stage("captions"):
        delay = mp3_delay_s() if settings.fmt == "mp3" else 0.0
        chapters, chapter_source = chapters_for(prep.script, prep.turns, prep.episode.outline)
        # The file's exact length is known only after encoding; chapters end at the last sample.
        time_chapters(chapters, timeline.turns, len(timeline.audio) / timeline.rate + delay, delay)
        cues = build_cues(prep.turns, timeline.turns, delay)
    finish_tags = (lambda p: write_tags(p, tags, chapters)) if settings.fmt == "mp3" else None
    streams = settings.cache().streams
    measured, plan = master_to_file(timeline, audio_path, settings.fmt, settings.spec, watch.stage, finish_tags,
                                    StreamStore(streams) if streams else None,
                                    last_plan)
    chapters[-1].end_s = round(measured.seconds, 3)
    Mix.of(timeline, {j.turn.index: (j.turn.number, j.key) for j in jobs}, delay, plan.gain_db).save(folder)
    spans = {s.index: s for s in timeline.turns}
    layout = [TurnLayout(j.turn.number, j.turn.speaker, j.turn.line, round(spans[j.turn.index].start_s + delay, 3),
                         round(spans[j.turn.index].end_s + delay, 3), j.key, j.turn.text, j.turn.spoken,
                         prep.normalizer_for(j.turn.speaker).entries(j.turn.text),
                         [round(a + delay, 3) for a, _ in spans[j.turn.index].sentences[1:]],
                         sentence_starts(j.turn)) for j in jobs]
    with watch.stage("captions"):
        side_files = {"captions.vtt": to_vtt(cues), "captions.srt": to_srt(cues),
                      "transcript.json": to_transcript_json(cues), "chapters.json": chapters_json(chapters)}
        for name, text in side_files.items():
            write_text(text, folder / name)
        write_layout(layout, folder / LAYOUT)

    stats = speaker_stats(prep.turns, timeline)
    for name, st in stats.items():
        voice = prep.cast.voices[name]
        st.voice, st.engine = voice.name, voice.engine
        st.model_voice = voice.voice or voice.speaker or voice.model or voice.model_path
    talk = sum(s.talk_s for s in stats.values())
    words = sum(s.words for s in stats.values())
    verdict = judge(measured.seconds, prep.target, words / talk if talk else 2.5)
    root = settings.root
    written = [audio_path, *(folder / name for name in side_files), folder / LAYOUT, folder / MIX]
    report = Report(
        episode=prep.episode.id,
        title=prep.script.title,
        script=relpath(prep.episode.script, root),
        audio=relpath(audio_path, root),
        format=settings.fmt,
        duration_s=round(measured.seconds, 3),
        target=prep.target,
        verdict=verdict.verdict,
        gap_s=verdict.gap_s,
        gap_words=verdict.gap_words,
        cast="draft" if settings.draft else "quality",
        turns=len(prep.turns),
        words=words,
        speakers=stats,
        loudness=Loudness(measured.integrated_lufs, measured.true_peak_dbtp, settings.spec.lufs,
                          settings.spec.true_peak_db),
        music=timeline.music,
        intro=Intro(round(timeline.music_end_s + delay, 3)) if timeline.music else None,
        cache=cache_stats,
        # MP3 streams taken as they were from the last render (an edit re-encodes only its own)
        mp3_streams=Streams(measured.streams_reused, measured.streams_encoded),
        timings=watch.times,
        render_key=key,
        meta=Meta(tags.series, tags.episode, tags.hosts, tags.description, tags.date),
        published=_published(tags.date, previous),
        master=replace(plan, voice_levels=timeline.voice_levels),
        sanity=sanity(timeline, measured.clipped_samples, settings.pacing),
        envelope=Envelope(**envelope(timeline.audio, timeline.rate, delay)),
        chapters=Chapters(chapter_source, [Chapter(c.title, c.start_s, c.end_s, c.first_turn + 1) for c in chapters]),
        files=[FileEntry(relpath(p, root), p.stat().st_size) for p in written],
        inputs=prep.inputs.files,
        notes=prep.notes,
        pronunciation=[Pronunciation(n.word, n.say, n.source) for n in prep.pronunciation],
    )
    return report, layout


def _published(date: str | None, previous: Report | None) -> str:
    """The episode's publication date for the feed: the script's ``date:``, else the day it
    was first rendered (kept across re-renders, so the feed's dates do not move)."""
    if date:
        return date
    if previous is not None and previous.published:
        return previous.published
    return datetime.now(UTC).isoformat(timespec="seconds")
