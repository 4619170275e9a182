"""The Coqui engine with a real (tiny, random) VITS model, loaded like a downloaded one."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from render.errors import RenderError
from render.voices.cast import load_voice
from render.voices.engines import load_engine, voice_fingerprint
from tests.conftest import make_project, run_cli
from tests.voices.coqui_model import SPEAKERS, build_tiny_vits

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> tuple[Path, Path]:
    return build_tiny_vits(tmp_path_factory.mktemp("coqui") / "tiny-vits")


def _voice_file(folder: Path, model: tuple[Path, Path], speaker: str | None = "ava", name: str = "ava") -> Path:
    checkpoint, config = model
    lines = ['engine = "coqui"', f'model_path = "{checkpoint}"', f'config_path = "{config}"']
    if speaker:
        lines.append(f'speaker = "{speaker}"')
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_speaker_selection_and_sample_rate(tmp_path: Path, tiny_model) -> None:
    ava = load_voice(_voice_file(tmp_path, tiny_model, "ava"))
    ben = load_voice(_voice_file(tmp_path, tiny_model, "ben", name="ben"))
    clips = []
    for voice in (ava, ben):
        engine = load_engine(voice)
        assert engine.sample_rate == 16000
        clip = engine.synthesize("Hello there, this is a test.")
        assert clip.audio.dtype == np.float32 and clip.sample_rate == 16000 and clip.seconds > 0.3
        clips.append(clip.audio)
    n = min(len(c) for c in clips)
    assert not np.allclose(clips[0][:n], clips[1][:n])  # a different speaker embedding


def test_unknown_or_missing_speaker_lists_valid_speakers(tmp_path: Path, tiny_model) -> None:
    with pytest.raises(RenderError) as exc:
        load_engine(load_voice(_voice_file(tmp_path, tiny_model, "zed")))
    assert "speaker 'zed' is not in this Coqui model" in str(exc.value)
    assert "valid speakers: " + ", ".join(SPEAKERS) in str(exc.value)
    with pytest.raises(RenderError, match="several speakers; choose one"):
        load_engine(load_voice(_voice_file(tmp_path, tiny_model, None)))


def test_model_by_name_fails_offline_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "vctk.toml"
    path.write_text('engine = "coqui"\nmodel = "tts_models/en/vctk/vits"\nspeaker = "p225"\n')
    with pytest.raises(RenderError) as exc:
        load_engine(load_voice(path))
    text = str(exc.value)
    assert "vctk.toml" in text and "not available offline" in text and "model_path" in text


def test_fingerprint_covers_checkpoint_speaker_and_params(tmp_path: Path, tiny_model) -> None:
    voice = load_voice(_voice_file(tmp_path, tiny_model, "ava"))
    base = voice_fingerprint(voice)
    assert voice_fingerprint(dataclasses.replace(voice, speaker="ben")) != base
    assert voice_fingerprint(dataclasses.replace(voice, length_scale=1.2)) != base
    other = build_tiny_vits(tmp_path / "other", seed=1)
    assert voice_fingerprint(dataclasses.replace(voice, model_path=str(other[0]))) != base


def test_three_engines_in_one_episode(tmp_path: Path, tiny_model) -> None:
    script = ("**Jordan**: Welcome back to the show.\n\n**Alex**: Thanks, great to be here.\n\n"
              "**Sam**: And I am the third voice.\n")
    proj = make_project(tmp_path / "p", {"00040-mix.md": script})
    _voice_file(proj / "voices", tiny_model, "ben", name="sam")
    (proj / "voices" / "cast.toml").write_text('[speakers]\nJordan = "joe"\nAlex = "slt"\nSam = "sam"\n')
    res = run_cli("voices", "list", cwd=proj)
    assert re.search(r"^sam\s+coqui\s+available", res.stdout, re.MULTILINE), res.stdout
    res = run_cli("episode", "40", "--no-music", cwd=proj)
    assert res.returncode == 0, res.stderr
    report = json.loads((proj / "output" / "00040" / "report.json").read_text())
    assert {s: v["voice"] for s, v in report["speakers"].items()} == {"Jordan": "joe", "Alex": "slt", "Sam": "sam"}
    assert all(v["talk_s"] > 0.2 for v in report["speakers"].values())
    assert report["sanity"]["ok"]
    res = run_cli("voices", "test", "sam", "It costs $5.", cwd=proj)
    assert res.returncode == 0 and "output/voices/sam-test.wav" in res.stdout
