"""The lexicon's scopes: field < project < series < episode < --try, entries for one voice or
engine only, the acronym rule for what no scope names, and --explain naming the scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from render.normalize import Normalizer
from render.normalize.acronyms import pronounceable
from render.normalize.lexicon import Lexicon
from render.prepare import Settings, prepare
from tests.conftest import make_project, run_cli

PROJECT = """letters = ["TLA"]
[say]
"Redis" = "project-redis"
"Kafka" = "project-kafka"
[say.kokoro]
"Kafka" = "kokoro-kafka"
[say.slt]
"hello" = "yellow"
[series.deep]
say = {"Redis" = "series-redis", "Kafka" = "series-kafka"}
"""

SCRIPT = """---
series: deep
say:
  Kafka: episode-kafka
---
**Jordan**: Hello, Redis and Kafka and Trainium on a TLA with BGP.

**Alex**: Hello, Redis and Kafka.
"""

OUTLINE = """# Outline
## Pronunciation Notes
- Trainium: "notes-trainium"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = make_project(tmp_path / "p", {"00070-scopes.md": SCRIPT, "00070-scopes.outline.md": OUTLINE})
    (proj / "voices" / "lexicon.toml").write_text(PROJECT, encoding="utf-8")
    (proj / "voices" / "cast.toml").write_text('[speakers]\nJordan = "slt"\nAlex = "joe"\n', encoding="utf-8")
    return proj


def test_each_scope_wins_over_the_ones_before_it(project: Path) -> None:
    prep = prepare("70", Settings(root=project))
    jordan, alex = prep.turns
    # field "red-iss" < project < series "series-redis"; project < series < episode front matter
    assert "series-redis" in jordan.spoken and "episode-kafka" in jordan.spoken
    assert "notes-trainium" in jordan.spoken  # the outline's notes
    assert "T-L-A" in jordan.spoken and "B-G-P" in jordan.spoken  # project letters; field letters
    # a voice's own entries reach only that voice's turns: [say.slt] is Jordan's voice file
    assert jordan.spoken.startswith("yellow") and alex.spoken.startswith("Hello")
    tried = prepare("70", Settings(root=project, respell={"Redis": "tried-redis"}))
    assert "tried-redis" in tried.turns[0].spoken  # check --try over everything


def test_an_engine_scope_is_laid_over_for_that_engine_only() -> None:
    lex = Lexicon._parse({"say": {"Kafka": "plain", "kokoro": {"Kafka": "kokoro-kafka"}}}, Path("x"), "x")
    assert Normalizer(lex.for_voice("kokoro", "alex"))("Kafka") == "kokoro-kafka"
    assert Normalizer(lex.for_voice("piper", "joe"))("Kafka") == "plain"


@pytest.mark.parametrize("word,spelled", [
    ("BGP", True), ("VPC", True), ("ECR", True), ("CRD", True), ("SQL", True), ("TCP", True),
    ("DORA", False), ("NASA", False), ("HOW", False), ("MANY", False), ("NOT", False), ("STOP", False),
    ("NEVER", False), ("WHY", False), ("OK", False)])
def test_the_acronym_rule_spells_what_cannot_be_read_as_a_word(word: str, spelled: bool) -> None:
    assert pronounceable(word) is not spelled
    said = Normalizer()(f"Ask about {word} today.")
    assert ("-".join(word) in said) is spelled


def test_explain_names_the_rule_and_the_scope(project: Path) -> None:
    res = run_cli("normalize", "--explain", "Redis on EC2 and SaaS", cwd=project)
    assert res.returncode == 0, res.stderr
    lines = [line.strip() for line in res.stdout.splitlines()]
    assert lines[0] == "project-redis on E-C two and sass"
    assert "'Redis' → 'project-redis'  (lexicon: voices/lexicon.toml)" in lines
    assert "'SaaS' → 'sass'  (lexicon: field lexicon)" in lines
    assert "'EC2' → 'E-C two'  (rule: letters-digits)" in lines
    # every rewrite is named, those before the lexicon and the symbols after the rules too
    res = run_cli("normalize", "--explain", "Redis vs. Valkey, 3pp & https://a.io", cwd=project)
    lines = [line.strip() for line in res.stdout.splitlines()]
    assert "'vs.' → 'versus'  (rule: versus)" in lines
    assert "'pp' → 'percentage points'  (rule: percentage-points)" in lines
    assert "'https://a.io' → 'a dot I-O'  (rule: url)" in lines
    assert "'&' → 'and'  (rule: ampersand)" in lines
    voiced = run_cli("normalize", "--voice", "slt", "hello there", cwd=project)
    assert voiced.stdout.strip() == "yellow there"


