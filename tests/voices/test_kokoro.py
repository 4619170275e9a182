"""The Kokoro engine with the real packaged int8 model and style packs."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render.errors import RenderError
from render.voices.cast import load_cast
from render.voices.engines.base import in_turn
from render.voices.engines.kokoro import (
    PACKAGED_MODEL,
    KokoroEngine,
    KokoroTurn,
    blend_style,
    load_style,
    packaged_model,
    packaged_pack,
    packaged_sha256,
    voice_fingerprint,
)
from render.voices.voice import Voice
from tests.conftest import make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

LINE = "Kubernetes one point thirty-four made dynamic resource allocation generally available."


def kokoro(voice: str = "jf_gongitsune", **kw: object) -> Voice:
    return Voice(name="test", engine="kokoro", source="test.toml", voice=voice, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def engine() -> KokoroEngine:
    return KokoroEngine(kokoro(), threads=2)


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a.astype(np.float64) ** 2)))


def test_speaks_a_line_reproducibly(engine: KokoroEngine) -> None:
    clip = engine.synthesize(LINE)
    assert clip.sample_rate == 24_000 and clip.audio.dtype == np.float32
    assert 3.0 < clip.seconds < 9.0  # 12 words: neither truncated nor stretched
    assert _rms(clip.audio) > 0.02 and np.isfinite(clip.audio).all()
    # The graph draws no random numbers: a re-render gives the same samples.
    assert np.array_equal(engine.synthesize(LINE).audio, clip.audio)


def test_blend_is_the_weighted_mean_of_style_packs() -> None:
    a = load_style(packaged_pack(), "jf_gongitsune")
    b = load_style(packaged_pack(), "jf_nezumi")
    blended = blend_style(kokoro("jf_gongitsune:0.7,jf_nezumi:0.3"))
    assert blended.shape == a.shape == (510, 1, 256)
    np.testing.assert_allclose(blended, 0.7 * a + 0.3 * b, rtol=1e-6, atol=1e-7)
    # Weights need not sum to one: 7:3 is the same blend.
    np.testing.assert_array_equal(blend_style(kokoro("jf_gongitsune:7,jf_nezumi:3")), blended)
    pure = KokoroEngine(kokoro("jf_gongitsune"), 2).synthesize("Hello there.").audio
    mixed = KokoroEngine(kokoro("jf_gongitsune:0.7,jf_nezumi:0.3"), 2).synthesize("Hello there.").audio
    assert _rms(mixed) > 0.02
    assert len(pure) != len(mixed) or not np.allclose(pure, mixed, atol=1e-3)


def test_unknown_voice_lists_the_pack(tmp_path: Path) -> None:
    with pytest.raises(RenderError) as exc:
        voice_fingerprint(kokoro("af_heart"))
    assert "af_heart" in exc.value.message and "jm_kumo" in str(exc.value.hint)
    with pytest.raises(RenderError, match="NAME:WEIGHT"):
        voice_fingerprint(kokoro("jf_alpha:-1"))
    # Through the CLI: one message, exit 2, no traceback.
    res = run_cli("voices", "test", "kokoro:af_heart", "Hello.", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "af_heart" in res.stderr and "jf_gongitsune" in res.stderr


def test_unknown_voice_in_a_voice_file_names_the_file(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", {"00001-t.md": "**Jordan**: Hi.\n\n**Alex**: Hello.\n"})
    (proj / "voices" / "alex.toml").write_text('engine = "kokoro"\nvoice = "af_bella"\n')
    res = run_cli("episode", "1", cwd=proj)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "alex.toml" in res.stderr and "af_bella" in res.stderr and "jm_kumo" in res.stderr
    assert not (proj / "output" / "00001" / "report.json").exists()


def test_damaged_joined_model_is_rejected_and_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = packaged_model(tmp_path)
    assert path.name == PACKAGED_MODEL and path.stat().st_size == 92_361_271
    with open(path, "r+b") as f:  # flip bytes in the middle of the weights
        f.seek(40_000_000)
        f.write(b"\x00" * 64)
    again = packaged_model(tmp_path)
    assert "does not match its sha256" in caplog.text
    import hashlib
    assert hashlib.sha256(again.read_bytes()).hexdigest() == packaged_sha256()
    with open(path, "r+b") as f:  # truncated
        f.truncate(1_000_000)
    assert packaged_model(tmp_path).stat().st_size == 92_361_271
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_cache_key_follows_voice_blend_speed_and_language() -> None:
    base = kokoro("jf_gongitsune")
    keys = {voice_fingerprint(v) for v in (
        base, replace(base, voice="jm_kumo"), replace(base, voice="jf_gongitsune:0.7,jf_nezumi:0.3"),
        replace(base, voice="jf_gongitsune:0.6,jf_nezumi:0.4"), replace(base, speed=1.1),
        replace(base, lang="en-gb"), replace(base, length_scale=0.95))}
    assert len(keys) == 7
    # What does not change the sound does not change the key.
    assert voice_fingerprint(replace(base, name="other", sentence_silence=0.4)) == voice_fingerprint(base)


def test_user_pack_formats(tmp_path: Path) -> None:
    style = load_style(packaged_pack(), "jm_kumo")
    np.save(tmp_path / "host.npy", style)
    np.savez(tmp_path / "voices.npz", host_a=style, host_b=style[:, 0, :])  # (N, 256) is accepted too
    (tmp_path / "voices-v1.0.bin").write_bytes((tmp_path / "voices.npz").read_bytes())
    ref = KokoroEngine(kokoro("jm_kumo"), 2).synthesize("Hello.").audio
    for pack, name in ((tmp_path / "host.npy", "host"), (tmp_path / "voices.npz", "host_b"),
                       (tmp_path / "voices-v1.0.bin", "host_a")):
        voice = kokoro(name, voices=str(pack))
        assert np.array_equal(KokoroEngine(voice, 2).synthesize("Hello.").audio, ref)
    with pytest.raises(RenderError, match="host_a, host_b"):
        voice_fingerprint(kokoro("nobody", voices=str(tmp_path / "voices.npz")))


def test_cuda_falls_back_to_cpu_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    clip = KokoroEngine(kokoro(device="cuda"), 1).synthesize("Hi.")
    assert clip.seconds > 0.2
    assert "Kokoro runs on the CPU" in caplog.text


def test_inline_kokoro_names_and_draft_layer(root: Path) -> None:
    cast = load_cast(root / "voices")
    assert {v.engine for v in cast.voices.values()} <= {"kokoro", "piper"}  # no HTS voice by default
    draft = load_cast(root / "voices", draft=True)
    assert draft.voices["Alex"].engine == "festival" and draft.voices["Jordan"].engine == "piper"
    tmp_cast = load_cast(root / "voices", overrides={"Alex": "kokoro:jf_gongitsune:0.7,jf_nezumi:0.3"})
    assert tmp_cast.voices["Alex"].engine == "kokoro"
    assert tmp_cast.voices["Alex"].voice == "jf_gongitsune:0.7,jf_nezumi:0.3"


def test_draft_renders_apart_with_the_old_cast(project: Path) -> None:
    res = run_cli("episode", "1", "--draft", "--no-music", "--workers", "2", cwd=project)
    assert res.returncode == 0, res.stderr
    report = json.loads((project / "output" / "00001" / "draft" / "report.json").read_text())
    assert report["cast"] == "draft"
    assert report["speakers"]["Alex"]["engine"] == "festival"
    assert report["speakers"]["Jordan"]["engine"] == "piper"
    assert not (project / "output" / "00001" / "report.json").exists()  # the quality render is untouched
    res = run_cli("episode", "1", "--no-music", "--workers", "2", cwd=project)
    assert res.returncode == 0, res.stderr
    quality = json.loads((project / "output" / "00001" / "report.json").read_text())
    assert quality["cast"] == "quality" and quality["speakers"]["Alex"]["engine"] == "kokoro"
    assert quality["speakers"]["Alex"]["model_voice"] == "jm_kumo"
    assert quality["cache"]["misses"] == 2  # Jordan's Piper turns were cached by the draft


def test_audition_renders_one_slice_per_candidate(project: Path) -> None:
    res = run_cli("voices", "audition", "1", "--speaker", "Alex", "--turns", "1-2",
                  "--voice", "slt", "--voice", "kokoro:jm_kumo", cwd=project)
    assert res.returncode == 0, res.stderr
    folder = project / "output" / "00001" / "audition"
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["Alex-kokoro-jm_kumo-turns-1-2.wav", "Alex-slt-turns-1-2.wav"]
    import soundfile as sf
    a, rate = sf.read(folder / files[0], dtype="float32")
    b, _ = sf.read(folder / files[1], dtype="float32")
    assert rate == 44_100 and len(a) > rate and len(b) > rate and len(a) != len(b)
    bad = run_cli("voices", "audition", "1", "--speaker", "Sam", "--voice", "slt", cwd=project)
    assert bad.returncode == 2 and "Jordan, Alex" in bad.stderr
    assert not (folder / "Sam-slt-turns-1-4.wav").exists()


def test_word_timings_change_no_sample_and_a_long_sentence_is_split_not_truncated(engine: KokoroEngine) -> None:
    """The duration output render adds (so emphasis knows where a word is) leaves the audio
    bit for bit as kokoro-onnx makes it from the shipped model; a sentence longer than one
    context (510 phonemes) is spoken whole: split in kokoro-onnx's own batches (its chunker
    is what render calls, so the long sentence is not synthesized a second time by the slow
    shipped model), not cut off; and the words it times are the words espeak-ng makes of the text."""
    from kokoro_onnx import Kokoro
    from kokoro_onnx.config import MAX_PHONEME_LENGTH

    from render.voices.engines.kokoro import _session, model_file

    assert engine._kokoro.has_timings
    plain = Kokoro.from_session(_session(model_file(engine_voice := kokoro()), 2, "cpu", rewrite=False),
                                str(packaged_pack()))
    style = blend_style(engine_voice)
    clause = "the scheduler places every pod on a node with the memory and accelerators it asked for"
    long = ", and ".join([clause] * 7) + "."  # ~700 phonemes: cut at 510, five clauses and a bit would be said
    assert len(engine._kokoro.tokenizer.phonemize(long, "en-us")) > MAX_PHONEME_LENGTH
    for text in (LINE, "We need a real budget, not a guess."):
        assert np.array_equal(engine.synthesize(text).audio, plain.create(text, style, 1.0, "en-us")[0])
    said = engine.synthesize(long).audio
    # Every clause is spoken: about as long as seven times one clause.
    one, _ = engine._kokoro.create(clause + ".", engine._style, 1.0, "en-us")
    assert 0.85 * 7 * len(one) < len(said) < 1.3 * 7 * len(one)
    # Joined in pauses: no jump between neighbouring samples larger than speech itself makes.
    assert float(np.max(np.abs(np.diff(said)))) < 0.5 * float(np.max(np.abs(said))) + 0.2
    clip, words = engine.synthesize_words("The cache was the whole problem.")
    assert len(words) == engine.count_words("The cache was the whole problem.") == 5  # "was the" is one
    assert all(0 <= a < b <= len(clip.audio) for a, b in words)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(words))


def test_a_turn_says_every_sentence_in_the_style_of_the_whole_turn(engine: KokoroEngine) -> None:
    """Kokoro's style pack has one row per input length: a sentence of a turn takes the row of
    the turn's length, so it sounds as it would inside the turn, not as a short input."""
    first = "It is the same cluster."
    turn = [first, LINE, "And the scheduler never saw the difference, because the claims were already bound."]
    tokens = [engine.count_tokens(s) for s in turn]
    voice = in_turn(engine, turn)
    assert isinstance(voice, KokoroTurn) and voice.row == sum(tokens) + len(turn) - 1 - 1
    alone, in_its_turn = engine.synthesize(first), voice.synthesize(first)
    assert np.array_equal(in_its_turn.audio, engine.synthesize(first, voice.row).audio)
    assert not np.array_equal(alone.audio, in_its_turn.audio)
    # A turn of one sentence is said as the sentence alone: the row of its own length.
    assert np.array_equal(in_turn(engine, [first]).synthesize(first).audio, alone.audio)
    # Render's marks (emphasis, a rise) are not phonemes: they do not lengthen the turn.
    assert engine.count_tokens("It is the ⟬same⟭ cluster?\u2197") == engine.count_tokens("It is the same cluster?")
    # Past the pack's last row a turn takes the last one.
    assert in_turn(engine, [LINE] * 20).row == 509  # type: ignore[attr-defined]
