"""``render voices`` and ``render cache``: the cast's voices, and the turn cache."""


from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from render.cli_options import INTERRUPTED, OutOpt, RootOpt, TranscriptsOpt, _file_safe, _settings, out
from render.deliver.report import relpath
from render.errors import RenderError
from render.prepare import prepare
from render.preview import render_preview

voices_app = typer.Typer(help="List, test and cast voices.", no_args_is_help=True)


@voices_app.command("list")
def voices_list(root: RootOpt = Path(".")) -> None:
    """Each voice file: engine, whether this machine can use it, and why not."""
    from render.voices.cast import availability, load_voice, voice_files

    for path in voice_files(root / "voices"):
        try:
            voice = load_voice(path)
        except RenderError as exc:
            out.print(f"{path.stem:<12} [red]invalid[/red]  {exc.message}", highlight=False)
            continue
        ok, why = availability(voice)
        mark = "[green]available[/green]" if ok else "[red]unavailable[/red]"
        out.print(f"{voice.name:<20} {voice.engine:<9} {mark}  {why}", highlight=False)
    from render.voices.engines.kokoro import installed_voices, packaged_pack

    for name in installed_voices():  # usable as is in cast.toml, 'voices test' and 'voices audition'
        out.print(f"{name:<20} {'kokoro':<9} [green]available[/green]  packaged pack {packaged_pack().name}",
                  highlight=False)


@voices_app.command("test")
def voices_test(
    name: Annotated[str, typer.Argument(help="Voice file name in voices/, without .toml.")],
    text: Annotated[str, typer.Argument(help="What to say (normalized first).")] = "Measure before you optimize.",
    out_dir: OutOpt = None,
    root: RootOpt = Path("."),
) -> None:
    """Speak TEXT with one voice and write OUT/voices/NAME-test.wav."""
    from render.audio.dsp import RATE, resample
    from render.audio.export import write_audio
    from render.normalize import Normalizer
    from render.voices.cast import inline_voice, load_voice
    from render.voices.engines import load_engine
    from render.voices.voice import INLINE_PREFIX

    path = root / "voices" / f"{name}.toml"
    if name.startswith(INLINE_PREFIX):
        voice = inline_voice(name, "the command line")
    elif not path.exists():
        raise RenderError(f"no voice named '{name}'", path.parent, hint="see 'render voices list'")
    else:
        voice = load_voice(path)
    spoken = Normalizer.from_file(root / "voices" / "lexicon.toml")(text)
    engine = load_engine(voice)
    try:
        clip = engine.synthesize(spoken)
    finally:
        engine.close()
    target = (out_dir or root / "output") / "voices" / f"{_file_safe(name)}-test.wav"
    write_audio(resample(clip.audio, clip.sample_rate), target, "wav", RATE)
    out.print(f"{relpath(target)}  {clip.seconds:.2f} s, model rate {clip.sample_rate} Hz: {spoken}",
              highlight=False)


@voices_app.command("audition")
def voices_audition(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path.")],
    speaker: Annotated[str, typer.Option("--speaker", help="The host to recast.")] = "Alex",
    turns: Annotated[str, typer.Option("--turns", help="Turn numbers (from 1), e.g. 1-4.")] = "1-4",
    voice: Annotated[list[str] | None, typer.Option(
        "--voice", help="A candidate (voice file or kokoro:NAME); repeat it. Default: every available voice.")] = None,
    intonation: Annotated[str, typer.Option(
        "--intonation", help="as-cast, natural, engine, or both (each candidate twice, to compare).")] = "as-cast",
    out_dir: OutOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Synthesis processes.")] = None,
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Render the same slice once per candidate voice for one host, into OUT/EP/audition/."""
    from render.script import select
    from render.voices.cast import availability, load_voice, voice_files
    from render.voices.engines.kokoro import installed_voices

    if voice:
        candidates = list(voice)
    else:
        files = [load_voice(p) for p in voice_files(root / "voices")]
        candidates = [v.name for v in files if availability(v)[0]] + installed_voices()
    hosts = prepare(ep, _settings(root, out_dir, transcripts)).cast.speakers
    if speaker not in hosts:
        raise RenderError(f"no host named '{speaker}' in this episode's cast",
                          hint="--speaker takes one of: " + ", ".join(hosts))
    tunes: dict[str, list[str | None]] = {"as-cast": [None], "natural": ["natural"], "engine": ["engine"],
                                          "both": ["natural", "engine"]}
    if intonation not in tunes:
        raise RenderError(f"--intonation {intonation!r} is not one of: " + ", ".join(tunes))
    for name, tune in ((n, t) for n in candidates for t in tunes[intonation]):
        settings = _settings(root, out_dir, transcripts, recast={speaker: name}, intonation=tune)
        if workers:
            settings.workers = workers
        label = f"-{tune}" if tune else ""
        file = f"audition/{speaker}-{_file_safe(name)}{label}-turns-{turns}.wav"
        try:
            result = render_preview(ep, settings, lambda p: select.turn_range(p.turns, turns),
                                           f"turns-{turns}", name=file)
        except KeyboardInterrupt:
            raise RenderError(INTERRUPTED, exit_code=130) from None
        out.print(f"{relpath(result.path)}  ({result.duration_s:.1f} s)", highlight=False)


@voices_app.command("cast")
def voices_cast(
    ep: Annotated[str, typer.Argument(help="00035, 35, a slug or a path.")],
    root: RootOpt = Path("."),
    transcripts: TranscriptsOpt = None,
) -> None:
    """Who speaks with which voice in an episode (front-matter overrides included)."""
    prep = prepare(ep, _settings(root, None, transcripts))
    for speaker, v in prep.cast.voices.items():
        model = v.model or v.voice or v.model_path
        extra = f", speaker {v.speaker}" if v.speaker else ""
        turns = sum(1 for t in prep.turns if t.speaker == speaker)
        out.print(f"{speaker:<10} {v.name:<10} {v.engine:<9} {model}{extra}  ({turns} turns)", highlight=False)


cache_app = typer.Typer(help="Inspect or empty the turn cache.", no_args_is_help=True)
CacheDirOpt = Annotated[Path | None, typer.Option("--cache-dir", help="Turn cache folder.")]


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOpt = None, out_dir: OutOpt = None, root: RootOpt = Path(".")) -> None:
    """Where the cache is, how many turns it holds and how big it is."""
    cache = _settings(root, out_dir, cache_dir=cache_dir).cache()
    count, size = cache.info()
    streams, stream_bytes = cache.streams_info()
    out.print(f"{cache.root}: {count} turn{'s' * (count != 1)}, {size / 1e6:.1f} MB; "
              f"{streams} MP3 stream{'s' * (streams != 1)}, {stream_bytes / 1e6:.1f} MB", highlight=False)


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDirOpt = None, out_dir: OutOpt = None, root: RootOpt = Path(".")) -> None:
    """Delete every cached turn and MP3 stream (the next render synthesizes everything)."""
    cache = _settings(root, out_dir, cache_dir=cache_dir).cache()
    out.print(f"removed {cache.clear()} cached turns from {cache.root}", highlight=False)