def test_every_field_entry_ships_with_its_evidence_for_both_voices() -> None:
    """benchmarks/field_lexicon.py heard each entry from Piper joe and Kokoro jm_kumo; a new
    entry without a row means the benchmark was not run again."""
    import tomllib

    from tests.conftest import ROOT

    folder = ROOT / "render" / "normalize"
    data = tomllib.loads((folder / "field.toml").read_text(encoding="utf-8"))
    words = {*data["letters"], *data["words"], *(k for k, v in data["say"].items() if isinstance(v, str))}
    rows = [r.split("\t") for r in (folder / "field-evidence.tsv").read_text(encoding="utf-8").splitlines()
            if r and not r.startswith("#")]
    heard = {(r[0], r[3]) for r in rows if r[4] in ("ok", "flagged")}
    missing = sorted(w for w in words if (w, "joe") not in heard or (w, "alex") not in heard)
    assert missing == [], "run: .venv/bin/python benchmarks/field_lexicon.py --only " + " ".join(missing)
    ok = sum(r[4] == "ok" for r in rows)
    assert ok / len(rows) >= 0.85  # the first run: 86 % (joe) and 89 % (alex) heard right


def test_entries_are_given_as_the_voice_is_told_to_say_them() -> None:
    """The check finds a respelled word in the spoken text by its said form, so an entry's
    form goes through the rules as the turn's text does ("N-dots" is said "en dots")."""
    normalizer = Normalizer(Lexicon.shipped())
    text = "Lower ndots before you run kubectl."
    spoken = normalizer(text)
    entries = normalizer.entries(text)
    assert entries == [("ndots", "en dots"), ("kubectl", "cube control")]
    assert all(said in spoken for _, said in entries)


def test_a_respelled_acronym_has_its_plural_as_spelled_ones_do() -> None:
    lex = Lexicon.from_entries(["VPC"], {"NUMA": "noo-mah", "SIMD": "sim-D", "CIDRs": "cider blocks"}, "test")
    said = Normalizer(lex)("Two NUMAs, two VPCs, two SIMDs, two CIDRs.")
    assert said == "Two noo-mahs, two V-P-C's, two sim-D's, two cider blocks."


def test_a_respelling_with_ay_is_named_with_where_it_comes_from(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """ "ay" is "eye" to espeak-ng ("ASIC" = "ay-sick" was heard "Isaac"): such an entry warns
    with where it comes from, the entry and what to write; the shipped and project lexicons have none."""
    path = tmp_path / "lexicon.toml"
    path.write_text('[say]\n"ASIC" = "ay-sick"\n"Pokemon" = "Poke-eigh-mon"\n[say.kokoro]\n"GA" = "gee ay"\n',
                    encoding="utf-8")
    Lexicon.load(path)
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 2 and all(str(path) in w and '"eigh"' in w for w in warned), warned
    assert '"ASIC" = "ay-sick"' in warned[0] and '"GA" = "gee ay"' in warned[1]
    proj = make_project(tmp_path / "p", {"00001-x.md": '---\nsay:\n  ABAC: "ay-back"\n---\n**Jordan**: We use ABAC.\n'})
    script = proj / "transcripts" / "00001-x.md"  # front matter and outline notes: named by the script
    caplog.clear()
    prepare("1", Settings(root=proj, respell={"ASIC": "ay-sick"}))  # and render check --try's
    assert [r.getMessage() for r in caplog.records] == [
        f'{script}: "ABAC" = "ay-back": espeak-ng (Piper, Kokoro) says "ay" as "eye"; write "eigh" '
        '(or spell the letters: "A")',
        'check --try: "ASIC" = "ay-sick": espeak-ng (Piper, Kokoro) says "ay" as "eye"; write "eigh" '
        '(or spell the letters: "A")']
    caplog.clear()
    Lexicon.shipped()
    Lexicon.load(Path(__file__).resolve().parents[2] / "voices" / "lexicon.toml")
    assert not caplog.records
