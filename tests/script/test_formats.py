"""Every kind of script the show has: `Name: text` lines and `Speaker N:` aliases, narrator
lessons (a transcript section, or a .txt of paragraphs), show notes that hold no script,
and the producer's pronunciation notes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from render.errors import NoScript, RenderError
from render.normalize import Normalizer
from render.normalize.lexicon import Lexicon
from render.normalize.sentences import speak
from render.prepare import Settings, prepare
from render.script.episodes import find_episode, list_episodes
from render.script.markup import CUES
from render.script.parse import NARRATOR, parse_file, parse_text
from render.script.pronunciation import read_notes
from render.voices.cast import numbered_aliases
from tests.conftest import make_project, run_cli

HOSTS = ["Jordan", "Alex"]

SPEAKER_N = """Speaker 1: Last month, a SaaS company got their AWS bill.
Speaker 2: How bad was it?
It was bad, they said.
Speaker 1: Twenty-eight thousand dollars.
"""

LESSON_PAGE = """---
title: Lesson 3
---
import Callout from '@site/src/Callout';

# Lesson 3: Pods

<Callout>Prerequisites: lesson 2.</Callout>

## Learning goals
- Know what a pod is
- Schedule one

## Transcript

Welcome to lesson three. Today we look at pods,
the smallest thing Kubernetes schedules.

A pod wraps one or more containers that share a network namespace.

