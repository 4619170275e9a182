"""The render key: made from every file a render read and every setting that shapes it.

A publishing tool must never call stale output current. Each input is edited in
turn and the next render must redo the episode; a file the render never read
must not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from render.pipeline import render_episode
from render.prepare import Settings
from tests.conftest import make_project

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

SCRIPT = """---
title: "Key Test"
---

**Jordan**: Welcome back. Today the scheduler story, and why queues matter.

**Alex**: Thanks, Jordan. The scheduler places each pod on a node.

**Jordan**: And then the budget story. Forty percent of spend can vanish.

**Alex**: Yes. Measure the budget before you optimize it.
"""

OUTLINE = """# Outline

**Target Length**: 1-2 minutes

## Act Structure

### Part 1: The scheduler story
- scheduler places each pod on a node, queues matter

### Part 2: The budget story
- forty percent of spend can vanish, measure the budget
"""


def _png(path: Path) -> None:
    from PIL import Image

    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(path)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "script": lambda p: _edit(p / "transcripts" / "00007-key.md", "queues matter", "queues still matter"),
    "outline heading": lambda p: _edit(p / "transcripts" / "00007-key.outline.md",
                                       "Part 2: The budget story", "Part 2: Where the money went"),
    "outline target": lambda p: _edit(p / "transcripts" / "00007-key.outline.md", "1-2 minutes", "3-4 minutes"),
    "cover image": lambda p: _png(p / "transcripts" / "00007-key.png"),
    "lexicon": lambda p: _edit(p / "voices" / "lexicon.toml", '\n[say]\n', '\n[say]\n"scheduler" = "skedjuler"\n'),
    "cast": lambda p: _edit(p / "voices" / "cast.toml", 'Alex = "slt"', 'Alex = "joe"'),
    "voice file": lambda p: _edit(p / "voices" / "slt.toml", "sentence_silence = 0.22", "sentence_silence = 0.3"),
    "intro music": lambda p: sf.write(p / "music" / "intro.wav", 0.1 * np.sin(np.arange(44100) / 20.0), 44100),
}


def _project(base: Path) -> Path:
    proj = make_project(base, {"00007-key.md": SCRIPT, "00007-key.outline.md": OUTLINE})
    (proj / "voices" / "cast.toml").write_text('[speakers]\nJordan = "slt"\nAlex = "slt"\n', encoding="utf-8")
    (proj / "music").mkdir()
    return proj


def _render(proj: Path) -> dict:
    settings = Settings(root=proj, check=False, cache_dir=proj / "cache")
    render_episode("7", settings)
    return json.loads((proj / "output" / "00007" / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    proj = _project(tmp_path_factory.mktemp("key") / "p")
    first = _render(proj)
    assert not first.get("up_to_date")
    assert [c["title"] for c in first["chapters"]["list"]] == ["Part 1: The scheduler story",
                                                               "Part 2: The budget story"]
    return proj


def _copy(rendered: Path, tmp_path: Path) -> Path:
    import shutil

    proj = tmp_path / "p"
    shutil.copytree(rendered, proj, symlinks=True)
    return proj


def test_an_unchanged_project_and_an_unrelated_file_are_up_to_date(rendered: Path, tmp_path: Path) -> None:
    proj = _copy(rendered, tmp_path)
    (proj / "transcripts" / "notes.txt").write_text("ideas for next week\n", encoding="utf-8")
    (proj / "voices" / "unused.toml").write_text('engine = "festival"\n', encoding="utf-8")
    assert _render(proj).get("up_to_date") is True


@pytest.mark.parametrize("what", list(EDITS))
def test_editing_any_input_renders_the_episode_again(rendered: Path, tmp_path: Path, what: str) -> None:
    proj = _copy(rendered, tmp_path)
    EDITS[what](proj)
    report = _render(proj)
    assert not report.get("up_to_date"), f"editing the {what} left the episode 'up to date'"
    if what == "outline heading":
        titles = [c["title"] for c in report["chapters"]["list"]]
        assert titles[-1] == "Part 2: Where the money went"
        chapters = json.loads((proj / "output" / "00007" / "chapters.json").read_text(encoding="utf-8"))
        assert chapters["chapters"][-1]["title"] == "Part 2: Where the money went"
    if what == "outline target":
        assert report["target"]["min_s"] == 180


def test_the_report_names_what_the_render_read(rendered: Path) -> None:
    report = json.loads((rendered / "output" / "00007" / "report.json").read_text(encoding="utf-8"))
    read = {Path(p).name for p in report["inputs"]}
    assert {"00007-key.md", "00007-key.outline.md", "lexicon.toml", "cast.toml", "slt.toml"} <= read


def test_one_turn_numbering_from_1_in_every_command(rendered: Path) -> None:
    """``render script``, ``--turns``, turns.json, the check, the report and the page all count
    turns from 1: the number ``render check`` prints is the turn ``render preview --turns N`` plays."""
    from tests.conftest import run_cli

    listed = json.loads(run_cli("script", "7", "--json", cwd=rendered).stdout)
    assert [t["turn"] for t in listed] == [1, 2, 3, 4]
    layout = json.loads((rendered / "output" / "00007" / "turns.json").read_text(encoding="utf-8"))
    assert [(t["turn"], t["line"]) for t in layout] == [(t["turn"], t["line"]) for t in listed]
    shown = run_cli("script", "7", cwd=rendered).stdout
    assert "  2 Alex (line 7)" in shown
    res = run_cli("preview", "7", "--turns", "2", cwd=rendered, env={"RENDER_CACHE_DIR": str(rendered / "cache")})
    assert res.returncode == 0, res.stderr
    assert "Alex: Thanks, Jordan." in res.stdout and "Jordan:" not in res.stdout
    bad = run_cli("preview", "7", "--turns", "0", cwd=rendered)
    assert bad.returncode == 2 and "outside 1-4" in bad.stderr
