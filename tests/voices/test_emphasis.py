"""Emphasis: what the script stresses (Markdown, <emphasis>, capitals for stress), never an
acronym; the turn key; and the accent measured on a real voice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render.audio.intonation import ACCENT_STRETCH
from render.normalize import Normalizer
from render.normalize.lexicon import Lexicon
from render.normalize.sentences import speak as speak_turns
from render.script.markup import emphasis_spans, plain
from render.script.parse import Turn, parse_text
from render.voices.cast import Cast, load_voice
from render.voices.emphasis import stress
from render.voices.engines import load_engine
from render.voices.engines.base import shapes_prosody
from render.voices.jobs import plan_jobs

ROOT = Path(__file__).parents[2]


def _spoken(script: str) -> list[tuple[str, str]]:
    parsed = parse_text(script, Path("ep.md"), ["Jordan", "Alex"])
    turns = speak_turns(parsed.turns, Normalizer(Lexicon.shipped()))
    return [pair for t in turns for pair in t.sentences]


@pytest.mark.parametrize("line,written,said", [
    ("We need a *real* budget.", "We need a real budget.", "We need a ⟬real⟭ budget."),
    ("Not a **guess**, a _plan_.", "Not a guess, a plan.", "Not a ⟬guess⟭, a ⟬plan⟭."),
    ("It is **ONE** cluster.", "It is ONE cluster.", "It is ⟬one⟭ cluster."),
    ("About *40%* of it.", "About 40% of it.", "About ⟬forty percent⟭ of it."),
    ("That is <emphasis>not</emphasis> it.", "That is not it.", "That is ⟬not⟭ it."),
    ('A <emphasis level="reduced">quiet</emphasis> one.', "A quiet one.", "A quiet one."),
    ("HOW MANY nodes failed?", "HOW MANY nodes failed?", "⟬how many⟭ nodes failed?"),
    ("You should NOT do that.", "You should NOT do that.", "You should ⟬not⟭ do that."),
    # acronyms are never stress: the lexicon's, the rule's, and words in capitals that are no stress word
    ("The IAM role, DORA metrics and BGP.", "The IAM role, DORA metrics and BGP.",
     "The I-A-M role, DORA metrics and B-G-P."),
    ("Its PID and the IT team.", "Its PID and the IT team.", "Its PID and the IT team."),
    # a lexicon acronym that is also a stress word: alone it is the acronym, in a run of stress words a word
    ("BGP picks the shortest AS path.", "BGP picks the shortest AS path.", "B-G-P picks the shortest A-S path."),
    ("It is NOT AS FAST as that.", "It is NOT AS FAST as that.", "It is ⟬not as fast⟭ as that."),
    ("THIS IS ALL IN CAPITALS HERE.", "THIS IS ALL IN CAPITALS HERE.", "THIS IS ALL IN CAPITALS HERE."),
])
def test_what_the_script_stresses_is_marked_and_captions_keep_the_written_words(line: str, written: str,
                                                                                 said: str) -> None:
    pairs = _spoken(f"**Jordan**: {line}\n")
    assert " ".join(w for w, _ in pairs) == written
    assert " ".join(s for _, s in pairs).replace("P-I-D", "PID") == said
    assert "⟬" not in plain(" ".join(s for _, s in pairs))


def test_emphasis_in_headings_and_metadata_is_just_text() -> None:
    parsed = parse_text("# The *real* story\n\n**Host**: *Jordan*\n\n**Jordan**: Hi there, *you*.\n",
                        Path("ep.md"), ["Jordan", "Alex"])
    assert parsed.headings[0].text == "The real story"
    assert parsed.metadata.get("Host") == "Jordan"
    assert parsed.turns[0].text == "Hi there, you."


def test_marks_become_character_spans() -> None:
    assert emphasis_spans("We need a ⟬real⟭ budget, ⟬now⟭.") == ("We need a real budget, now.", [(10, 14), (23, 26)])


def test_the_turn_key_changes_with_emphasis_only_for_a_voice_that_shapes_it() -> None:
    natural = load_voice(ROOT / "voices" / "joe.toml")
    engine = replace(natural, intonation="engine")
    stressed = Turn(0, "Jordan", "A real one.", 1, "A real one.", [("A real one.", "A ⟬real⟭ one.")])
    flat = Turn(0, "Jordan", "A real one.", 1, "A real one.", [("A real one.", "A real one.")])

    def key(turn: Turn, voice: object) -> str:
        return plan_jobs([turn], Cast({"Jordan": voice}))[0].key  # type: ignore[dict-item]

    assert key(stressed, natural) != key(flat, natural)
    assert key(stressed, engine) == key(flat, engine)
    assert plan_jobs([stressed], Cast({"Jordan": engine}))[0].sentences == ["A real one."]


def _peak_hz(audio: np.ndarray, rate: int, start_s: float, end_s: float) -> float:
    import librosa

    f0, _, _ = librosa.pyin(audio, fmin=60, fmax=400, sr=rate, frame_length=1024, hop_length=rate // 100)
    seg = f0[int(start_s * 100): int(end_s * 100) + 1]
    seg = seg[~np.isnan(seg)]
    return float(seg.max()) if len(seg) else float("nan")


@pytest.mark.slow
@pytest.mark.parametrize("voice_file", ["joe.toml", "alex.toml"])
def test_each_voice_says_an_emphasised_word_higher_and_longer(voice_file: str) -> None:
    """Pitch peak and length of the marked word, measured (librosa.pyin) on the same synthesis
    before and after the accent: the word's own engine output is the baseline. Both engines
    say where their words are (Piper's alignments, Kokoro's durations)."""
    voice = load_voice(ROOT / "voices" / voice_file)
    engine = load_engine(voice, threads=1)
    rises = []
    for sentence in ("We need a ⟬real⟭ budget for this.", "It took ⟬four⟭ hours to drain the node.",
                     "You have to ⟬measure⟭ it first.", "This is the ⟬only⟭ cluster that failed."):
        text, spans = emphasis_spans(sentence)
        clip, words = engine.synthesize_words(text)
        rate, word = clip.sample_rate, engine.count_words(text[:spans[0][0]])
        start, end = (x / rate for x in words[word])
        if shapes_prosody(engine):  # Kokoro: in the model, so the word is timed anew
            shaped, new_words = engine.synthesize_words(sentence)
            new_start, new_end = (x / rate for x in new_words[word])
            assert new_end - new_start >= 1.05 * (end - start)
        else:
            shaped = stress(engine, text, spans, clip, words)
            new_start, new_end = start, start + ACCENT_STRETCH * (end - start)
            assert len(shaped.audio) - len(clip.audio) == pytest.approx((new_end - end) * rate, abs=2)
        rises.append(12 * np.log2(_peak_hz(shaped.audio, rate, new_start, new_end)
                                  / _peak_hz(clip.audio, rate, start, end)))
    assert sum(r >= 1.5 for r in rises) >= 3, rises


def test_the_accent_is_deterministic() -> None:
    """Lengthening makes Praat's overlap-add draw random numbers: the same sentence must still
    get the same samples every time (the turn cache and byte-identical re-renders rely on it)."""
    from render.audio.intonation import accent

    rate = 22_050
    t = np.arange(int(1.2 * rate)) / rate
    voiced = 0.3 * np.sin(2 * np.pi * 110 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    hiss = (t > 0.55) & (t < 0.65)  # a consonant inside the word: unvoiced, where Praat draws its periods
    voiced[hiss] = 0.1 * np.random.default_rng(0).standard_normal(int(hiss.sum()))
    voiced = voiced.astype(np.float32)
    first = accent(voiced, rate, 0.4, 0.8)
    assert len(first) > len(voiced)  # lengthened
    assert all(np.array_equal(first, accent(voiced, rate, 0.4, 0.8)) for _ in range(3))
