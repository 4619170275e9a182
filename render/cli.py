"""Command-line interface. Every user-fixable problem becomes a one-paragraph
message and exit status 2; Ctrl-C becomes one line and status 130."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from render.errors import RenderError
from render.pipeline import Settings, prepare, render_episode
from render.report import summary

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Render two-host podcast scripts into mastered episodes with local TTS.")
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

INTERRUPTED = "interrupted: finished turns are cached; run the same command again to resume"

RootOpt = Annotated[Path, typer.Option("--root", help="Project folder with transcripts/, voices/, music/.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder (default: output/).")]
TranscriptsOpt = Annotated[Path | None, typer.Option("--transcripts", help="Folder of scripts.")]


def _settings(root: Path, out_dir: Path | None, transcripts: Path | None = None,
              **kw: object) -> Settings:
    return Settings(root=root, out=out_dir, transcripts=transcripts, **kw)  # type: ignore[arg-type]


@app.command()
def episode(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path to the script.")],
    out_dir: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="mp3 or wav.")] = "mp3",
    no_music: Annotated[bool, typer.Option("--no-music", help="Leave out the intro music.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Synthesis processes (default: cores).")] = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Turn cache folder.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Synthesize every turn afresh.")] = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Render one episode to OUT/EP/: the audio file and report.json."""
    if fmt not in ("mp3", "wav"):
        raise RenderError(f"--format {fmt!r} is not supported", hint="use mp3 or wav")
    settings = _settings(root, out_dir, transcripts, fmt=fmt, music=not no_music,
                         cache_dir=cache_dir, use_cache=not no_cache)
    if workers:
        settings.workers = workers
    try:
        with Progress(TextColumn("synthesizing"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("turns", total=None)
            report = render_episode(
                ep, settings, lambda done, total: bar.update(task, completed=done, total=total))
    except KeyboardInterrupt:
        raise RenderError(INTERRUPTED, exit_code=130) from None
    out.print(summary(report), highlight=False)


@app.command()
def script(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the turns as JSON.")] = False,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Show the parsed turns: speaker, written text, spoken text, source line."""
    prep = prepare(ep, _settings(root, None, transcripts))
    rows = [{"index": t.index, "speaker": t.speaker, "text": t.text, "spoken": t.spoken,
             "line": t.line} for t in prep.turns]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    for r in rows:
        out.print(f"[bold]{r['index']:>3} {r['speaker']}[/bold] (line {r['line']}): {r['spoken']}",
                  highlight=False)


@app.command()
def normalize(
    text: Annotated[list[str] | None, typer.Argument(help="Lines to normalize (default: stdin).")] = None,
    root: RootOpt = Path("."),
) -> None:
    """Print the spoken form of each input line, one line out per line in."""
    from render.normalize import Normalizer
    norm = Normalizer.from_file(root / "voices" / "lexicon.toml")
    lines = text if text else sys.stdin.read().splitlines()
    for line in lines:
        sys.stdout.write(norm(line) + "\n")


cache_app = typer.Typer(help="Inspect or empty the turn cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
CacheDirOpt = Annotated[Path | None, typer.Option("--cache-dir", help="Turn cache folder.")]


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOpt = None, out_dir: OutOpt = None, root: RootOpt = Path(".")) -> None:
    """Where the cache is, how many turns it holds and how big it is."""
    cache = _settings(root, out_dir, cache_dir=cache_dir).cache()
    count, size = cache.info()
    out.print(f"{cache.root}: {count} turns, {size / 1e6:.1f} MB", highlight=False)


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDirOpt = None, out_dir: OutOpt = None, root: RootOpt = Path(".")) -> None:
    """Delete every cached turn (the next render synthesizes everything)."""
    cache = _settings(root, out_dir, cache_dir=cache_dir).cache()
    out.print(f"removed {cache.clear()} cached turns from {cache.root}", highlight=False)


def _terminate(signum: int, frame: object) -> None:
    """``kill`` gets the same clean stop as Ctrl-C: temp files removed, cache intact."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: typer handles usage errors; known failures become clean messages."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except RenderError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print(INTERRUPTED, soft_wrap=True)
        sys.exit(130)
