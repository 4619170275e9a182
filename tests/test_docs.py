"""The docs a reader finds: a short README that links every page, and the report's schema
generated from the code it describes."""

from __future__ import annotations

import re

from render.report import SCHEMA_BEGIN as BEGIN
from render.report import SCHEMA_END as END
from render.report import schema_markdown
from tests.conftest import ROOT


def test_the_reference_holds_the_report_schema_as_the_code_defines_it() -> None:
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert generated == schema_markdown(), "run: .venv/bin/python -m render.report docs/reference.md"
    assert "| `turn_numbers` |" in generated and "| `list` | `list[Chapter]` |" in generated


def test_the_readme_is_short_starts_with_the_two_commands_and_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == ["./run episode 00035", "./run test"]
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert len(pages) >= 6
    for page in pages:
        assert f"(docs/{page})" in readme, f"README does not link docs/{page}"


def test_every_relative_link_in_the_docs_points_at_a_file() -> None:
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to a missing {target}"


def test_every_help_text_shows_its_brackets() -> None:
    """Typer renders help with rich markup, which takes ``[draft]`` or ``[say.ENGINE]`` for a
    style tag and drops it ("The fast  cast of cast.toml"): brackets must be escaped."""
    import typer.main

    from render.cli import app

    def commands(group):  # type: ignore[no-untyped-def]
        for cmd in group.commands.values():
            yield cmd
            if hasattr(cmd, "commands"):
                yield from commands(cmd)

    texts = [(cmd.name, p.name, getattr(p, "help", None) or "")
             for cmd in commands(typer.main.get_command(app)) for p in cmd.params]
    texts += [(cmd.name, "doc", cmd.help or "") for cmd in commands(typer.main.get_command(app))]
    unescaped = [(c, p, t) for c, p, t in texts if re.search(r"(?<!\\)\[[a-zA-Z][^\]]*\]", t)]
    assert len(texts) > 50 and not unescaped
