"""Kokoro's questions rise and its emphasised words are accented inside the model: the graph's
prosody inputs, the shaping, and the rise and the accent measured on the real voice's audio."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render.audio.intonation import ACCENT_ST, ACCENT_STRETCH
from render.normalize.questions import Tune
from render.script.parse import Turn
from render.voices.cast import Cast, load_voice
from render.voices.engines.base import RISE, shapes_prosody, split_rise
from render.voices.engines.kokoro_shaping import LAST_FRAMES, RISE_ST, VOICED_HZ, VOWELS, Shaping, lengthened, rising_span, shape
from render.voices.jobs import EngineCache, plan_jobs, synth_turn
from tests.voices.test_intonation import tail_st

ROOT = Path(__file__).parents[2]
NOW = "sˌoʊ ɪts dʒˈɛnɚɹəli ɐvˈeɪləbəl nˈaʊ?"  # espeak-ng's "So it's generally available now?"


def test_the_rise_starts_at_the_last_stress_and_ends_on_the_last_sonorant() -> None:
    assert NOW[slice(*rising_span(NOW))] == "ˈaʊ"  # type: ignore[misc]
    cards = "dˈʌz ðə dɹˈaɪvɚ wˈɜːk wɪð ˈoʊldɚ kˈɑːɹdz?"  # "Does the driver work with older cards?"
    assert cards[slice(*rising_span(cards))] == "ˈɑːɹ"  # type: ignore[misc]  # "d", "z": no pitch to raise
    assert rising_span("ʃ ʃ?") is None  # no vowel: nothing to raise


def rise(phonemes: str, duration: np.ndarray, f0: np.ndarray, energy: np.ndarray) -> Shaping | None:
    return shape(phonemes, duration, f0, energy, rising=True, words=[])


def _predictions(phonemes: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the model predicts for ``phonemes``, in outline: 3 frames a token, a falling pitch, the
    last vowel devoiced (F0 3 Hz, energy -4) as Kokoro's jm_kumo says it."""
    duration = np.full(len(phonemes) + 2, 3, np.int64)
    frames = 2 * int(duration.sum())
    f0 = np.linspace(120, 80, frames).astype(np.float32)
    energy = np.full(frames, 7.0, np.float32)
    last = 2 * 3 * (max(i for i, c in enumerate(phonemes) if c in VOWELS) + 1)
    f0[last - 6:] = 3.0
    energy[last - 6:] = -4.0
    return duration, f0, energy


def test_the_devoiced_end_is_voiced_again_and_pitched_above_the_sentence() -> None:
    duration, f0, energy = _predictions(NOW)
    shaping = rise(NOW, duration, f0, energy)
    assert shaping is not None
    new_f0, new_energy = f0 + shaping.pitch, energy + shaping.loud
    # "nˈaʊ" holds 12 of the 204 voiced frames, under COVER: the rise starts on "available"'s stress
    start = 2 * 3 * (NOW.index("ˈeɪ") + 1)
    end = 2 * 3 * (NOW.index("?") + 1)
    body = np.median(f0[:start][f0[:start] > VOICED_HZ])
    assert np.all(shaping.pitch[:start] == 0) and np.all(shaping.loud[:start] == 0)  # the sentence before is the model's
    assert new_f0[end - 1] == pytest.approx(body * 2 ** (RISE_ST / 12), rel=1e-4)  # reached and held
    assert np.all(new_f0[start:end] > VOICED_HZ)  # voiced again
    assert np.all(new_energy[start:end - 4] >= np.median(energy[f0 > VOICED_HZ]) - 1e-6)
    assert new_energy[end - 1] < new_energy[end - 5]  # the sentence still ends: energy eases back
    assert np.all(shaping.pitch[end:] == 0)


