"""``render stems`` (and ``render episode --stems``): the last render's stems and timeline.

Everything comes from what the render left: ``mix.json`` says where each
turn went and at what gain, the turn cache holds the turns' audio, the
report holds the chapters and the check's flags. Nothing is synthesized
or mixed again; a stem whose content did not change since the last time
is not written again (``stems/stems.json`` keeps each stem's key).
"""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from render.audio.assemble import music_track, speech_start_s
from render.audio.clips import TurnAudio
from render.audio.dsp import threads
from render.audio.music import load_intro
from render.audio.stems import (
    FORMATS,
    MANIFEST,
    MUSIC,
    STEMS,
    Mix,
    PlacedTurn,
    Stem,
    music_piece,
    spans_for,
    stems_of,
    turn_pieces,
    write_stem,
)
from render.deliver.report import relpath
from render.deliver.timeline import Marker, TurnText, write_timeline
from render.errors import RenderError
from render.files import folder_lock, remove_stale_parts, write_text
from render.inputs import digest
from render.prepare import Prepared, Settings, prepare
from render.report import REPORT, Report, load_report


@dataclass
class StemsResult:
    """What ``render stems`` wrote."""

    folder: Path
    fmt: str
    trim_db: float
    written: list[str]  # stems written this time
    kept: list[str]  # stems unchanged since the last time, left as they were
    timeline: list[Path]
    seconds: float
    rewritten_s: float = 0.0  # seconds of stem audio written this time (all stems)


def render_stems(ref: str, settings: Settings, fmt: str = "wav") -> StemsResult:
    """Stems of episode ``ref`` as its last render mixed it, into ``out/EP/stems/``."""
    if fmt not in FORMATS:
        raise RenderError(f"--stems-format {fmt!r} is not supported", hint="use " + " or ".join(FORMATS))
    t0 = time.perf_counter()
    prep = prepare(ref, settings)
    folder = settings.episode_dir(prep.episode.id)
    hint = f"run: render episode {prep.episode.id} --stems"
    if not settings.use_cache:
        raise RenderError("stems are made from the turn cache", hint="leave out --no-cache")
    with folder_lock(folder):
        report = load_report(folder / REPORT)
        if report is None:
            raise RenderError("this episode has not been rendered yet", folder, hint=hint)
        # The mix record holds where every turn went, whatever settings placed it (--fit,
        # --no-music); what must not have changed are the files it was made from.
        changed = sorted(name for name, was in report.inputs.items()
                         if digest(settings.root / name) != was)  # an absolute name stays as it is
        if changed:
            raise RenderError(f"{changed[0]} changed since the last render", prep.episode.script, hint=hint)
        mix = Mix.load(folder)
        if mix is None:
            raise RenderError("the last render left no mix.json (it predates stems)", folder,
                              hint=f"render it again: render episode {prep.episode.id} --stems --no-check")
        result = _write(prep, settings, folder, report, mix, fmt)
    result.seconds = round(time.perf_counter() - t0, 2)
    return result


