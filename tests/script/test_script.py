"""The parser on the real 00035 files and on scripts written in other styles."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from render.errors import RenderError
from render.script.episodes import find_episode, find_target, parse_length
from render.script.parse import parse_file, parse_text
from tests.conftest import EPISODE, OUTLINE

SPEAKERS = ["Jordan", "Alex"]


def test_00035_parses_to_109_turns_without_markup_or_mojibake() -> None:
    script = parse_file(EPISODE, SPEAKERS)
    assert len(script.turns) == 109
    assert Counter(t.speaker for t in script.turns) == {"Jordan": 55, "Alex": 54}
    for t in script.turns:
        assert not re.search(r"[*_`<>\[\]{}]|‚Ä|Äî|√|:::", t.text), t
    assert "twenty-first—the CNCF's" in script.turns[0].text
    assert script.turns[0].line == 45
    assert script.turns[-1].text.endswith("See you tomorrow.")
    assert script.metadata["Duration"] == "19 minutes"
    assert script.title == "KubeCon Atlanta 2025 Part 1: AI Goes Native and the 30K Core Lesson"


def test_outline_exchange_bullets_parse_as_turns() -> None:
    outline = parse_file(OUTLINE, SPEAKERS, bullets_only=True)
    first = outline.turns[0]
    assert (first.speaker, first.line) == ("Alex", 102)
    assert first.text == "Wait, 40%? That's not optimization territory, that's a misconfiguration disaster"


OTHER_STYLE = """\ufeff---
title: Another Show
target_length: 20 minutes
cast:
  Jordan: joe
---
import Thing from '@site/thing';

<Thing prop={{a: 1}} />

:::note Ignore me
**Jordan**: this line is inside an admonition and is not a turn
:::

<!-- a comment
spanning lines -->

```bash
Alex: not a turn either
```

