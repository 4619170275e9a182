"""Command-line interface. Every user-fixable problem becomes a one-paragraph
message and exit status 2; Ctrl-C becomes one line and status 130."""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from render.cli_options import (
    INTERRUPTED,
    CacheDirOpt,
    DraftOpt,
    NoCheckOpt,
    OutOpt,
    RootOpt,
    StemsFormatOpt,
    StrictOpt,
    TranscriptsOpt,
    _settings,
    err,
    out,
)
from render.cli_voices import cache_app, voices_app
from render.deliver.report import relpath, summary
from render.errors import RenderError
from render.fit import estimate_episode
from render.pipeline import render_episode
from render.prepare import Settings, prepare
from render.preview import render_preview
from render.report import REPORT, load_report, to_data
from render.stems import render_stems, stems_summary

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Render two-host podcast scripts into mastered episodes with local TTS.")
app.add_typer(voices_app, name="voices")
app.add_typer(cache_app, name="cache")


@app.command()
def episode(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path to the script.")],
    out_dir: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="mp3 or wav.")] = "mp3",
    no_music: Annotated[bool, typer.Option("--no-music", help="Leave out the intro music.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Synthesis processes (default: cores).")] = None,
    cache_dir: CacheDirOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Synthesize every turn afresh.")] = False,
    fit: Annotated[bool, typer.Option("--fit", help="Adjust rate (±8%) and pauses to land in the target.")] = False,
    draft: DraftOpt = False,
    no_check: NoCheckOpt = False,
    strict: StrictOpt = False,
    stems: Annotated[bool, typer.Option("--stems", help="Also write per-host stems and a DAW timeline (render stems).")] = False,
    stems_format: StemsFormatOpt = "wav",
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Render one episode to OUT/EP/: audio, captions, chapters, transcript and report.json,
    then proof-listen to it (render check)."""
    if fmt not in ("mp3", "wav"):
        raise RenderError(f"--format {fmt!r} is not supported", hint="use mp3 or wav")
    if stems and no_cache:
        raise RenderError("--stems are made from the turn cache", hint="leave out --no-cache")
    settings = _settings(root, out_dir, transcripts, fmt=fmt, music=not no_music,
                         cache_dir=cache_dir, use_cache=not no_cache, draft=draft, check=not no_check, strict=strict)
    if workers:
        settings.workers = workers
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("synthesizing", total=None)
            listen = bar.add_task("proof-listening", total=None, visible=False)
            report = render_episode(
                ep, settings, lambda done, total: bar.update(task, completed=done, total=total), fit=fit,
                check_progress=lambda done, total: bar.update(listen, completed=done, total=total, visible=True))
    except KeyboardInterrupt:
        raise RenderError(INTERRUPTED, exit_code=130) from None
    out.print(summary(report), highlight=False, markup=False)
    if stems:
        out.print(stems_summary(render_stems(ep, settings, stems_format), settings.root), highlight=False, markup=False)


@app.command("stems")
def stems_command(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path to the script.")],
    fmt: Annotated[str, typer.Option("--format", help="wav or flac (24-bit).")] = "wav",
    out_dir: OutOpt = None,
    cache_dir: CacheDirOpt = None,
    draft: DraftOpt = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Write OUT/EP/stems/ from the last render, synthesizing nothing: one track per host and
    one for the music, an OpenTimelineIO timeline, its FCP 7 XML and Audacity labels."""
    settings = _settings(root, out_dir, transcripts, cache_dir=cache_dir, draft=draft)
    out.print(stems_summary(render_stems(ep, settings, fmt), settings.root), highlight=False, markup=False)


