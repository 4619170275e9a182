"""The series feed: ``output/feed.xml``, RSS 2.0 with the iTunes and Podcasting 2.0 tags.

Built by feedgen (its ``podcast`` extension writes the iTunes tags); feedgen
knows nothing of the Podcasting 2.0 namespace, so two small extensions here
add ``podcast:guid`` to the channel and ``podcast:transcript``,
``podcast:chapters`` and ``podcast:person`` to each item, through feedgen's
own extension interface rather than string templates.

Only finished renders go in: an episode folder with its ``report.json`` and
audio file (a failed render leaves neither; drafts live in ``EP/draft/`` and
are never listed). Every figure comes from the report and the files on disk:
the enclosure's length is the file's size, the duration the measured audio's.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from render.deliver.page import PAGE, rendered_episodes
from render.errors import RenderError
from render.files import atomic_path, write_text
from render.report import REPORT, Report

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
FEED = "feed.xml"
SERIES_FILE = "series.toml"
# The Podcasting 2.0 spec's namespace for podcast:guid (UUIDv5 of the feed URL without its scheme)
GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
TRANSCRIPTS = (("captions.vtt", "text/vtt", "captions"), ("captions.srt", "application/x-subrip", "captions"),
               ("transcript.json", "application/json", None))


@dataclass
class Channel:
    """The series as a podcast app shows it: ``series.toml``'s ``[feed]`` table, with defaults."""

    title: str
    description: str = "Episodes rendered with render."
    author: str = "render"
    email: str | None = None
    image: str | None = None  # a URL, or a file under output/ (linked relative to the feed)
    language: str = "en"
    category: str = "Technology"
    subcategory: str | None = None
    explicit: bool = False
    link: str | None = None
    hosts: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path, series: str | None = None) -> Channel:
        """``series.toml``'s ``[feed]``; without one, the series named in the scripts (or the
        project folder's name) and the defaults above."""
        path = root / SERIES_FILE
        default = cls(title=series or root.resolve().name.replace("-", " ").title())
        if not path.is_file():
            return default
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("feed", {})
        except tomllib.TOMLDecodeError as exc:
            raise RenderError(f"{SERIES_FILE} is not valid TOML: {exc}", path,
                              hint="fix the [feed] table (see the README, 'Publishing')") from None
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise RenderError(f"unknown key {unknown[0]!r} in [feed]", path,
                              hint="known keys: " + ", ".join(sorted(known)))
        return cls(**{**default.__dict__, **data})


class PodcastIndexFeed(BaseExtension):
    """Channel-level Podcasting 2.0 tags."""

    def __init__(self) -> None:
        self.guid: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, feed):
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", feed[0]).text = self.guid
        return feed


class PodcastIndexEntry(BaseEntryExtension):
    """Item-level Podcasting 2.0 tags: transcripts, chapters, people."""

    def __init__(self) -> None:
        self.transcripts: list[tuple[str, str, str | None]] = []
        self.chapters: str | None = None
        self.persons: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, entry):
        for url, kind, rel in self.transcripts:
            e = xml_elem(f"{{{PODCAST_NS}}}transcript", entry)
            e.attrib.update({"url": url, "type": kind, "language": "en"} | ({"rel": rel} if rel else {}))
        if self.chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry).attrib.update(
                {"url": self.chapters, "type": "application/json+chapters"})
        for name, role in self.persons:
            e = xml_elem(f"{{{PODCAST_NS}}}person", entry)
            e.attrib["role"] = role
            e.text = name
        return entry


