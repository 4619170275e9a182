"""Engines, assembly and mastering with the real voices and real files."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from render.audio.assemble import Pacing, Turn, assemble, gap_after
from render.audio.clips import TurnAudio
from render.audio.dsp import RATE, loudness, peak_envelope, true_peak
from render.audio.export import write_audio
from render.audio.master import MasterSpec, master, measure
from render.audio.measure import read_back
from render.audio.music import generate_intro
from render.voices.cast import load_cast
from render.voices.engines import load_engine
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset


@pytest.fixture(scope="module")
def engines():
    cast = load_cast(ROOT / "voices")
    loaded = {name: load_engine(v) for name, v in cast.voices.items()}
    yield loaded
    for e in loaded.values():
        e.close()


def _ltas(clip) -> np.ndarray:
    """Long-term average spectrum in 24 log-spaced bands (dB, level removed): a voice's timbre."""
    from scipy.signal import welch

    from render.audio.dsp import resample

    audio = resample(clip.audio, clip.sample_rate, 16_000)
    freqs, power = welch(audio, 16_000, nperseg=1024)
    edges = np.geomspace(100, 7000, 25)
    bands = np.array([10 * np.log10(power[(freqs >= lo) & (freqs < hi)].mean() + 1e-12)
                      for lo, hi in pairwise(edges)])
    return bands - bands.mean()


def test_real_voices_speak_and_sound_different(engines) -> None:
    texts = ("Measure before you optimize, because forty percent is real money.",
             "The scheduler places each pod on a node that has the memory it asked for.")
    clips = {name: [engine.synthesize(t) for t in texts] for name, engine in engines.items()}
    for clip in (c for pair in clips.values() for c in pair):
        assert clip.audio.dtype == np.float32
        assert 2.0 < clip.seconds < 8.0
        assert np.sqrt(np.mean(clip.audio ** 2)) > 0.01
    assert clips["Jordan"][0].sample_rate == 22050 and clips["Alex"][0].sample_rate == 24000
    # Two different models (Piper joe, Kokoro jm_kumo): their timbres differ far more between
    # the hosts than between two sentences of one host (measured: 6-7 dB against about 2).
    def rms(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.sqrt(np.mean((a - b) ** 2)))
    ltas = {name: [_ltas(c) for c in pair] for name, pair in clips.items()}
    within = max(rms(*ltas["Jordan"]), rms(*ltas["Alex"]))
    across = min(rms(ltas["Jordan"][i], ltas["Alex"][i]) for i in range(2))
    assert across > 2 * within, (across, within)
    # The default cast is deterministic: the same sentence, the same samples (Piper joe draws
    # no sampling noise, Kokoro none at all), so a re-render repeats and a check repeats.
    for name, engine in engines.items():
        assert np.array_equal(engine.synthesize(texts[0]).audio, clips[name][0].audio), name


