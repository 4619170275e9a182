"""Preview, series, estimate and --fit: the ways producers use the tool day to day."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from render.errors import RenderError
from render.script import select
from render.script.parse import parse_file
from tests.conftest import EPISODE, OUTLINE, make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

TURNS = parse_file(EPISODE, ["Jordan", "Alex"]).turns


def test_preview_selection_options() -> None:
    ex = select.exchange(TURNS, 3)
    assert [t.index for t in ex] == [4, 5] and ex[0].text.startswith("Wait, why would Google")
    assert [t.number for t in select.turn_range(TURNS, "12-18")] == list(range(12, 19))
    m = select.match(TURNS, "wait.  hold ON")
    assert [t.index for t in m] == [13, 14, 15] and m[1].text.startswith("Wait. Hold on.")
    block = select.outline_exchange(OUTLINE, ["Jordan", "Alex"], 1)
    assert [t.speaker for t in block] == ["Alex", "Jordan", "Alex", "Jordan"]
    with pytest.raises(RenderError, match="exchange 99 does not exist"):
        select.exchange(TURNS, 99)
    with pytest.raises(RenderError, match="outside 1-109"):
        select.turn_range(TURNS, "100-200")
    with pytest.raises(RenderError, match="no turn contains"):
        select.match(TURNS, "not in the script")


def test_preview_cli_writes_wav_without_music(project: Path) -> None:
    res = run_cli("preview", "1", "--exchange", "2", cwd=project)
    assert res.returncode == 0, res.stderr
    path = project / "output" / "00001" / "preview-exchange-2.wav"
    assert "output/00001/preview-exchange-2.wav" in res.stdout
    assert "Jordan: Wait. Hold on. Forty percent?" in res.stdout
    audio, rate = sf.read(path, dtype="float32")
    assert rate == 44100 and 2 < len(audio) / rate < 15
    assert np.max(np.abs(audio[: int(0.3 * rate)])) < 0.01  # starts with speech lead, no music
    again = run_cli("preview", "1", "--match", "Measure before", cwd=project)
    assert again.returncode == 0 and "Alex: Yes. Measure before you optimize." in again.stdout


def _script(n: int, target: str | None = None) -> str:
    front = f"---\ntarget_length: {target}\n---\n" if target else ""
    lines = [f"**{'Jordan' if i % 2 == 0 else 'Alex'}**: Point {i + 1}. Platform teams should profile "
             f"their busiest service first. Then they fix one thing and measure again, every week."
             for i in range(n)]
    return front + "\n\n".join(lines) + "\n"


def test_series_skips_current_and_isolates_failures(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "s", {
        "00010-a.md": _script(2), "00011-b.md": _script(2, "1 minute"), "00012-c.md": _script(3),
        "00013-broken.md": "**Jordan**: Hi.\n\n**Sam**: Who?\n"})
    res = run_cli("series", "--try-words", "0", cwd=proj)
    assert res.returncode == 1
    assert "00013 failed" in res.stderr and "unknown speaker 'Sam'" in res.stderr
    for ep in ("00010", "00011", "00012"):
        assert (proj / "output" / ep / "report.json").exists() and ep in res.stdout
    assert "short" in res.stdout  # 00011 has a target
    res2 = run_cli("series", "--only", "10-12", "--try-words", "0", cwd=proj)
    assert res2.returncode == 0, res2.stderr
    assert res2.stdout.count("up to date") == 3 + 1 and "00013" not in res2.stdout  # the table's rows, and:
    assert "reused 0 turns (0.0 min of speech) from the cache, 3 episodes already up to date; synthesized 0 turns" \
        in res2.stdout


def test_series_on_local_ray(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "r", {"00020-r.md": _script(2)})
    res = run_cli("series", "--executor", "ray", "--workers", "2", "--try-words", "0", cwd=proj)
    assert res.returncode == 0, res.stderr
    report = json.loads((proj / "output" / "00020" / "report.json").read_text())
    assert report["cache"] == {"hits": 0, "misses": 2, "reused_s": 0.0} and report["duration_s"] > 5


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, dict]:
    proj = make_project(tmp_path_factory.mktemp("est") / "p", {"00030-est.md": _script(12)})
    res = run_cli("episode", "30", "--no-check", cwd=proj)
    assert res.returncode == 0, res.stderr
    return proj, json.loads((proj / "output" / "00030" / "report.json").read_text())


def test_estimate_matches_real_render(rendered) -> None:
    proj, report = rendered
    res = run_cli("estimate", "30", "--json", cwd=proj)
    assert res.returncode == 0, res.stderr
    est = json.loads(res.stdout)
    assert set(est) >= {"predicted_s", "target", "verdict", "words"}
    assert abs(est["predicted_s"] - report["duration_s"]) / report["duration_s"] < 0.05
    # cold: no cache, only the stored or fresh per-voice calibration
    cold = json.loads(run_cli("estimate", "30", "--json", cwd=proj,
                              env={"RENDER_CACHE_DIR": str(proj / "empty-cache")}).stdout)
    assert abs(cold["predicted_s"] - report["duration_s"]) / report["duration_s"] < 0.10


def test_fit_moves_a_script_into_its_window(rendered) -> None:
    proj, report = rendered
    d = report["duration_s"]
    script = proj / "transcripts" / "00030-est.md"
    script.write_text(f"---\ntarget_length: {0.90 * d:.1f}-{0.98 * d:.1f} s\n---\n" + _script(12))
    res = run_cli("episode", "30", "--fit", "--no-check", cwd=proj)
    assert res.returncode == 0, res.stderr
    fitted = json.loads((proj / "output" / "00030" / "report.json").read_text())
    fit = fitted["fit"]
    assert fit["applied"] and fit["reached"] and 1.0 < fit["rate"] <= 1.08
    assert fitted["verdict"] == "within", (fitted["duration_s"], fitted["target"])


def test_fit_reports_honestly_when_it_cannot(rendered) -> None:
    proj, _ = rendered
    script = proj / "transcripts" / "00030-est.md"
    script.write_text("---\ntarget_length: 10 minutes\n---\n" + _script(12))
    res = run_cli("episode", "30", "--fit", "--no-check", cwd=proj)
    assert res.returncode == 0, res.stderr
    fitted = json.loads((proj / "output" / "00030" / "report.json").read_text())
    assert fitted["fit"]["applied"] and not fitted["fit"]["reached"]
    assert fitted["fit"]["rate"] == pytest.approx(0.92) and fitted["fit"]["pause_scale"] == pytest.approx(1.6)
    assert fitted["verdict"] == "short" and fitted["gap_words"] > 500
    assert "short by" in res.stdout