def _url(base: str, *parts: str) -> str:
    rel = "/".join(quote(p) for p in parts)
    return f"{base.rstrip('/')}/{rel}" if base else rel


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _published(folder: Path, report: Report) -> datetime:
    try:
        when = datetime.fromisoformat(report.published)
    except ValueError:
        when = datetime.fromtimestamp((folder / REPORT).stat().st_mtime, UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def build_feed(reports: list[tuple[Path, Report]], channel: Channel, base_url: str = "") -> bytes:
    """The feed's XML for these finished renders (:func:`rendered_episodes`), newest first."""
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", PodcastIndexFeed, PodcastIndexEntry, atom=False)
    fg.title(channel.title)
    fg.description(channel.description)
    fg.link(href=channel.link or _url(base_url, PAGE) or PAGE, rel="alternate")
    fg.language(channel.language)
    fg.author({"name": channel.author, **({"email": channel.email} if channel.email else {})})
    fg.generator("render")
    fg.podcast.itunes_author(channel.author)
    fg.podcast.itunes_summary(channel.description)
    fg.podcast.itunes_explicit("yes" if channel.explicit else "no")
    fg.podcast.itunes_category(channel.category, channel.subcategory)
    if channel.email:
        fg.podcast.itunes_owner(name=channel.author, email=channel.email)
    if channel.image:
        image = channel.image if "://" in channel.image else _url(base_url, channel.image)
        fg.image(url=image, title=channel.title, link=channel.link or _url(base_url, PAGE))
        fg.podcast.itunes_image(image)
    feed_url = _url(base_url, FEED) if base_url else f"render:{channel.title}"
    fg.podcastindex.guid = str(uuid.uuid5(GUID_NAMESPACE, feed_url.split("://", 1)[-1].rstrip("/")))

    # feedgen puts each new entry first: add oldest to newest
    for folder, report in sorted(reports, key=lambda fr: _published(*fr)):
        name = folder.name
        audio = folder / Path(report.audio).name
        entry = fg.add_entry()
        # stable across re-renders and channel edits: the script's own name
        entry.guid(f"render:{Path(report.script).stem}", permalink=False)
        title = report.title or f"Episode {report.episode}"
        entry.title(title)
        meta = report.meta
        entry.description(meta.description or title)
        entry.link(href=_url(base_url, name, PAGE))
        entry.published(_published(folder, report))
        entry.enclosure(_url(base_url, name, audio.name), str(audio.stat().st_size), "audio/mpeg"
                        if audio.suffix == ".mp3" else "audio/wav")
        entry.podcast.itunes_duration(_duration(report.duration_s))
        entry.podcast.itunes_explicit("yes" if channel.explicit else "no")
        if meta.episode is not None:
            entry.podcast.itunes_episode(meta.episode)
        ext = entry.podcastindex
        ext.transcripts = [(_url(base_url, name, f), kind, rel) for f, kind, rel in TRANSCRIPTS
                           if (folder / f).is_file()]
        if (folder / "chapters.json").is_file():
            ext.chapters = _url(base_url, name, "chapters.json")
        hosts = meta.hosts or list(report.speakers) or channel.hosts
        ext.persons = [(str(h), "host") for h in hosts]
    return fg.rss_str(pretty=True)


def default_cover(out_dir: Path, title: str) -> str:
    """``cover.png`` in ``out_dir``: the series title on a plain square, 1400 px (the smallest
    Apple Podcasts accepts), for a series that names no image. Returns its name."""
    import textwrap

    from PIL import Image, ImageDraw, ImageFont

    size, name = 1400, "cover.png"
    image = Image.new("RGB", (size, size), (24, 32, 48))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=96)
    lines = textwrap.wrap(title, 22)[:6]
    y = (size - 120 * len(lines)) // 2
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, y), line, font=font, fill=(245, 245, 245))
        y += 120
    path = out_dir / name
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG")
    return name


def write_feed(out_dir: Path, root: Path, base_url: str = "") -> tuple[Path, int]:
    """Write ``out_dir/feed.xml``; (its path, the number of episodes in it)."""
    reports = rendered_episodes(out_dir)
    named = [r.meta.series for _, r in reports if r.meta.series]
    channel = Channel.load(root, max(set(named), key=named.count) if named else None)
    if channel.image is None:
        channel.image = default_cover(out_dir, channel.title)
    xml = build_feed(reports, channel, base_url)
    path = out_dir / FEED
    write_text(xml.decode("utf-8"), path)
    return path, xml.count(b"<item>")
