"""Estimating an episode's length without synthesis, and ``--fit``: landing it in its target."""


from __future__ import annotations

from dataclasses import dataclass, replace

from render.audio.assemble import Pacing, gap_after
from render.deliver.report import judge
from render.estimate import Pace, predict, voice_paces
from render.prepare import Prepared, Settings, prepare, section_starts
from render.report import Fit, Target
from render.voices.cast import Cast

RATE_LIMIT = 0.08  # --fit may change speaking rate by at most ±8 %
PAUSE_RANGE = (0.75, 1.6)  # and scale conversational gaps within natural bounds
ELASTICITY = 0.6  # measured: an 8 % faster rate shortens Piper ~4.5 %, Festival HTS ~7 %


def _paces(prep: Prepared, settings: Settings) -> dict[str, Pace]:
    cache = settings.cache()
    store = cache.root.parent / ".pace" if cache.root is not None else None
    return voice_paces(prep.turns, prep.cast, cache, prep.normalizer, store)


@dataclass
class Estimate:
    """``render estimate``: the predicted length against the target, without synthesis."""

    episode: str
    predicted_s: float
    target: Target | None
    verdict: str
    gap_s: float
    words: int  # to add (> 0) or cut (< 0) to land in the target
    script_words: int
    speech_s: float
    pause_s: float


def estimate_episode(ref: str, settings: Settings) -> Estimate:
    """Predicted duration against the target, and how many words to add or cut."""
    prep = prepare(ref, settings)
    paces = _paces(prep, settings)
    pred = predict(prep.turns, prep.cast, paces, settings.pacing, settings.music,
                   section_starts(prep.script))
    words_per_s = pred.words / pred.speech_s if pred.speech_s else 2.5
    verdict = judge(pred.total_s, prep.target, words_per_s)
    signed = -verdict.gap_words if verdict.verdict == "long" else verdict.gap_words
    target = prep.target
    return Estimate(prep.episode.id, round(pred.total_s, 1), target, verdict.verdict, verdict.gap_s, signed,
                    pred.words, round(pred.speech_s, 1), round(pred.pause_s, 1))


def plan_fit(prep: Prepared, settings: Settings) -> tuple[Prepared, Settings, Fit]:
    """Adjust rate (±8 %) and gaps to land inside the target: the episode with its cast at the
    new rate, the settings with the new pacing, and what was changed (nothing is changed in place)."""
    if prep.target is None:
        return prep, settings, Fit(False, "no target")
    paces = _paces(prep, settings)
    sections = section_starts(prep.script)
    base = predict(prep.turns, prep.cast, paces, settings.pacing, settings.music, sections)
    lo, hi = prep.target.min_s, prep.target.max_s
    if lo <= base.total_s <= hi:
        return prep, settings, Fit(False, "already within the target", predicted_s=round(base.total_s, 1),
                                   predicted_after_s=round(base.total_s, 1), reached=True)
    aim = (lo + hi) / 2  # the centre leaves room for the prediction's few percent of error
    fixed = base.total_s - base.speech_s - _gap_total(prep, settings.pacing, sections)
    gaps = base.total_s - base.speech_s - fixed
    # Speaking rate first (the larger lever), then the gaps. Engines stretch phonemes, not
    # their built-in pauses, so speech time moves as rate**-ELASTICITY, not 1/rate.
    rate = (base.speech_s / max(1e-6, aim - fixed - gaps)) ** (1 / ELASTICITY)
    rate = min(1 + RATE_LIMIT, max(1 - RATE_LIMIT, rate))
    speech = base.speech_s / rate**ELASTICITY
    scale = (aim - fixed - speech) / gaps if gaps > 0 else 1.0
    scale = min(PAUSE_RANGE[1], max(PAUSE_RANGE[0], scale))
    pacing = settings.pacing.scaled(scale)
    cast = Cast({s: v.with_rate(rate) for s, v in prep.cast.voices.items()}, prep.cast.source)
    after = predict(prep.turns, cast, paces, pacing, settings.music, sections,
                    rate_factor=rate**ELASTICITY)
    prep = replace(prep, cast=cast)
    prep.inputs = replace(prep.inputs, settings={**prep.inputs.settings, "pacing": pacing})
    fit = Fit(True, rate=round(rate, 4), pause_scale=round(scale, 3), predicted_s=round(base.total_s, 1),
              predicted_after_s=round(after.total_s, 1), reached=lo <= after.total_s <= hi)
    return prep, replace(settings, pacing=pacing), fit


def _gap_total(prep: Prepared, pacing: Pacing, sections: set[int]) -> float:
    turns = prep.turns
    total = sum(gap_after(t, turns[i + 1], pacing, turns[i + 1].index in sections)
                for i, t in enumerate(turns[:-1]))
    return total