## Resources
- [Docs](https://kubernetes.io)
"""

SHOW_NOTES = """# Episode 42 show notes

**Counter-point**: Not everyone agrees with the premise.

**Key takeaways**:
- Measure first
- Then optimize

| Tool | Link |
|---|---|
| Parca | https://parca.dev |

[Full episode](https://example.com/42)
"""


def test_name_colon_lines_and_speaker_n_aliases() -> None:
    script = parse_text(SPEAKER_N, Path("x.md"), HOSTS, aliases={"Speaker 1": "Jordan", "Speaker 2": "Alex"})
    assert [(t.speaker, t.line) for t in script.turns] == [("Jordan", 1), ("Alex", 2), ("Jordan", 4)]
    assert script.turns[1].text == "How bad was it? It was bad, they said."  # a continuation line stays in its turn


def test_an_uncast_speaker_in_a_name_colon_script_is_an_error_with_its_line() -> None:
    with pytest.raises(RenderError, match="unknown speaker 'Speaker 3'") as err:
        parse_text(SPEAKER_N + "Speaker 3: Me too.\n", Path("x.md"), HOSTS,
                   aliases={"Speaker 1": "Jordan", "Speaker 2": "Alex"})
    assert err.value.line == 5 and "[aliases]" in (err.value.hint or "")
    # prose labels in a turn are not speakers
    ok = parse_text(SPEAKER_N + "Note: this is a continuation.\n", Path("x.md"), HOSTS,
                    aliases={"Speaker 1": "Jordan", "Speaker 2": "Alex"})
    assert ok.turns[-1].text.endswith("Note: this is a continuation.")


def test_a_lesson_page_reads_its_transcript_section_one_turn_per_paragraph() -> None:
    script = parse_text(LESSON_PAGE, Path("lesson.mdx"), HOSTS)
    assert [t.speaker for t in script.turns] == [NARRATOR, NARRATOR]
    assert script.turns[0].text == ("Welcome to lesson three. Today we look at pods, "
                                    "the smallest thing Kubernetes schedules.")
    assert script.turns[0].line == 16 and script.turns[1].line == 19


def test_a_txt_of_paragraphs_is_a_narration_and_show_notes_are_no_script(tmp_path: Path) -> None:
    (tmp_path / "00050-lesson.txt").write_text("First paragraph of the lesson.\n\nSecond one,\nstill going.\n")
    (tmp_path / "00051-notes.md").write_text(SHOW_NOTES)
    assert [e.id for e in list_episodes(tmp_path)] == ["00050", "00051"]
    from render.script.parse import parse_file

    lesson = parse_file(find_episode("50", tmp_path).script, HOSTS)
    assert [t.text for t in lesson.turns] == ["First paragraph of the lesson.", "Second one, still going."]
    with pytest.raises(NoScript) as err:
        parse_file(find_episode("51", tmp_path).script, HOSTS)
    assert str(err.value).count("\n") == 0  # one line
    assert "no script" in str(err.value) and "Counter-point" in str(err.value)


def test_pronunciation_notes_first_respelling_wins_and_spell_out_means_letters() -> None:
    notes = read_notes("""# Outline
**Target Length**: 20 minutes

## Pronunciation Notes
- DuckDB: "duck D B"
- NVMe: "N V M E" (spell out)
- Leis: "LICE" (rhymes with rice)
- Tehran: "teh-RAN" or "TEH-ran"

## Act 1
- Foo: "not a note"
""", "x.outline.md")
    assert [(n.word, n.say, n.source) for n in notes] == [
        ("DuckDB", "duck D B", "x.outline.md:5"), ("NVMe", "N-V-M-E", "x.outline.md:6"),
        ("Leis", "lice", "x.outline.md:7"), ("Tehran", "teh-ran", "x.outline.md:8")]


TRANSCRIPT_STYLE = """Speaker 1: [laughs] Valkey forked in March &amp; the license changed&mdash;again.
Speaker 2: [laughter] Wow. (pause) [Crosstalk] It was BSD&nbsp;before (and it was fine).
"""


def test_stage_directions_are_not_read_and_character_references_are_characters() -> None:
    """Transcript-style scripts carry cues ("[laughs]", "(pause)") and HTML character references
    ("&amp;", "&mdash;"): a cue is no word to say (a pause becomes one), a reference is its character."""
    script = parse_text(TRANSCRIPT_STYLE, Path("x.md"), HOSTS, aliases={"Speaker 1": "Jordan", "Speaker 2": "Alex"})
    first, second = speak(script.turns, Normalizer(Lexicon.shipped()))
    assert first.text == "Valkey forked in March & the license changed—again."
    assert "laughs" not in first.spoken and "amp" not in first.spoken and "mdash" not in first.spoken
    assert "Crosstalk" not in second.text and "pause" not in second.text
    assert second.text.endswith("It was BSD before (and it was fine).")  # a real parenthesis is read
    assert second.sentences[0] == ("Wow.", "Wow.") and second.pauses[0] == CUES["pause"]  # "(pause)" is a pause


VARIANTS = """JORDAN: Welcome back to the show.
Jordan (laughing): Again?
Alex [deadpan]: Again.
**Jordan** (whispering): Bold, with a direction.
**Alex (dry):** Inside the bold.
> **Jordan**: In a quote.
> A quoted note, not a turn.
**Alex** — With a dash.
__Jordan__: With underscores.
**Tip** — a bold label with a dash stays prose.
"""


def test_speaker_line_variants_of_the_shows_scripts() -> None:
    """Upper-case names, a stage direction after the name, a quoted host line, a dash instead of
    the colon and ``__bold__`` names are turns; the direction, and a quote that is no host's
    line, are not read."""
    script = parse_text(VARIANTS, Path("x.md"), HOSTS)
    assert [(t.speaker, t.line, t.text) for t in script.turns] == [
        ("Jordan", 1, "Welcome back to the show."), ("Jordan", 2, "Again?"), ("Alex", 3, "Again."),
        ("Jordan", 4, "Bold, with a direction."), ("Alex", 5, "Inside the bold."), ("Jordan", 6, "In a quote."),
        ("Alex", 8, "With a dash."), ("Jordan", 9, "With underscores. Tip — a bold label with a dash stays prose.")]


def test_footnote_and_link_definitions_are_not_read() -> None:
    """A blog-style script ends with "[^1]: …" footnotes and "[docs]: https://…" link
    definitions: neither belongs to the last turn."""
    text = ("**Jordan**: Read the [docs][k8s] first.[^1]\n\n**Alex**: Done.\n\n"
            "[^1]: A footnote.\n[k8s]: https://kubernetes.io/docs\n")
    script = parse_text(text, Path("x.md"), HOSTS)
    assert [t.text for t in script.turns] == ["Read the docs first.", "Done."]


@pytest.mark.parametrize("heading", ["## Script", "## Narration", "### Lesson script", "## Voice-over"])
def test_a_lesson_page_reads_the_section_other_course_pages_name_differently(heading: str) -> None:
    page = LESSON_PAGE.replace("## Transcript", heading)
    script = parse_text(page, Path("lesson.md"), HOSTS)
    assert [(t.speaker, t.line) for t in script.turns] == [(NARRATOR, 16), (NARRATOR, 19)]


def test_speaker_n_lines_are_the_casts_hosts_in_order_without_aliases(tmp_path: Path) -> None:
    """A "Speaker 1:" script in a project whose cast has no [aliases] is a dialogue of the
    cast's hosts, in the order of [speakers]; it was read as a narration, labels and all."""
    proj = make_project(tmp_path / "p", {"00070-speakers.md": SPEAKER_N})
    res = run_cli("script", "00070", "--json", cwd=proj)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [(r["speaker"], r["line"]) for r in rows] == [("Jordan", 1), ("Alex", 2), ("Jordan", 4)]
    assert not any("Speaker" in r["spoken"] or "speaker" in r["spoken"] for r in rows)
    cast = proj / "voices" / "cast.toml"  # an [aliases] entry wins
    cast.write_text(cast.read_text(encoding="utf-8") + '\n[aliases]\n"Speaker 1" = "Alex"\n"Speaker 2" = "Jordan"\n',
                    encoding="utf-8")
    rows = json.loads(run_cli("script", "00070", "--json", cwd=proj).stdout)
    assert [r["speaker"] for r in rows] == ["Alex", "Jordan", "Alex"]


def test_numbered_names_skip_the_narrator() -> None:
    assert numbered_aliases(["Jordan", NARRATOR, "Alex"]) == {
        f"{word} {n}": host for word in ("Speaker", "Host", "Voice") for n, host in ((1, "Jordan"), (2, "Alex"))}


TABS = """# Episode

**Jordan**: Here is how each portal does it.

<Tabs>
<TabItem value="backstage" label="Backstage">

**Alex**: In Backstage, templates live in a catalog.
They are registered with a file.

</TabItem>
<TabItem value="port" label="Port">

**Alex**: In Port, it is a self-service action.

</TabItem>
</Tabs>

<Callout type="warning">
**Warning**: this note is for readers of the page and has many more than twelve words in it, so it is long.
</Callout>

<details>
<summary>Show notes</summary>

Links for the episode.

</details>

**Jordan**: Last thing<sup>2</sup>: measure adoption.
"""


def test_host_turns_inside_mdx_components_are_kept_and_the_rest_of_the_block_is_not() -> None:
    """MDX's <Tabs>/<TabItem> hold Markdown: the hosts' turns in them were dropped whole."""
    script = parse_text(TABS, Path("x.mdx"), HOSTS)
    assert [(t.speaker, t.line, t.text) for t in script.turns] == [
        ("Jordan", 3, "Here is how each portal does it."),
        ("Alex", 8, "In Backstage, templates live in a catalog. They are registered with a file."),
        ("Alex", 14, "In Port, it is a self-service action."),
        ("Jordan", 30, "Last thing: measure adoption."),  # an HTML footnote marker is not said
    ]


@pytest.mark.parametrize("script", [
    # time stamps before the name, as transcript tools export them
    "[00:00:05] Jordan: Welcome back.\n\n[00:00:12] Alex: The bill was big.\n\n00:00:25 Jordan: It was.\n",
    "(0:05) Jordan: Welcome back.\n(0:12) Alex: The bill was big.\n0:25 - Jordan: It was.\n",
    # the name alone on its line, the text below: Otter's name and time, a screenplay's capitals, "Name:"
    "Jordan  0:05\nWelcome back.\n\nAlex  0:12\nThe bill was big.\n\nJordan  0:25\nIt was.\n",
    "JORDAN\nWelcome back.\n\nALEX\nThe bill was big.\n\nJORDAN\nIt was.\n",
    "Jordan:\nWelcome back.\n\nAlex:\nThe bill was big.\n\nJordan:\nIt was.\n",
    # Descript's time lines, Riverside's name with a time range, subtitle cue timings
    "[00:00:00]\n\n**Jordan:** Welcome back.\n\n[00:00:04]\n\n**Alex:** The bill was big.\n\n**Jordan:** It was.\n",
    "Jordan (00:00:01 - 00:00:05)\nWelcome back.\n\nAlex (00:00:06 - 00:00:09)\nThe bill was big.\n\n"
    "Jordan (00:00:10 - 00:00:12)\nIt was.\n",
    "00:00:01.000 --> 00:00:05.000\nJordan: Welcome back.\n\n00:00:06.000 --> 00:00:09.000\nAlex: The bill was big.\n"
    "\n00:00:10.000 --> 00:00:12.000\nJordan: It was.\n",
])
def test_transcript_exports_with_time_stamps_or_names_on_their_own_lines(script: str) -> None:
    """These were dropped before the first recognized turn, joined to the turn before, or read
    as a narration with the names and times spoken."""
    for suffix in (".md", ".txt"):
        turns = parse_text(script, Path("x" + suffix), HOSTS).turns
        assert [(t.speaker, t.text) for t in turns] == [
            ("Jordan", "Welcome back."), ("Alex", "The bill was big."), ("Jordan", "It was.")]


def test_a_bold_name_alone_is_a_label_not_a_turn() -> None:
    """Show notes' host bios ("**Jordan**" above a paragraph) stay show notes."""
    notes = "# Hosts\n\n**Jordan**\n\nRuns the platform team.\n\n**Alex**\n\nWrites about cost.\n"
    assert not [t for t in parse_text(notes, Path("notes.md"), HOSTS).turns if t.speaker in HOSTS]


def test_a_line_for_both_hosts_is_read_by_one_and_said_so(tmp_path: Path) -> None:
    """"**Both**:" and "**Jordan & Alex**:" were an error and silently dropped as metadata."""
    text = "**Jordan**: Welcome back.\n\n**Alex**: Thanks.\n\n**Alex & Jordan**: See you!\n\n**Both**: Bye!\n"
    script = parse_text(text, Path("x.md"), HOSTS)
    assert [(t.speaker, t.text) for t in script.turns] == [
        ("Jordan", "Welcome back."), ("Alex", "Thanks."), ("Alex", "See you!"), ("Jordan", "Bye!")]
    assert script.together == [(5, "Alex & Jordan", "Alex"), (7, "Both", "Jordan")]
    proj = make_project(tmp_path / "p", {"00071-both.md": text})
    notes = prepare("71", Settings(root=proj)).notes
    assert "read by one host: line 5 'Alex & Jordan' by Alex, line 7 'Both' by Jordan" in notes[0]
    # names that are not all hosts are no joint line: metadata before the turns, as before
    assert parse_text("**Jordan & Sam**: the hosts\n\n**Jordan**: Hi.\n", Path("x.md"), HOSTS).together == []


@pytest.mark.parametrize("block,what,line", [
    ("```yaml\nreplicas: 3\n", "a code block", 3),
    (":::note\nA note never closed.\n", "an admonition (:::note)", 3),
    ("<!-- a comment never closed\n", "a comment", 3),
])
def test_a_block_never_closed_is_an_error_when_it_would_swallow_turns(block: str, what: str, line: int) -> None:
    """It skipped the rest of the script: every turn after it lost, without a word."""
    text = f"**Jordan**: Here is the config:\n\n{block}\n**Alex**: And that is it.\n\n**Jordan**: Bye.\n"
    with pytest.raises(RenderError, match=f"{re.escape(what)} opened here is never closed") as err:
        parse_text(text, Path("x.md"), HOSTS)
    assert err.value.line == line and "close it" in (err.value.hint or "")
    # at the end of a script, with no turn after it, it loses nothing
    assert len(parse_text(f"**Jordan**: Hi.\n\n{block}", Path("x.md"), HOSTS).turns) == 1


def test_a_turns_wrapped_lines_that_start_like_markup_stay_in_the_turn() -> None:
    """A hard-wrapped turn whose line starts "import the …", "export …" or "# of …" lost those
    lines (taken for MDX module lines and a heading that ended the turn)."""
    text = ("import Tabs from '@theme/Tabs';\nimport { Quiz } from \"../components\";\nexport const meta = { a: 1 };\n\n"
            "**Jordan**: We wrap our lines at eighty columns, so the next line\nimport the data and then\n"
            "export the report as CSV. And\n# of nodes matters too.\n\n# A real heading\n\n**Alex**: Yes.\n")
    script = parse_text(text, Path("x.mdx"), HOSTS)
    assert [t.text for t in script.turns] == [
        "We wrap our lines at eighty columns, so the next line import the data and then export the report as CSV. "
        "And # of nodes matters too.", "Yes."]
    assert [h.text for h in script.headings] == ["A real heading"]


def test_speaker_tags_as_editors_leave_them(tmp_path: Path) -> None:
    """An emoji after the name (the turn was dropped as metadata), a numbered list of turns
    (merged into the turn before), invisible characters (kept in the text)."""
    text = ("**Jordan 🎙️**: Emoji after the name.\n\n1. **Alex**: A numbered turn.\n\n2) **Jordan**: Another.\n\n"
            "**Alex**: A soft\u00adhyphen, a word\u2060joiner and a zero\u200bwidth space.\n")
    (tmp_path / "x.md").write_text(text, encoding="utf-8")
    assert [(t.speaker, t.text) for t in parse_file(tmp_path / "x.md", HOSTS).turns] == [
        ("Jordan", "Emoji after the name."), ("Alex", "A numbered turn."), ("Jordan", "Another."),
        ("Alex", "A softhyphen, a wordjoiner and a zerowidth space.")]


def test_host_bios_in_show_notes_are_no_turns() -> None:
    """"## Hosts" then "**Jordan**: Staff engineer …" made a page of show notes an episode of bios."""
    notes = ("# Episode 105\n\n## Hosts\n\n**Jordan**: Staff platform engineer, ex-SRE.\n**Alex**: Writes about cost.\n\n"
             "## Links\n\n- [Port](https://getport.io)\n")
    script = parse_text(notes, Path("notes.md"), HOSTS)
    assert script.turns == [] and script.metadata["Jordan"] == "Staff platform engineer, ex-SRE."
    # the episode's own turns under a later heading are turns again
    page = notes + "\n## Transcript\n\n**Jordan**: Welcome back.\n"
    assert [(t.speaker, t.text) for t in parse_text(page, Path("notes.md"), HOSTS).turns] == [("Jordan", "Welcome back.")]


def test_pronunciation_notes_as_other_outlines_write_them() -> None:
    """"## Pronunciations" was not a notes section, "=", "is said", "pronounced like" and
    "(MIL-vus)" no note."""
    notes = read_notes('## Pronunciations\n- Qdrant = quadrant\n- Nginx is said "engine-x"\n'
                       '- Karpenter: pronounced like "carpenter"\n- Milvus (MIL-vus)\n\n## Other\n- Zed = no\n', "o.md")
    assert [(n.word, n.say, n.source) for n in notes] == [
        ("Qdrant", "quadrant", "o.md:2"), ("Nginx", "engine-x", "o.md:3"), ("Karpenter", "carpenter", "o.md:4"),
        ("Milvus", "mil-vus", "o.md:5")]


def test_name_dash_lines_are_turns_in_a_plain_text_transcript() -> None:
    text = "Jordan - Welcome back.\nAlex - The bill was big.\nJordan - It was.\n"
    assert [(t.speaker, t.text) for t in parse_text(text, Path("x.txt"), HOSTS).turns] == [
        ("Jordan", "Welcome back."), ("Alex", "The bill was big."), ("Jordan", "It was.")]
    # inside a turn of a Markdown script, "Alex - our host - was there" is the turn's text
    turns = parse_text("**Jordan**: We tried it.\nAlex - our host - was there.\n", Path("x.md"), HOSTS).turns
    assert [t.text for t in turns] == ["We tried it. Alex - our host - was there."]