def test_the_rise_reaches_back_for_voiced_frames_but_not_past_a_comma() -> None:
    tag = "ɪt ʃˈɪps ˌɔn tˈuːzdeɪ, ɹˈaɪt?"  # "It ships on Tuesday, right?"
    duration, f0, energy = _predictions(tag)
    shaping = rise(tag, duration, f0, energy)
    assert shaping is not None
    first = int(np.nonzero(shaping.pitch)[0][0])
    assert first == 2 * 3 * (tag.index("ˈaɪ") + 1)  # the tag rises alone, however short
    longer = "ɪt ʃˈɪps ˌɔn tˈuːzdeɪ ɹˈaɪt?"
    duration, f0, energy = _predictions(longer)
    shaping = rise(longer, duration, f0, energy)
    assert shaping is not None
    assert int(np.nonzero(shaping.pitch)[0][0]) == 2 * 3 * (longer.index("ˈuː") + 1)  # "Tuesday" joins the rise


def test_a_long_final_vowel_is_voiced_only_so_far() -> None:
    duration, f0, energy = _predictions(NOW)
    duration[NOW.rindex("ʊ") + 1] = 40  # the model gave the devoiced vowel a long silence
    frames = 2 * int(duration.sum())
    f0, energy = np.resize(f0, frames), np.resize(energy, frames)
    shaping = rise(NOW, duration, f0, energy)
    assert shaping is not None
    assert int((shaping.loud > 0).sum()) <= 2 * 3 + 2 * 3 + LAST_FRAMES  # stress mark, "a", then at most LAST_FRAMES


def test_predictions_that_do_not_fit_the_phonemes_change_nothing() -> None:
    duration, f0, energy = _predictions(NOW)
    assert rise(NOW + "x", duration, f0, energy) is None
    assert rise(NOW, duration, np.zeros_like(f0), energy) is None  # nothing voiced to measure against


def test_an_emphasised_word_is_longer_and_higher_and_nothing_else_is() -> None:
    word = "ɐvˈeɪləbəl"  # the fourth word espeak-ng made of "So it's generally available now?"
    first = NOW.index(word)
    duration, f0, energy = _predictions(NOW)
    extra = lengthened(NOW, duration, [3], rising=False)
    assert extra.sum() == round((ACCENT_STRETCH - 1) * 3 * len(word))  # 12 % of the word's frames
    assert all(NOW[i - 1] in "ɐeɪə" for i in np.flatnonzero(extra))  # ...given to its vowels
    assert lengthened(NOW, duration, [0], rising=False).sum() >= 1  # a short word gets a frame at least
    shaping = shape(NOW, duration, f0, energy, rising=False, words=[3])
    assert shaping is not None and np.all(shaping.loud == 0)
    lo, hi = 2 * 3 * (first + 1), 2 * 3 * (first + len(word) + 1)
    assert np.all(shaping.pitch[:lo] == 0) and np.all(shaping.pitch[hi:] == 0)
    peak = np.max(12 * np.log2((f0[lo:hi] + shaping.pitch[lo:hi]) / f0[lo:hi]))
    assert peak == pytest.approx(ACCENT_ST, abs=0.1)  # the arc's top, over the model's own pitch
    unknown = shape(NOW, duration, f0, energy, rising=False, words=[99])
    assert unknown is not None and unknown.pitch.max() == 0 and lengthened(NOW, duration, [99], rising=False).sum() == 0


def test_the_rise_mark_is_split_off_the_end_only() -> None:
    assert split_rise("Now?" + RISE) == ("Now?", True)
    assert split_rise("Now?") == ("Now?", False)
    assert split_rise(RISE + "Now?") == (RISE + "Now?", False)


