"""Which questions rise: cases as data (tests/normalize/data/questions.tsv), as NeMo keeps its
test cases, plus the show's own sentence set (benchmarks/prosody_sentences.tsv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from render.normalize.questions import Tune, tune

DATA = Path(__file__).parent / "data" / "questions.tsv"
SHOW = Path(__file__).parents[2] / "benchmarks" / "prosody_sentences.tsv"
EXPECTED = {"rise": Tune.RISE, "fall": Tune.FALL, "none": None,
            "statement": None, "yesno": Tune.RISE, "declarative": Tune.RISE, "wh": Tune.FALL, "alternative": Tune.FALL}


def _cases(path: Path, sentence_first: bool) -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    pairs = [(a, b) if sentence_first else (b, a) for a, b in rows]
    return [(sentence, kind) for sentence, kind in pairs if kind != "emphasis"]  # the set's emphasis rows


@pytest.mark.parametrize(("sentence", "kind"), _cases(DATA, True) + _cases(SHOW, False))
def test_tune(sentence: str, kind: str) -> None:
    assert tune(sentence) is EXPECTED[kind]