def _tone(seconds: float, freq: float, rate: int = 22050, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _turns() -> tuple[list[Turn], dict[int, TurnAudio]]:
    turns = [Turn(0, "Jordan", "Hello there, welcome.", 1), Turn(1, "Alex", "Thanks for having me?", 2),
             Turn(2, "Jordan", "Wait, really.", 3)]
    silence = np.zeros(2205, np.float32)
    audio = {0: TurnAudio([np.concatenate([silence, _tone(1.0, 200), silence]), _tone(0.5, 220)], 22050),
             1: TurnAudio([_tone(1.2, 300, 32000, 0.05)], 32000),
             2: TurnAudio([_tone(0.8, 250)], 22050)}
    return turns, audio


def test_assembly_places_turns_with_gaps_and_fades() -> None:
    turns, audio = _turns()
    pacing = Pacing()
    tl = assemble(turns, audio, {"Jordan": 0.2, "Alex": 0.2}, pacing, None)
    assert tl.rate == RATE and tl.audio.dtype == np.float32
    spans = tl.turns
    assert spans[0].start_s == pytest.approx(pacing.lead_s, abs=1e-3)
    # leading/trailing silence trimmed: first sentence ~1.0 s (+ 2×20 ms padding)
    s0 = spans[0].sentences[0]
    assert s0[1] - s0[0] == pytest.approx(1.04, abs=0.03)
    # gaps: plain statement, then a question, then an interjection; each within half an MP3
    # frame (13 ms), since every later turn starts on the frame grid (see render.audio.mp3)
    half_frame = 576 / RATE + 1e-6
    assert spans[1].start_s - spans[0].end_s == pytest.approx(gap_after(turns[0], turns[1], pacing, False),
                                                              abs=half_frame)
    assert spans[2].start_s - spans[1].end_s == pytest.approx(pacing.interjection_gap_s, abs=half_frame)
    assert all(round(s.start_s * RATE) % 1152 == 0 for s in spans[1:])
    for span in spans:  # every cut is faded: the first and last samples are near zero
        a, b = int(span.start_s * RATE), int(span.end_s * RATE)
        assert abs(tl.audio[a]) < 1e-3 and abs(tl.audio[b - 1]) < 1e-2
    # loudness matched between voices although Alex's clip is 15 dB quieter
    lj = loudness(tl.audio[int(spans[0].start_s * RATE): int(spans[0].end_s * RATE)])
    la = loudness(tl.audio[int(spans[1].start_s * RATE): int(spans[1].end_s * RATE)])
    assert abs(lj - la) < 2.0
    assert np.max(np.abs(tl.audio)) < 1.0


def test_intro_music_plays_alone_then_ducks_under_speech() -> None:
    turns, audio = _turns()
    pacing = Pacing()
    intro = generate_intro()
    with_music = assemble(turns, dict(audio), {"Jordan": 0.2, "Alex": 0.2}, pacing, (intro, "generated"))
    without = assemble(turns, audio, {"Jordan": 0.2, "Alex": 0.2}, pacing, None)
    start = with_music.turns[0].start_s
    assert start == pytest.approx(pacing.music_lead_s)
    solo = with_music.audio[int(0.5 * RATE): int((start - 0.7) * RATE)]
    assert loudness(solo) > pacing.voice_lufs - 6  # audible on its own
    # while both play, the bed (music only) is ≥ 20 dB below speech
    s, e = int(with_music.turns[0].start_s * RATE), int(with_music.turns[0].end_s * RATE)
    offset = int((start - without.turns[0].start_s) * RATE)
    bed = with_music.audio[s:e] - without.audio[s - offset: e - offset]
    speech = without.audio[s - offset: e - offset]
    assert loudness(speech) - loudness(bed) >= 20
    assert with_music.music_end_s < start + pacing.music_bed_s + pacing.music_fade_s + 0.1


def test_assembled_envelope_is_the_true_peak_envelope_of_the_mix() -> None:
    """Assembly builds the limiter's envelope from the turns' cached ones: it must match the mix."""
    turns, audio = _turns()
    tl = assemble(turns, audio, {"Jordan": 0.2, "Alex": 0.2}, Pacing(), (generate_intro(), "generated"))
    assert tl.envelope is not None and tl.envelope.shape == tl.audio.shape
    built = tl.envelope.astype(np.float32)
    true = peak_envelope(tl.audio)
    assert np.all(built >= true * (1 - 2e-3) - 1e-4)  # never below: the limiter would let peaks through
    assert float(np.max(built - true)) < 0.05  # only turn-edge fades leave it a little above
    assert float(np.mean(np.abs(built - true))) < 1e-4


def test_limiter_measured_in_parallel_parts_equals_the_limited_audio() -> None:
    """Mastering measures the limited episode in parts, without a copy: the figure must not move."""
    from render.audio.dsp import Limiter, limit

    rng = np.random.default_rng(7)
    t = np.arange(61 * RATE) / RATE
    x = (np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2
         + 0.05 * rng.standard_normal(len(t))).astype(np.float32)
    env = peak_envelope(x)
    limiter = Limiter(x, env, -3.0, gain=1.6)
    whole = limit(x, -3.0, envelope=env, gain=1.6)
    assert limiter.loudness() == pytest.approx(loudness(whole), abs=1e-4)
    np.testing.assert_array_equal(limiter.block(RATE, 3 * RATE), whole[RATE: 3 * RATE])
    assert true_peak(whole) <= -3.0 + 0.05


def test_master_hits_loudness_and_true_peak_on_decoded_mp3(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(20 * RATE) / RATE
    speechy = (np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2
               + 0.05 * rng.standard_normal(len(t))).astype(np.float32)
    speechy[RATE: RATE + 50] = 0.99  # a transient that must be limited
    spec = MasterSpec()
    out = master(speechy * 0.1, spec)
    path = tmp_path / "x.mp3"
    write_audio(out, path, "mp3")
    decoded, rate = read_back(path)
    m = measure(decoded, rate)
    assert rate == RATE
    assert abs(m.integrated_lufs - spec.lufs) <= 0.5
    assert m.true_peak_dbtp <= -1.0
    assert true_peak(out) <= spec.true_peak_db - spec.headroom_db + 0.05


def test_streamed_loudness_matches_pyloudnorm() -> None:
    import pyloudnorm

    rng = np.random.default_rng(3)
    for rate, secs in ((44100, 0.6), (44100, 30.0), (22050, 7.3), (32000, 3.1)):
        t = np.arange(int(secs * rate)) / rate
        x = (0.2 * np.sin(2 * np.pi * 300 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
             + 0.02 * rng.standard_normal(len(t))).astype(np.float32)
        want = pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64))
        assert loudness(x, rate, block=4096) == pytest.approx(want, abs=1e-6)


def test_compression_leaves_room_for_the_master(engines) -> None:
    """Neural voices peak ~22 dB over their loudness; the voice compressor takes 3+ dB off that,
    so the limiter can reach -16 LUFS under -1 dBTP without squashing every syllable."""
    from render.audio.assemble import COMPRESS_BELOW_DB
    from render.audio.dsp import Limiter, compress, resample

    for name, engine in engines.items():
        clip = engine.synthesize("OpenAI freed thirty thousand cores. Wait, really? Yes, and it saved money.")
        speech = resample(clip.audio, clip.sample_rate)
        level = loudness(speech)
        squeezed = compress(speech, RATE, level + COMPRESS_BELOW_DB)
        crest = true_peak(speech) - level
        after = true_peak(squeezed) - loudness(squeezed)
        assert crest - after >= 2.0, (name, crest, after)
        # what it buys: the same limiter at the same gain gets louder from the compressed voice
        for audio in (speech, squeezed):
            audio *= np.float32(10 ** ((-20 - loudness(audio)) / 20))
        plain = Limiter(speech, peak_envelope(speech), -1.8, 10 ** (5 / 20)).loudness()
        comp = Limiter(squeezed, peak_envelope(squeezed), -1.8, 10 ** (5 / 20)).loudness()
        assert comp > plain + 0.4, (name, plain, comp)
    # Below the threshold nothing changes: a quiet tone passes as it is.
    tone = (0.01 * np.sin(2 * np.pi * 220 * np.arange(RATE) / RATE)).astype(np.float32)
    np.testing.assert_allclose(compress(tone, RATE, -20.0), tone, rtol=1e-5, atol=1e-7)


def test_a_voice_keeps_its_level_while_an_edit_barely_moves_it() -> None:
    from render.audio.assemble import voice_levels
    from render.script.parse import Turn as T

    turns = [T(index=i, speaker="Jordan" if i % 2 == 0 else "Alex", text="x", line=i + 1) for i in range(6)]
    levels = {0: -20.0, 1: -24.0, 2: -21.0, 3: -25.0, 4: -22.0, 5: -26.0}
    assert voice_levels(levels, turns) == {"Jordan": -21.0, "Alex": -25.0}
    edited = {**levels, 2: -21.2}  # the median turn re-said a little quieter
    assert voice_levels(edited, turns) == {"Jordan": -21.2, "Alex": -25.0}
    assert voice_levels(edited, turns, {"Jordan": -21.0, "Alex": -25.0}) == {"Jordan": -21.0, "Alex": -25.0}
    louder = {**levels, 2: -19.5, 4: -19.0}  # a real change of level is followed
    assert voice_levels(louder, turns, {"Jordan": -21.0, "Alex": -25.0})["Jordan"] == -19.5
