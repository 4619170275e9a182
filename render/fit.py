"""Estimating an episode's length without synthesis, and ``--fit``: landing it in its target."""


from __future__ import annotations

from render.audio.assemble import Pacing, gap_after
from render.deliver.report import judge
from render.estimate import Pace, predict, voice_paces
from render.prepare import Prepared, Settings, prepare, section_starts
from render.voices.cast import Cast

RATE_LIMIT = 0.08  # --fit may change speaking rate by at most ±8 %
PAUSE_RANGE = (0.75, 1.6)  # and scale conversational gaps within natural bounds
ELASTICITY = 0.6  # measured: an 8 % faster rate shortens Piper ~4.5 %, Festival HTS ~7 %


def _paces(prep: Prepared, settings: Settings) -> dict[str, Pace]:
    cache = settings.cache()
    store = cache.root.parent / ".pace" if cache.root is not None else None
    normalizer = settings.normalizer()
    return voice_paces(prep.turns, prep.cast, cache, normalizer, store)


def estimate_episode(ref: str, settings: Settings) -> dict:
    """Predicted duration against the target, and how many words to add or cut."""
    prep = prepare(ref, settings)
    paces = _paces(prep, settings)
    pred = predict(prep.turns, prep.cast, paces, settings.pacing, settings.music,
                   section_starts(prep.script))
    words_per_s = pred.words / pred.speech_s if pred.speech_s else 2.5
    verdict = judge(pred.total_s, prep.target, words_per_s)
    signed = -verdict.gap_words if verdict.verdict == "long" else verdict.gap_words
    return {
        "episode": prep.episode.id,
        "predicted_s": round(pred.total_s, 1),
        "target": None if prep.target is None else {
            "min_s": prep.target.min_s, "max_s": prep.target.max_s, "source": prep.target.source},
        "verdict": verdict.verdict,
        "gap_s": verdict.gap_s,
        "words": signed,
        "script_words": pred.words,
        "speech_s": round(pred.speech_s, 1),
        "pause_s": round(pred.pause_s, 1),
    }


def plan_fit(prep: Prepared, settings: Settings) -> tuple[Settings, dict]:
    """Adjust rate (±8 %) and gaps to land inside the target; report what was changed."""
    if prep.target is None:
        return settings, {"applied": False, "reason": "no target"}
    paces = _paces(prep, settings)
    sections = section_starts(prep.script)
    base = predict(prep.turns, prep.cast, paces, settings.pacing, settings.music, sections)
    lo, hi = prep.target.min_s, prep.target.max_s
    if lo <= base.total_s <= hi:
        return settings, {"applied": False, "reason": "already within the target",
                          "predicted_s": round(base.total_s, 1)}
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
    prep.cast = cast
    after = predict(prep.turns, cast, paces, pacing, settings.music, sections,
                    rate_factor=rate**ELASTICITY)
    new = Settings(**{**settings.__dict__, "pacing": pacing})
    reached = lo <= after.total_s <= hi
    return new, {"applied": True, "rate": round(rate, 4), "pause_scale": round(scale, 3),
                 "predicted_before_s": round(base.total_s, 1), "predicted_after_s": round(after.total_s, 1),
                 "reached": reached}


def _gap_total(prep: Prepared, pacing: Pacing, sections: set[int]) -> float:
    turns = prep.turns
    total = sum(gap_after(t, turns[i + 1], pacing, turns[i + 1].index in sections)
                for i, t in enumerate(turns[:-1]))
    return total
