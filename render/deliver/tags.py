"""ID3v2.3 tags for the MP3: what podcast apps show in their episode list."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TRCK, CTOCFlags

from render.deliver.chapters import Chapter


@dataclass
class Tags:
    title: str
    series: str
    episode: int | None
    hosts: list[str]
    date: str | None = None
    description: str | None = None
    cover: Path | None = None


def write_tags(path: Path, tags: Tags, chapters: list[Chapter] | None = None) -> None:
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TALB(encoding=3, text=tags.series))
    id3.add(TPE1(encoding=3, text=" & ".join(tags.hosts)))
    id3.add(TCON(encoding=3, text="Podcast"))
    if tags.episode is not None:
        id3.add(TRCK(encoding=3, text=str(tags.episode)))
    if tags.date:
        id3.add(TDRC(encoding=3, text=tags.date))
    if tags.description:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.description))
    if tags.cover is not None:
        mime = "image/png" if tags.cover.suffix.lower() == ".png" else "image/jpeg"
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=tags.cover.read_bytes()))
    if chapters:
        ids = [f"chp{i}" for i in range(len(chapters))]
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))
        for cid, ch in zip(ids, chapters, strict=True):
            id3.add(CHAP(element_id=cid, start_time=round(ch.start_s * 1000),
                         end_time=round(ch.end_s * 1000), sub_frames=[TIT2(encoding=3, text=ch.title)]))
    id3.save(path, v2_version=3)
