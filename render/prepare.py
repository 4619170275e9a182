"""Settings and the prepared episode: every command starts here.

:func:`prepare` reads a script, its outline and the cast and normalizes every
turn, so rendering, estimating, previewing and checking all see the same turns.
"""


from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from render.audio.assemble import Pacing
from render.audio.master import MasterSpec
from render.audio.music import intro_candidates
from render.deliver.tags import Tags
from render.errors import RenderError
from render.inputs import Inputs
from render.normalize import Normalizer
from render.normalize.lexicon import Lexicon, warn_pitfalls
from render.normalize.sentences import speak
from render.script.episodes import EpisodeFiles, Target, find_episode, find_target, outline_candidates
from render.script.parse import NARRATOR, Script, Turn, parse_file, read_text, split_front_matter
from render.script.pronunciation import Note, episode_notes
from render.voices.cache import TurnCache
from render.voices.cast import Cast, load_cast, numbered_aliases

log = logging.getLogger(__name__)

LEXICON = "lexicon.toml"  # the project's pronunciation lexicon, in voices/


@dataclass
class Settings:
    """Where things live and how to render; the CLI fills this from flags."""

    root: Path = field(default_factory=Path.cwd)
    out: Path | None = None
    fmt: str = "mp3"
    music: bool = True
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache_dir: Path | None = None
    use_cache: bool = True
    pacing: Pacing = field(default_factory=Pacing)
    spec: MasterSpec = field(default_factory=MasterSpec)
    transcripts: Path | None = None
    executor: str = "local"
    ray_address: str | None = None
    draft: bool = False  # the fast [draft] cast of cast.toml, rendered into out/EP/draft/
    recast: dict[str, str] = field(default_factory=dict)  # speaker → voice, over every cast layer
    check: bool = True  # proof-listen every render (render.check.hear)
    respell: dict[str, str] = field(default_factory=dict)  # [say] entries over lexicon.toml (check --try)
    strict: bool = False  # markup render does not know is an error, not a warning
    intonation: str | None = None  # every voice's intonation, over its file's (voices audition --intonation)

    @property
    def transcripts_dir(self) -> Path:
        return self.transcripts or self.root / "transcripts"

    @property
    def voices_dir(self) -> Path:
        return self.root / "voices"

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "output"

    def lexicon(self, series: str | None = None, episode_say: dict[str, str] | None = None) -> Lexicon:
        """The lexicon's scopes, each over the one before: the field lexicon shipped with render,
        the project's ``voices/lexicon.toml``, its ``[series.NAME]`` table, the episode's own
        entries (front matter ``say:`` and pronunciation notes), and ``check --try``'s respellings."""
        lexicon = Lexicon.load(self.voices_dir / LEXICON, f"voices/{LEXICON}").over(Lexicon.shipped())
        lexicon = lexicon.for_series(series).with_say(episode_say or {}, "episode")
        return lexicon.with_say(self.respell, "check --try") if self.respell else lexicon

    def episode_dir(self, episode_id: str) -> Path:
        """Where one episode's files go: drafts apart, so they never replace the quality render."""
        folder = self.out_dir / episode_id
        return folder / "draft" if self.draft else folder

    def cache(self) -> TurnCache:
        if not self.use_cache:
            return TurnCache(None)
        env = os.environ.get("RENDER_CACHE_DIR")
        return TurnCache(self.cache_dir or (Path(env) if env else self.out_dir / ".cache"))


@dataclass
class Prepared:
    """A parsed, normalized episode with its cast: everything before audio."""

    def normalizer_for(self, speaker: str) -> Normalizer:
        return self.normalizers.get(speaker, self.normalizer)

    episode: EpisodeFiles
    script: Script
    cast: Cast
    turns: list[Turn]
    target: Target | None
    normalizer: Normalizer = field(default_factory=Normalizer)  # every scope but the voices'
    normalizers: dict[str, Normalizer] = field(default_factory=dict)  # each speaker's, with its voice's entries
    inputs: Inputs = field(default_factory=Inputs)  # every file read and setting used: the render key
    cover: Path | None = None  # transcripts/<episode>.jpg|jpeg|png, for the MP3's tags
    intro: Path | None = None  # music/intro.*, or None for the generated cue
    notes: list[str] = field(default_factory=list)  # what the producer should know (who read a narration)
    pronunciation: list[Note] = field(default_factory=list)  # the episode's own notes, over the lexicon