@app.command()
def preview(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path.")],
    exchange: Annotated[int | None, typer.Option("--exchange", help="The N-th back-and-forth (1-based).")] = None,
    turns: Annotated[str | None, typer.Option("--turns", help="Turn numbers (render script, render check), e.g. 12-18.")] = None,
    match: Annotated[str | None, typer.Option("--match", help="First turn containing this text, with neighbours.")] = None,
    outline: Annotated[bool, typer.Option("--outline", help="With --exchange: the outline's N-th exchange block.")] = False,
    music: Annotated[bool, typer.Option("--music", help="Include the intro music.")] = False,
    out_dir: OutOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Synthesis processes.")] = None,
    draft: DraftOpt = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Render a slice fast to OUT/EP/preview-*.wav, sharing the turn cache."""
    from render.script import select

    chosen = [x for x in (exchange, turns, match) if x is not None]
    if len(chosen) != 1:
        raise RenderError("choose exactly one of --exchange N, --turns A-B or --match TEXT")
    if outline and exchange is None:
        raise RenderError("--outline goes with --exchange N")
    settings = _settings(root, out_dir, transcripts, draft=draft)
    if workers:
        settings.workers = workers
    if exchange is not None and outline:
        label, pick = f"outline-exchange-{exchange}", lambda p: select.outline_exchange(
            p.episode.outline, p.cast.speakers, exchange)
    elif exchange is not None:
        label, pick = f"exchange-{exchange}", lambda p: select.exchange(p.turns, exchange)
    elif turns is not None:
        label, pick = f"turns-{turns.replace(' ', '')}", lambda p: select.turn_range(p.turns, turns)
    else:
        slug = "-".join(re.findall(r"[a-z0-9]+", str(match).lower()))[:40] or "match"
        label, pick = f"match-{slug}", lambda p: select.match(p.turns, str(match))
    try:
        result = render_preview(ep, settings, pick, label, music=music)
    except KeyboardInterrupt:
        raise RenderError(INTERRUPTED, exit_code=130) from None
    out.print(f"{relpath(result.path)}  ({result.duration_s:.1f} s, {result.cache.hits} cached turns)",
              highlight=False)
    for t in result.turns:
        out.print(f"[bold]{escape(t.speaker)}:[/bold] {escape(t.spoken)}", highlight=False)


@app.command()
def estimate(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {predicted_s, target, verdict, words}.")] = False,
    no_music: Annotated[bool, typer.Option("--no-music", help="Predict without the intro music.")] = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Predict the duration without synthesizing, against the target."""
    result = estimate_episode(ep, _settings(root, None, transcripts, music=not no_music))
    if as_json:
        sys.stdout.write(json.dumps(to_data(result), indent=2) + "\n")
        return
    tgt = result.target
    line = f"predicted {result.predicted_s / 60:.1f} min"
    if tgt:
        line += f"; target {tgt.minutes}: {result.verdict}"
        if result.words > 0:
            line += f", add about {result.words} words"
        elif result.words < 0:
            line += f", cut about {-result.words} words"
    else:
        line += " (no target)"
    out.print(line, highlight=False)


@app.command()
def series(
    transcripts: TranscriptsOpt = None,
    only: Annotated[str | None, typer.Option("--only", help="Episode numbers, e.g. 35-40.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Episodes rendered at once.")] = 2,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Synthesis processes in all.")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local, or ray for a Ray cluster.")] = "local",
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Ray cluster (default: local).")] = None,
    out_dir: OutOpt = None,
    no_music: Annotated[bool, typer.Option("--no-music", help="Leave out the intro music.")] = False,
    draft: DraftOpt = False,
    no_check: NoCheckOpt = False,
    base_url: Annotated[str, typer.Option("--base-url", help="Where output/ will be hosted, for feed.xml.")] = "",
    strict: StrictOpt = False,
    cache_dir: CacheDirOpt = None,
    try_words: Annotated[int, typer.Option("--try-words", min=0, help="Afterwards, try respellings of this many "
                                           "of the most misheard words (OUT/lexicon-suggestions.toml).")] = 5,
    root: RootOpt = Path("."),
) -> None:
    """Render every episode in transcripts/, skipping those already up to date; then write OUT/feed.xml."""
    from rich.table import Table

    from render.series import Outcome, SeriesProgress, render_series, reuse_line, select_episodes

    settings = _settings(root, out_dir, transcripts, music=not no_music, draft=draft, check=not no_check,
                         strict=strict, cache_dir=cache_dir)
    if workers:
        settings.workers = workers
    if executor not in ("local", "ray"):
        raise RenderError(f"--executor {executor!r} is not supported", hint="use local or ray")
    if executor == "ray":
        settings.executor = "ray"
        settings.ray_address = ray_address
    episodes = select_episodes(settings.transcripts_dir, only)
    state = SeriesProgress.of(episodes)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err) as bar:
        overall = bar.add_task("series", total=state.work_total, detail="")
        tasks = {e.id: bar.add_task(f"  {e.id}", total=None, detail="") for e in episodes}

        def moved(ep: str, done: int, total: int) -> None:
            state.update(ep, done, total)
            bar.update(tasks[ep], completed=done, total=total, detail=f"{done}/{total} turns")
            bar.update(overall, completed=state.work_done, detail=state.describe())

        def finished(o: Outcome) -> None:
            state.finish(o)
            bar.update(overall, completed=state.work_done, detail=state.describe())

        outcomes = render_series(episodes, settings, jobs, on_progress=moved, on_done=finished)
    table = Table(title="series")
    for col in ("episode", "duration", "target", "verdict", "status", "cached turns", "flagged", "time"):
        table.add_column(col, no_wrap=True)
    for o in outcomes:
        if o.ok and o.report:
            r = o.report
            tgt = r.target
            table.add_row(o.episode, f"{r.duration_s / 60:.1f} min",
                          tgt.minutes if tgt else "-",
                          r.verdict, "up to date" if r.up_to_date else "rendered", f"{r.cache.hits}/{r.turns}",
                          str(len(r.check.flagged)) if r.check else "-", f"{o.seconds:.1f} s")
        elif o.skipped:
            table.add_row(o.episode, "-", "-", "-", f"skipped: {o.skipped}", "-", "-", f"{o.seconds:.1f} s")
        else:
            table.add_row(o.episode, "-", "-", "-", "[red]failed[/red]", "-", "-", f"{o.seconds:.1f} s")
    out.print(table)
    out.print(reuse_line(outcomes), highlight=False)
    if not draft:
        _write_feed(settings, base_url)
    if not no_check:
        _suggest(settings, try_words)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        err.print(f"[red]{o.episode} failed:[/red] {escape(str(o.error))}", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def feed(
    base_url: Annotated[str, typer.Option("--base-url", help="Where output/ will be hosted (default: relative links).")] = "",
    out_dir: OutOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Write OUT/feed.xml: the series' podcast feed (RSS 2.0, iTunes, Podcasting 2.0)."""
    _write_feed(_settings(root, out_dir), base_url)


def _suggest(settings: Settings, try_words: int) -> None:
    """``render check --series`` and the end of ``render series``: the misheard words of the
    whole series, with respellings that pass ``--try``, in OUT/lexicon-suggestions.toml."""
    from render.suggest import SUGGESTIONS, gather, try_fixes, write_suggestions

    items = gather(settings.out_dir, settings.lexicon(), settings.draft)
    try_fixes(items, settings, try_words)
    path = write_suggestions(items, settings.out_dir / SUGGESTIONS)
    fixed = sum(1 for i in items if i.passed)
    out.print(f"words    {relpath(path)}  ({len(items)} misheard word{'s' if len(items) != 1 else ''}, "
              f"{fixed} with a respelling that passed --try)", highlight=False)


def _write_feed(settings: Settings, base_url: str) -> None:
    """The feed and the site index that links it (``render feed``, and the end of ``render series``)."""
    from render.deliver.feed import write_feed
    from render.deliver.page import write_site_index

    path, n = write_feed(settings.out_dir, settings.root, base_url)
    write_site_index(settings.out_dir)
    relative = "" if base_url else ", links relative to it"
    out.print(f"feed     {relpath(path)}  ({n} episode{'s' if n != 1 else ''}{relative})", highlight=False)


@app.command()
def serve(
    ep: Annotated[str | None, typer.Argument(help="An episode to open (00035, 35, a slug); default: the index.")] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")] = 8000,
    out_dir: OutOpt = None,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Serve OUT/ on 127.0.0.1 for the review pages (index of episodes, each episode's page). Ctrl-C stops."""
    from render.deliver.page import PAGE, write_site_index
    from render.deliver.serve import make_server
    from render.script.episodes import find_episode

    settings = _settings(root, out_dir, transcripts)
    folder = settings.out_dir
    if folder.is_dir():
        write_site_index(folder)
    path = ""
    if ep is not None:
        name = ep if (folder / ep / PAGE).is_file() else find_episode(ep, settings.transcripts_dir).id
        if not (folder / name / PAGE).is_file():
            raise RenderError(f"episode {name} has no review page in {folder}",
                              hint=f"render it first: render episode {name}")
        path = f"{name}/{PAGE}"
    server = make_server(folder, port)
    out.print(f"serving  {relpath(folder)} at http://127.0.0.1:{server.server_port}/{path}  (Ctrl-C stops)",
              highlight=False)
    sys.stdout.flush()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped", highlight=False)
    finally:
        server.server_close()


@app.command()
def check(
    ep: Annotated[str | None, typer.Argument(help="00035, 35, a slug or a path (not with --series).")] = None,
    series: Annotated[bool, typer.Option("--series", help="Gather the flagged words of every rendered episode "
                                         "into OUT/lexicon-suggestions.toml, with respellings that pass --try.")] = False,
    try_words: Annotated[int, typer.Option("--try-words", min=0, help="With --series: try respellings of this many "
                                           "of the most frequent words.")] = 5,
    tries: Annotated[list[str] | None, typer.Option(
        "--try", help="WORD=RESPELLING: re-synthesize the flagged turns with it and check them again.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the check as JSON.")] = False,
    out_dir: OutOpt = None,
    cache_dir: CacheDirOpt = None,
    draft: DraftOpt = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Proof-listen to a rendered episode: transcribe each turn and flag what a listener would mishear."""
    from render.check.view import flagged_table, try_table
    from render.pipeline import finish

    settings = _settings(root, out_dir, transcripts, cache_dir=cache_dir, draft=draft)
    if series:
        _suggest(settings, try_words)
        return
    if ep is None:
        raise RenderError("name an episode, or pass --series", hint="e.g. render check 00035")
    if tries:
        from render.respell import parse_respellings, try_respellings

        pairs = try_respellings(ep, settings, parse_respellings(tries))
        out.print(try_table(pairs))
        fixed = sum(1 for _, after in pairs if not after.flagged)
        out.print(f"{fixed} of {len(pairs)} turns pass with the respelling"
                  + ("; add it to voices/lexicon.toml under \\[say] to keep it" if fixed else ""), highlight=False)
        return
    prep = prepare(ep, settings)
    folder = settings.episode_dir(prep.episode.id)
    report = load_report(folder / REPORT)
    if report is None:
        raise RenderError(f"episode {prep.episode.id} has not been rendered into {folder}",
                          hint=f"render it first: render episode {prep.episode.id}")
    with Progress(TextColumn("proof-listening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("turns", total=None)
        result = finish(folder, report, settings, progress=lambda d, t: bar.update(task, completed=d, total=t),
                        recheck=True)  # the report and the review page show the new flags
    assert result is not None
    if as_json:
        sys.stdout.write(json.dumps(to_data(report.check), indent=2, ensure_ascii=False) + "\n")
        return
    if result.flagged:
        out.print(flagged_table(result.flagged, result.written, result.letters, result.lexicon))
    speakers = ", ".join(f"{s} {result.wer(s):.1%}" for s in sorted({t.speaker for t in result.turns}))
    out.print(f"{len(result.flagged)} of {len(result.turns)} turns flagged; word error rate {result.wer():.1%} "
              f"({speakers}) by {result.model}; {result.transcribed} turns transcribed, "
              f"{result.cached} from the cache", highlight=False)


@app.command()
def script(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the turns as JSON.")] = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Show the parsed turns: speaker, written text, spoken text (*emphasised* words starred), source line."""
    from render.script.markup import EMPHASIS, plain

    prep = prepare(ep, _settings(root, None, transcripts))
    rows = [{"turn": t.number, "speaker": t.speaker, "text": t.text,
             "spoken": " ".join(plain(EMPHASIS.sub(r"*\1*", sp)) for _, sp in t.sentences if sp),
             "line": t.line} for t in prep.turns]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    for r in rows:
        out.print(f"[bold]{r['turn']:>3} {escape(str(r['speaker']))}[/bold] (line {r['line']}): {escape(str(r['spoken']))}",
                  highlight=False)


@app.command()
def normalize(
    text: Annotated[list[str] | None, typer.Argument(help="Lines to normalize (default: stdin).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each rewrite and the rule or lexicon entry "
                                                            "(and its scope) that made it.")] = False,
    voice: Annotated[str | None, typer.Option("--voice", help="With this voice's own entries (\\[say.ENGINE], "
                                                              "\\[say.VOICE]), e.g. alex.")] = None,
    root: RootOpt = Path("."),
) -> None:
    """Print the spoken form of each input line, one line out per line in."""
    from render.normalize import Normalizer
    from render.voices.cast import load_voice

    lexicon = _settings(root, None).lexicon()
    if voice:
        v = load_voice(root / "voices" / f"{voice}.toml")
        lexicon = lexicon.for_voice(v.engine, v.name)
    norm = Normalizer(lexicon)
    lines = text if text else sys.stdin.read().splitlines()
    for line in lines:
        spoken, changes = norm.explain(line)
        sys.stdout.write(spoken + "\n")
        if explain:
            for c in changes:
                sys.stdout.write(f"  {c.written!r} → {c.spoken!r}  ({c.by})\n")


def _terminate(signum: int, frame: object) -> None:
    """``kill`` gets the same clean stop as Ctrl-C: temp files removed, cache intact."""
    raise KeyboardInterrupt


def quiet_pool_threads(args: threading.ExceptHookArgs) -> None:
    """Print a background thread's failure as Python would, except a process pool's own
    thread failing on the pipes of a worker that was killed (OSError "Bad file descriptor",
    seen after a synthesis worker was killed mid-render, 2 runs in 10): the render has
    already said that a worker died and what to do, and a traceback after it says nothing
    a producer can act on. It goes to the log at debug level instead."""
    internal = type(args.thread).__module__.startswith(("concurrent.futures", "multiprocessing"))
    if internal and isinstance(args.exc_value, (OSError, EOFError)):
        logging.getLogger(__name__).debug("%s stopped: %r", args.thread.name if args.thread else "a thread",
                                          args.exc_value)
        return
    threading.__excepthook__(args)


def main() -> None:
    """Entry point: typer handles usage errors; known failures become clean messages."""
    signal.signal(signal.SIGTERM, _terminate)
    threading.excepthook = quiet_pool_threads
    # Warnings from any module (logging.getLogger(__name__).warning) reach the terminal through rich.
    terminal = RichHandler(console=err, show_time=False, show_path=False)
    # except phonemizer's (Kokoro's tokenizer): "words count mismatch" is espeak-ng splitting a
    # word its own way, nothing a producer can act on; phonemizer resets its logger's level on
    # every call, so the filter sits on the handler
    terminal.addFilter(lambda record: not record.name.startswith("phonemizer"))
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[terminal])
    code: int | str | None = 0
    try:
        app()
    except RenderError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        err.print(INTERRUPTED, soft_wrap=True, markup=False)
        code = 130
    except SystemExit as exc:  # typer ends every command this way
        code = exc.code
    exit_now(code)


def exit_now(code: int | str | None) -> None:
    """Exit without the interpreter's teardown, which took 1.5–2 s after a render (freeing
    the modules and the models a check loaded), all of it waiting for nothing: every output
    is already renamed into place and synced (render.files.atomic_path). The exit handlers
    (Ray's shutdown, logging's flush) still run, and so do the streams' flushes."""
    if isinstance(code, str):
        err.print(code, soft_wrap=True, markup=False)
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