def _write(prep: Prepared, settings: Settings, folder: Path, report: Report, mix: Mix, fmt: str) -> StemsResult:
    out = folder / STEMS
    remove_stale_parts(out)
    stems = stems_of(mix, folder, fmt, report.music)
    records = _manifest(out)
    # A stem is written from where it first differs from the file there (in place, for a
    # WAV), or whole; one that is the same throughout is left alone.
    since = {s.path.name: s.unchanged_until(records.get(s.path.name)) if _intact(s, records, fmt) else 0
             for s in stems}
    todo = [s for s in stems if since[s.path.name] < s.samples or not s.path.exists()]
    for stem in todo:  # forget a file before changing it: interrupted, it is written whole next time
        records.pop(stem.path.name, None)
    if todo:
        _save_manifest(out, fmt, mix, records)
    cache = settings.cache()
    silences = {s: v.sentence_silence for s, v in prep.cast.voices.items()}
    spans = spans_for(silences, {t.number: t.pauses for t in prep.turns})

    def audio(t: PlacedTurn) -> TurnAudio:
        turn = cache.get(t.key)
        if turn is None:
            raise RenderError(f"turn {t.turn} is no longer in the turn cache", prep.episode.script,
                              hint=f"render episode {prep.episode.id} --stems synthesizes it again")
        return turn

    def one(stem: Stem) -> None:
        start = since[stem.path.name] if stem.path.exists() else 0
        if stem.track == MUSIC:
            track = music_track(load_intro(prep.intro)[0], speech_start_s(True, settings.pacing), settings.pacing)
            if len(track) != mix.music_samples:
                raise RenderError("the intro music changed since the last render", prep.intro,
                                  hint=f"render episode {prep.episode.id} --stems")
            pieces = music_piece(mix, track, start)
        else:
            pieces = turn_pieces(mix, stem.track, audio, spans, start)
        try:
            write_stem(stem.path, fmt, mix.samples, pieces, mix.rate, start or None)
        except ValueError as exc:  # the cache and mix.json disagree
            raise RenderError(str(exc), folder / "mix.json", hint=f"render episode {prep.episode.id} --stems") from exc

    with ThreadPoolExecutor(min(len(todo), threads()) or 1) as pool:  # libsndfile and numpy release the GIL
        for future in [pool.submit(one, s) for s in todo]:
            future.result()
    names = {s.path.name for s in stems}
    for old in set(records) - names:  # a format or cast change leaves other files behind
        with contextlib.suppress(OSError):
            (out / old).unlink()
    _save_manifest(out, fmt, mix, {s.path.name: s.to_data() for s in stems})
    turns = {t.number: TurnText(t.number, t.speaker, t.line, t.text) for t in prep.turns}
    starts = {t.turn: mix.offset + t.start for t in mix.turns}
    chapters = [Marker(c.title, round(c.start_s * mix.rate)) for c in report.chapters.entries]
    flags = [Marker(_flag_title(f.turn, f.mismatches[0].expected if f.mismatches else f.expected,
                                f.mismatches[0].heard if f.mismatches else f.heard), starts[f.turn], f.turn)
             for f in (report.check.flagged if report.check else []) if f.turn in starts]
    timeline = write_timeline(out, report.title or f"Episode {report.episode}", mix, stems, turns, chapters, flags)
    rewritten = {s.track: s.samples - (since[s.path.name] if s.path.exists() else 0) for s in todo}
    return StemsResult(out, fmt, mix.trim_db(), list(rewritten), [s.track for s in stems if s not in todo],
                       timeline, 0.0, sum(rewritten.values()) / mix.rate)


def _intact(stem: Stem, records: dict[str, dict[str, object]], fmt: str) -> bool:
    """Whether the file is as its record says (present, its length), and can be updated in
    place (a WAV; FLAC files are only ever written whole)."""
    record = records.get(stem.path.name)
    if record is None or not stem.path.exists():
        return False
    try:
        frames = sf.info(str(stem.path)).frames
    except (sf.LibsndfileError, RuntimeError):
        return False
    return frames == record.get("samples") and (fmt == "wav" or record.get("key") == stem.key)


def _save_manifest(folder: Path, fmt: str, mix: Mix, records: dict[str, dict[str, object]]) -> None:
    write_text(json.dumps({"format": fmt, "trim_db": mix.trim_db(), "stems": records}) + "\n", folder / MANIFEST)


def _flag_title(turn: int, expected: str, heard: str) -> str:
    return f"turn {turn}: “{expected}” heard as “{heard}”"


def _manifest(folder: Path) -> dict[str, dict[str, object]]:
    """Each stem file's record as the last ``render stems`` wrote it."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {str(k): dict(v) for k, v in data["stems"].items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return {}


def stems_summary(result: StemsResult, root: Path) -> str:
    """The lines ``render stems`` prints: where the stems are and how to use their level."""
    kept = f", {len(result.kept)} unchanged" if result.kept else ""
    lines = [f"stems    {relpath(result.folder, root)}/  {len(result.written)} written "
             f"({result.rewritten_s:.1f}s of audio){kept}, {FORMATS[result.fmt][2]}, {result.seconds:.1f}s",
             f"level    {result.trim_db:g} dB under the master before its limiter: raise the stems' bus by "
             f"{result.trim_db:g} dB to match it",
             "open     " + ", ".join(p.name for p in result.timeline)
             + "  (Audacity: File > Import > Labels; Resolve/Premiere: import episode.xml)"]
    return "\n".join(lines)
