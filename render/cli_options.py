"""What every command shares: the consoles, the common options and how Settings are built."""


from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from render.prepare import Settings

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)

INTERRUPTED = "interrupted: finished turns are cached; run the same command again to resume"

RootOpt = Annotated[Path, typer.Option("--root", help="Project folder with transcripts/, voices/, music/.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder (default: output/).")]
TranscriptsOpt = Annotated[Path | None, typer.Option("--transcripts", help="Folder of scripts.")]
DraftOpt = Annotated[bool, typer.Option("--draft", help="The fast \\[draft] cast of cast.toml, into OUT/EP/draft/.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Markup render does not know is an error, not a warning.")]
CacheDirOpt = Annotated[Path | None, typer.Option("--cache-dir", help="Turn cache folder (shared storage on a cluster).")]
StemsFormatOpt = Annotated[str, typer.Option("--stems-format", help="Stems as wav or flac (24-bit).")]
NoCheckOpt = Annotated[bool, typer.Option("--no-check", help="Skip proof-listening (render check) after the render.")]


def _file_safe(name: str) -> str:
    """A voice name (``kokoro:jf_gongitsune:0.7,jf_nezumi:0.3``) as part of a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def _settings(root: Path, out_dir: Path | None, transcripts: Path | None = None,
              **kw: object) -> Settings:
    return Settings(root=root, out=out_dir, transcripts=transcripts, **kw)  # type: ignore[arg-type]