class Stopwatch:
    """Seconds per stage, in order, for the report."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = round(self.times.get(name, 0.0) + time.perf_counter() - t0, 3)


def _cast_overrides(script_front: dict[str, object], path: Path) -> dict[str, str]:
    cast = script_front.get("cast")
    if cast is None:
        return {}
    if not isinstance(cast, dict):
        raise RenderError("front matter 'cast' must map speaker names to voice names", path)
    return {str(k): str(v) for k, v in cast.items()}


MAX_TURN_CHARS = 20_000  # ~20 minutes of one host without a reply: surely a paste error


COVER_EXTS = (".jpg", ".jpeg", ".png")


def prepare(ref: str, settings: Settings) -> Prepared:
    """Find, parse and normalize an episode; no audio work yet.

    Every file read on the way is recorded in ``Prepared.inputs`` as it is read
    (and the files looked for but absent: an outline, a cover, an intro), with
    the settings that shape the output; the render key is made from that record.
    """
    inputs = Inputs(settings.root)
    episode = find_episode(ref, settings.transcripts_dir)
    text = read_text(inputs.read(episode.script))  # read once: front matter, turns and target all come from it
    front, _ = split_front_matter(text.splitlines(), episode.script)
    series = str(front["series"]) if front.get("series") else None
    cast = load_cast(settings.voices_dir, _cast_overrides(front, episode.script), series, settings.draft,
                     settings.recast)
    if settings.intonation:  # voices audition comparing the two tunes
        cast = replace(cast, voices={s: replace(v, intonation=settings.intonation) for s, v in cast.voices.items()})
    inputs.read(settings.voices_dir / "cast.toml")
    for voice in cast.voices.values():
        if voice.source.endswith(".toml"):
            inputs.read(Path(voice.source))
    script = parse_file(episode.script, cast.speakers, text=text, aliases=cast.aliases)
    for line, problem in script.problems:
        if settings.strict:
            raise RenderError(f"{problem.why}: {problem.tag}", episode.script, line,
                              hint="fix or remove the tag (without --strict it is dropped with a warning, never spoken)")
        log.warning("%s:%d: %s: %s (dropped, not spoken)", episode.script, line, problem.why, problem.tag)
    notes = []
    numbered = {name: host for name, host in numbered_aliases(cast.speakers).items() if cast.aliases.get(name) == host}
    used = [name for name in script.aliases_used if name in numbered]
    if used:
        notes.append(", ".join(f"{name} read by {numbered[name]}" for name in used)
                     + ": the cast's hosts in order (map them under [aliases] in voices/cast.toml to choose)")
    if script.together:
        notes.append("read by one host: " + ", ".join(f"line {line} '{name}' by {reader}"
                                                       for line, name, reader in script.together)
                     + " (a line for several hosts is said by the first)")
    if any(t.speaker == NARRATOR for t in script.turns) and NARRATOR not in cast.voices:
        reader = cast.speakers[0]
        script.turns = [replace(t, speaker=reader) if t.speaker == NARRATOR else t for t in script.turns]
        notes.append(f"narration read by {reader}: the cast has no {NARRATOR} "
                     f"(add {NARRATOR} = \"VOICE\" under [speakers] in voices/cast.toml)")
    inputs.read(settings.voices_dir / LEXICON)
    inputs.first(outline_candidates(episode.script))  # target, chapters and pronunciation notes
    pronunciation = episode_notes(text, episode.script, episode.outline)
    raw_say = front.get("say")
    say = {str(k): str(v) for k, v in raw_say.items()} if isinstance(raw_say, dict) else {}
    episode_say = say | {n.word: n.say for n in pronunciation}
    warn_pitfalls(episode_say, str(episode.script))
    warn_pitfalls(settings.respell, "check --try")
    lexicon = settings.lexicon(series, episode_say)
    normalizer = Normalizer(lexicon)
    normalizers = {s: Normalizer(lexicon.for_voice(v.engine, v.name)) for s, v in cast.voices.items()}
    turns = speak(script.turns, normalizer, normalizers)
    for t in turns:
        if not t.sentences:
            raise RenderError(f"{t.speaker}'s turn has nothing speakable", episode.script, t.line,
                              hint="write words, not only symbols or emoji")
        if len(t.text) > MAX_TURN_CHARS:
            raise RenderError(
                f"{t.speaker}'s turn is {len(t.text):,} characters (about "
                f"{len(t.text) / 900:.0f} minutes of speech)", episode.script, t.line,
                hint=f"a turn is at most {MAX_TURN_CHARS:,} characters; split it into several "
                     "turns, or check for a paste error (a missing speaker tag)")
    cover = inputs.first([episode.script.with_suffix(ext) for ext in COVER_EXTS])
    intro = inputs.first(intro_candidates(settings.root / "music")) if settings.music else None
    inputs.use(format=settings.fmt, music=settings.music, pacing=settings.pacing, spec=settings.spec,
               draft=settings.draft, recast=settings.recast, respell=settings.respell,
               intonation=settings.intonation)
    return Prepared(episode, script, cast, turns, find_target(episode, script.front_matter, text), normalizer,
                    normalizers, inputs, cover, intro, notes, pronunciation)


def section_starts(script: Script) -> set[int]:
    return {h.next_turn for h in script.headings if 0 < h.next_turn < len(script.turns)}


def episode_tags(prep: Prepared) -> Tags:
    """The MP3's tags: the front matter first, then the script's metadata lines."""
    front = prep.script.front_matter
    meta = prep.script.metadata
    return Tags(
        title=str(front.get("title") or prep.script.title or prep.episode.slug),
        series=str(front.get("series") or meta.get("Series") or "The Platform Engineering Playbook Podcast"),
        episode=int(prep.episode.id) if prep.episode.id.isdigit() else None,
        hosts=list(dict.fromkeys(t.speaker for t in prep.turns)),  # who speaks, in order
        date=str(front["date"]) if front.get("date") else None,
        description=str(front.get("description") or meta.get("Summary") or "") or None,
        cover=prep.cover,
    )