Jordan: Plain style turn with a [link](https://example.com) and `kubectl`
that continues on a second line.
- and a list item inside the turn

**Alex:** Bold-colon style with *emphasis* and __strong__ text.

## Segment two

- Jordan: "A quoted bullet turn."
Alex: Final turn with ~~strike~~ and <b>html</b>.
"""


def test_other_style_script(tmp_path: Path) -> None:
    script = parse_text(OTHER_STYLE, tmp_path / "x.md", SPEAKERS)
    assert [(t.speaker, t.text) for t in script.turns] == [
        ("Jordan", "Plain style turn with a link and kubectl that continues on a second line. "
                   "and a list item inside the turn"),
        ("Alex", "Bold-colon style with emphasis and strong text."),
        ("Jordan", "A quoted bullet turn."),
        ("Alex", "Final turn with strike and html."),
    ]
    assert script.front_matter["cast"] == {"Jordan": "joe"}
    assert [h.text for h in script.headings] == ["Segment two"]
    assert script.headings[0].next_turn == 2


def test_unknown_speaker_names_file_line_and_cast(tmp_path: Path) -> None:
    text = "**Jordan**: Hi.\n\n**Jordon**: Typo here.\n"
    with pytest.raises(RenderError) as exc:
        parse_text(text, tmp_path / "ep.md", SPEAKERS)
    msg = str(exc.value)
    assert "ep.md:3" in msg and "Jordon" in msg and "Alex, Jordan" in msg


def test_turn_without_text_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"ep.md:1: Jordan's turn has no text"):
        parse_text("**Jordan**:\n\n## Next\n**Alex**: Hi.\n", tmp_path / "ep.md", SPEAKERS)


def test_episode_lookup_by_number_slug_and_path(root: Path) -> None:
    folder = root / "transcripts"
    refs = ["00035", "35", "kubecon-2025-ai-native", "00035-kubecon-2025-ai-native", str(EPISODE)]
    found = {find_episode(r, folder).script.resolve() for r in refs}
    assert found == {EPISODE.resolve()}
    with pytest.raises(RenderError, match="did you mean 00035-kubecon-2025-ai-native"):
        find_episode("kubecon-2025", folder)


def test_target_from_outline_front_matter_or_none(root: Path, tmp_path: Path) -> None:
    target = find_target(find_episode("00035", root / "transcripts"))
    assert target is not None
    assert (target.min_s, target.max_s) == (1320, 1500)
    assert target.source == "00035-kubecon-2025-ai-native.outline.md:6"
    (tmp_path / "00002-a.md").write_text("---\ntarget_length: 10-12 min\n---\n**Alex**: Hi.\n")
    (tmp_path / "00003-b.md").write_text("**Alex**: Hi.\n")
    t2 = find_target(find_episode("2", tmp_path))
    assert t2 is not None and (t2.min_s, t2.max_s) == (600, 720) and "front matter" in t2.source
    assert find_target(find_episode("3", tmp_path)) is None


@pytest.mark.parametrize("text,window", [
    ("22-25 minutes", (1320, 1500)), ("20 minutes", (1140, 1260)), ("1 hour", (3420, 3780)),
    ("90-120 s", (90, 120)), ("no number", None),
    # as other outlines write them (2026-12-07: each was None, a wrong window or one end only)
    ("between 20 and 25 minutes", (1200, 1500)), ("1h 10m", (3990, 4410)), ("1 hour and 10 minutes", (3990, 4410)),
    ("20 minutes (±2)", (1080, 1320)), ("twenty minutes", (1140, 1260)), ("twenty-five to thirty minutes", (1500, 1800)),
    ("half an hour", (1710, 1890)), ("an hour and a half", (5130, 5670)), ("20ish minutes", (1140, 1260)),
    ("under 15 minutes", (765, 900)), ("15 minutes max", (765, 900)), ("20+ minutes", (1200, 1380)),
    ("at least 20 min", (1200, 1380)), ("90 min", (5130, 5670)), ("30 minutes, 2 segments", (1710, 1890))])
def test_parse_length(text: str, window: tuple[float, float] | None) -> None:
    got = parse_length(text)
    assert (None if got is None else tuple(round(x) for x in got)) == window


@pytest.mark.parametrize("outline,script,window,source", [
    ("**Target Duration**: 25-30 minutes\n", "", (1500, 1800), "outline.md:3"),
    ("**Duration Target**: 14-16 minutes (technical deep-dive)\n", "", (840, 960), "outline.md:3"),
    ("- **Target Length**: 22-25 minutes\n", "", (1320, 1500), "outline.md:3"),
    ("Target length: 18 minutes\n", "", (1026, 1134), "outline.md:3"),
    ("**Audience**: SREs\n", "**Duration:** 19 minutes\n\n", (1083, 1197), "00004-t.md:1"),
    ("**Audience**: SREs\n", "**Length**: 28-32 min\n\n", (1680, 1920), "00004-t.md:1"),
    ("", "", None, ""),
    # the looser forms other outlines use: a bare "Target", length/runtime, estimates, clocks
    ("**Target**: ~20 min\n", "", (1140, 1260), "outline.md:3"),
    ("**Length:** 25-30 minutes\n", "", (1500, 1800), "outline.md:3"),
    ("Runtime: 18 minutes\n", "", (1026, 1134), "outline.md:3"),
    ("Estimated length: 12 minutes\n", "", (684, 756), "outline.md:3"),
    ("Duration: 20:00\n", "", (1140, 1260), "outline.md:3"),
    ("Target runtime: 1:05:00\n", "", (3705, 4095), "outline.md:3"),
    ("Target: 20 min (about 3,000 words)\n", "", (1140, 1260), "outline.md:3"),
    ("Length: 3 segments\nTarget audience: SREs, 25-35 years\n", "", None, ""),  # no time in them
    # a script's header line of several parts (2026-12-08, a held-out script)
    ("", "Episode 106 · Target length: 16 minutes\n\n", (912, 1008), "00004-t.md:1"),
    ("", "Recorded in May · 40 listeners · Duration: 12 min\n\n", (684, 756), "00004-t.md:1"),
    ("", "> Episode 107 of the show. Runtime about 10 minutes.\n\n", (570, 630), "00004-t.md:1"),
])
def test_targets_as_the_producer_writes_them(tmp_path: Path, outline: str, script: str,
                                            window: tuple[int, int] | None, source: str) -> None:
    """The show's outlines name the target three ways, with notes after it; without one, the
    script's own duration line is the target (±5 % round a single number)."""
    (tmp_path / "00004-t.md").write_text(script + "**Alex**: Duration matters, 30 minutes of it.\n")
    if outline:
        (tmp_path / "00004-t.outline.md").write_text("# Outline\n\n" + outline)
    target = find_target(find_episode("4", tmp_path))
    got = None if target is None else (round(target.min_s), round(target.max_s))
    assert got == window
    if target is not None:
        assert target.source.endswith(source)


def test_a_target_reads_as_a_producer_writes_it() -> None:
    from render.report import Target
    assert Target(1320, 1500, "o").minutes == "22-25 min"
    assert Target(570, 630, "o").minutes == "9.5-10.5 min"  # "10 minutes", ±5 %: not "10-10"
    assert Target(684, 756, "o").minutes == "11.4-12.6 min"