def test_a_long_sentence_rises_only_in_its_last_batch_and_accents_where_its_words_are() -> None:
    """Kokoro says a long sentence in batches of at most 510 phonemes: the rise belongs to the
    last batch alone, and a marked word to the batch that holds it, counted from its start."""
    from render.voices.engines.kokoro import batch_shaping

    batches = ["wˈʌn tˈuː θɹˈiː,", "fˈoːɹ fˈaɪv,", "sˈɪks sˈɛvən?"]  # 3, 2 and 2 words
    assert batch_shaping(batches, [1, 3, 6], rising=True) == [
        (batches[0], [1], False), (batches[1], [0], False), (batches[2], [1], True)]
    assert [rises for _, _, rises in batch_shaping(batches, [], rising=False)] == [False] * 3
    assert batch_shaping(batches[:1], [], rising=True) == [(batches[0], [], True)]


@pytest.mark.slow
def test_kokoro_says_a_question_rising_in_the_model_and_leaves_the_rest_alone() -> None:
    from render.voices.engines.kokoro import KokoroEngine

    voice = load_voice(ROOT / "voices" / "alex.toml")
    assert voice.intonation == "natural"
    engine = KokoroEngine(voice, threads=2)
    assert shapes_prosody(engine)
    text = "So it's generally available now?"
    plain = engine.synthesize(text)
    risen = engine.synthesize(text + RISE)
    assert tail_st(plain.audio, plain.sample_rate) < 0.0  # the model's own tune falls
    assert tail_st(risen.audio, risen.sample_rate) >= 2.0
    assert np.array_equal(risen.audio, engine.synthesize(text + RISE).audio)  # deterministic
    clip, words = engine.synthesize_words(text + RISE)  # timed like any sentence, for emphasis
    assert len(words) == engine.count_words(text) and words[-1][1] <= len(clip.audio)

    # Through a turn: the question rises in the model, the statement is the model's own.
    turn = Turn(0, "Alex", "The pager stayed quiet. " + text, 1, "", [("The pager stayed quiet.",) * 2, (text, text)])
    (job,) = plan_jobs([turn], Cast({"Alex": voice}))
    assert job.tunes == [None, Tune.RISE]
    audio = synth_turn(EngineCache(2), job)
    assert tail_st(audio.sentences[1], audio.sample_rate) >= 2.0
    (engine_job,) = plan_jobs([turn], Cast({"Alex": replace(voice, intonation="engine")}))
    assert engine_job.key != job.key
    assert tail_st(synth_turn(EngineCache(2), engine_job).sentences[1], audio.sample_rate) < 0.0


@pytest.mark.slow
def test_the_predictor_predicts_what_the_whole_model_does() -> None:
    """The predictor (a graph of its own, for speed) gives the whole model's durations, pitch
    and energy exactly, so the rise is computed on the frames the model then speaks."""
    from render.voices.engines.kokoro import KokoroEngine, _open
    from render.voices.engines.kokoro_graph import OUTPUTS, predictor

    engine = KokoroEngine(load_voice(ROOT / "voices" / "alex.toml"), threads=1)
    tokens = engine._kokoro.tokenizer.tokenize(NOW)
    feed = {engine._tokens_input: np.array([[0, *tokens, 0]], np.int64),
            "style": engine._style[len(tokens) - 1], "speed": np.array([1.2], np.float32)}
    whole = engine._kokoro.sess.run(list(OUTPUTS), feed)
    part = _open(predictor(engine._model), 1, "cpu").run(list(OUTPUTS), feed)
    assert all(np.array_equal(a, b) for a, b in zip(whole, part, strict=True))
    assert whole[1].size == 2 * int(whole[0].sum())  # two F0 values a frame


def test_a_rising_syllable_is_lengthened_on_its_last_vowel() -> None:
    from render.voices.engines.kokoro_shaping import RISE_FRAMES

    duration, _, _ = _predictions(NOW)
    extra = lengthened(NOW, duration, [], rising=True)
    assert extra.sum() == RISE_FRAMES and extra[NOW.rindex("ʊ") + 1] == RISE_FRAMES  # "nˈaʊ": its last vowel
    assert lengthened(NOW, duration[:-1], [], rising=True).sum() == 0  # predictions that do not fit: nothing
