"""Render speed of episode 00035 against the bare engines, measured in one run.

Prints, all from this one run on this machine:

* the baseline: the same turns synthesized by the bare engines one after
  another, as they ship: Kokoro through ``kokoro_onnx.Kokoro(model, voices)``
  and ``create(text, voice, speed, lang)`` in one process, called the fastest
  of three ways measured on a sample in the same run (a turn per call, a
  sentence per call, ONNX Runtime's threads set to the cores); Piper
  through ``PiperVoice.load`` (ONNX Runtime's default threads) and
  ``synthesize`` per turn; Festival through ``text2wave`` per turn, with the
  voice's own settings;
* render's own engine adapters run serially (a persistent Festival, Piper's
  2-D decoder on all cores): how much of the gain is the adapters;
* a cold render (empty cache: turns and compiled models) with wall time,
  audio duration, real-time factor, peak RSS, and both ratios;
* a warm re-render with nothing changed, and re-renders after editing one
  turn (three different edits; the median is the figure);
* a cold preview of one exchange (time to audio), peak RSS of a 25-minute
  episode, and the duration estimate against the rendered length.

    .venv/bin/python benchmarks/render_speed.py [--workers N] [--draft]

``--draft`` measures the fast draft cast (``render episode --draft``) instead of the default one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.prepare import Prepared, Settings, prepare  # noqa: E402
from render.voices.engines import load_engine  # noqa: E402
from render.voices.engines.festival import setup_commands  # noqa: E402
from render.voices.voice import resolve_piper_model  # noqa: E402

SCRIPT = "00035-kubecon-2025-ai-native.md"
EDITS = [("**Jordan**: I'm listening.", "**Jordan**: I'm all ears."),
         ("**Alex**: Exactly. And the performance hit?", "**Alex**: Exactly right. And the performance hit?"),
         ("**Jordan**: Alright. Let's get practical.", "**Jordan**: Alright then. Let's get practical.")]


DRAFT: list[str] = []  # ["--draft"] when measuring the draft cast


def run_render(project: Path, cache: Path, *extra: str) -> tuple[float, dict, int]:
    """Wall seconds, report and peak RSS (kB: the largest process, main or worker) of one CLI render."""
    cmd = [sys.executable, "-m", "render", "episode", "00035", "--root", str(project),
           "--cache-dir", str(cache), *DRAFT, *extra]
    probe = ("import resource,subprocess,sys;"
             "r=subprocess.run(sys.argv[1:]);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
             "sys.exit(r.returncode)")
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    rss_kb = int(res.stderr.strip().splitlines()[-1])
    folder = project / "output" / "00035" / ("draft" if DRAFT else "")
    report = json.loads((folder / "report.json").read_text())
    return wall, report, rss_kb


def _turn_texts(prep: Prepared, speaker: str) -> list[str]:
    return [" ".join(s for _, s in t.sentences if s) for t in prep.turns if t.speaker == speaker]


def _bare_kokoro(voice, explicit_threads: bool):
    """kokoro-onnx as a user builds it: ``Kokoro(model, voices)``, or on a session whose ONNX
    Runtime threads are set to the cores."""
    import onnxruntime as rt
    from kokoro_onnx import Kokoro

    from render.voices.engines.kokoro import model_file, pack_path

    if not explicit_threads:
        return Kokoro(str(model_file(voice)), str(pack_path(voice)))
    options = rt.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    session = rt.InferenceSession(str(model_file(voice)), options, providers=["CPUExecutionProvider"])
    return Kokoro.from_session(session, str(pack_path(voice)))


def _kokoro_variants(voice, texts: list[str], sentences: list[str]) -> dict[str, float]:
    """Seconds of work per second of audio for the ways a user might call bare kokoro-onnx,
    on a sample: its default session with a turn or a sentence per call, and a session with
    ONNX Runtime's threads set to the cores explicitly."""
    from render.voices.engines.kokoro import blend_style, speed

    style = blend_style(voice)
    explicit, default = _bare_kokoro(voice, explicit_threads=True), _bare_kokoro(voice, explicit_threads=False)
    default.create(texts[0], style, speed(voice), voice.lang)  # warm-up
    out = {}
    for label, kokoro, items in (("per turn", default, texts), ("per sentence", default, sentences),
                                 ("per turn, threads = cores", explicit, texts)):
        t0, audio = time.perf_counter(), 0.0
        for text in items:
            samples, rate = kokoro.create(text, style, speed(voice), voice.lang)
            audio += len(samples) / rate
        out[label] = (time.perf_counter() - t0) / audio
    return out


def bare_baseline(prep: Prepared) -> tuple[float, float, dict[str, float], dict[str, float]]:
    """(synthesis seconds, model loading seconds, seconds per voice, Kokoro's variants) for
    the engines as shipped, each called the fastest way measured on a sample in this run:
    the baseline is the fastest honest use of the bare engines, not a strawman."""
    from piper import PiperVoice, SynthesisConfig

    per_voice: dict[str, float] = {}
    variants: dict[str, float] = {}
    loading = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for speaker, voice in prep.cast.voices.items():
            texts = _turn_texts(prep, speaker)
            if voice.engine == "kokoro":
                from render.voices.engines.kokoro import blend_style, model_file, speed
                model_file(voice)  # joined (once per user) outside the timing
                sample = sorted(texts, key=len)[len(texts) // 2:][:8]  # eight of the longer turns
                sentences = [s for t in prep.turns if t.speaker == speaker
                             and " ".join(x for _, x in t.sentences if x) in sample for _, s in t.sentences if s]
                variants = _kokoro_variants(voice, sample, sentences)
                best = min(variants, key=lambda k: variants[k])
                t0 = time.perf_counter()
                kokoro = _bare_kokoro(voice, explicit_threads=best == "per turn, threads = cores")
                loading += time.perf_counter() - t0
                style = blend_style(voice)
                calls = texts if best != "per sentence" else [
                    s for t in prep.turns if t.speaker == speaker for _, s in t.sentences if s]
                t0 = time.perf_counter()
                for text in calls:
                    kokoro.create(text, style, speed(voice), voice.lang)
            elif voice.engine == "piper":
                onnx, cfg = resolve_piper_model(voice.model or "", voice.source)
                t0 = time.perf_counter()
                piper = PiperVoice.load(onnx, config_path=cfg)
                loading += time.perf_counter() - t0
                syn = SynthesisConfig(length_scale=voice.length_scale, noise_scale=voice.noise_scale,
                                      noise_w_scale=voice.noise_w)
                t0 = time.perf_counter()
                for text in texts:
                    list(piper.synthesize(text, syn))
            elif voice.engine == "festival":
                setup = setup_commands(voice).replace("\n", " ")
                t0 = time.perf_counter()
                for text in texts:
                    subprocess.run(["text2wave", "-eval", setup, "-o", f"{tmp}/turn.wav"], input=text,
                                   text=True, capture_output=True, check=True)
            else:
                raise SystemExit(f"no bare baseline for the {voice.engine} engine")
            per_voice[speaker] = time.perf_counter() - t0
    return sum(per_voice.values()), loading, per_voice, variants


def adapter_baseline(prep: Prepared) -> float:
    """render's own engines, one sentence after another, all cores to each: no parallel workers."""
    engines = {name: load_engine(v, threads=os.cpu_count() or 1) for name, v in prep.cast.voices.items()}
    t0 = time.perf_counter()
    for turn in prep.turns:
        for _, spoken in turn.sentences:
            if spoken:
                engines[turn.speaker].synthesize(spoken)
    wall = time.perf_counter() - t0
    for e in engines.values():
        e.close()
    return wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--draft", action="store_true", help="measure the draft cast")
    args = ap.parse_args()
    if args.draft:
        DRAFT.append("--draft")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "proj"
        for d in ("voices", "transcripts"):
            shutil.copytree(ROOT / d, project / d)
        cache = Path(tmp) / "cache"
        prep = prepare("00035", Settings(root=project, draft=args.draft))
        bare, bare_load, bare_voices, variants = bare_baseline(prep)
        adapters = adapter_baseline(prep)
        cold, report, rss = run_render(project, cache, "--workers", str(args.workers))
        warm, report_warm, _ = run_render(project, cache)
        script = project / "transcripts" / SCRIPT
        original = script.read_text(encoding="utf-8")
        edits = []
        for old, new in EDITS:
            assert old in original, old
            script.write_text(original.replace(old, new), encoding="utf-8")
            wall, rep, _ = run_render(project, cache)
            edits.append((wall, rep["cache"], rep["timings"].get("check", 0.0)))
        script.write_text(original, encoding="utf-8")
        env = {**os.environ, "RENDER_CACHE_DIR": str(cache)}
        est = json.loads(subprocess.run(
            [sys.executable, "-m", "render", "estimate", "00035", "--json", "--root", str(project)],
            capture_output=True, text=True, cwd=ROOT, env=env, check=True).stdout)
        cold_est = json.loads(subprocess.run(
            [sys.executable, "-m", "render", "estimate", "00035", "--json", "--root", str(project)],
            capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "RENDER_CACHE_DIR": str(Path(tmp) / "cold" / "cache")}, check=True).stdout)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "render", "preview", "00035", "--exchange", "5", "--root",
                        str(project), *DRAFT], capture_output=True, cwd=ROOT, check=True,
                       env={**os.environ, "RENDER_CACHE_DIR": str(Path(tmp) / "preview-cache")})
        preview = time.perf_counter() - t0
        # A 25-minute episode from 00035's own turns (all cached): peak memory at that length.
        body = original.split("\n---\n", 2)[-1]
        script.write_text("---\ntitle: Long\n---\n" + body + "\n\n"
                          + body.split("**Jordan**: Alright. Let's get practical.")[0], encoding="utf-8")
        long_wall, long_report, long_rss = run_render(project, cache)
    dur = report["duration_s"]
    edit_walls = [w for w, _, _ in edits]
    check = report["timings"].get("check", 0.0)
    rows = [
        ("audio duration", f"{dur:.1f} s"),
        ("cast", ", ".join(f"{k} {v.engine} {v.voice or v.model}" for k, v in prep.cast.voices.items())),
        ("baseline: bare engines as shipped, serial, the fastest way",
         f"{bare:.1f} s  ({', '.join(f'{k} {v:.1f} s' for k, v in bare_voices.items())}; "
         f"plus {bare_load:.1f} s model loading)"),
        ("bare Kokoro, ways to call it (s of work per s of audio, sample)",
         ", ".join(f"{k} {v:.3f}" for k, v in variants.items()) or "-"),
        ("render's own adapters, serial", f"{adapters:.1f} s"),
        (f"cold render, {args.workers} workers (empty cache)", f"{cold:.1f} s wall"),
        (f"cold / baseline (goal <= {0.65 if DRAFT else 0.60})",
         f"{cold / bare:.2f} with the check, {(cold - check) / bare:.2f} without it"),
        ("check of the cold render (goal <= 0.08 x audio)",
         f"{check:.1f} s = {check / dur:.3f} x audio; {100 * check / (cold - check):.0f} % on top of the render "
         f"(goal <= 15 %); {report['check']['second_opinions']} turns heard again by Whisper base"),
        ("check after editing one turn (goal <= 2 s)",
         f"median {statistics.median(c for *_, c in edits):.1f} s of " + ", ".join(f"{c:.1f} s" for *_, c in edits)),
        ("cold / render's adapters serial", f"{cold / adapters:.2f}"),
        ("real-time factor (cold wall / audio)", f"{cold / dur:.3f}"),
        ("peak RSS of the cold render", f"{rss / 1024:.0f} MB"),
        ("stage times (cold)", json.dumps(report["timings"])),
        ("warm re-render, nothing changed (goal <= 5 s)", f"{warm:.1f} s  cache {report_warm['cache']}"),
        ("re-render after editing one turn (goal <= 8 s)",
         f"median {statistics.median(edit_walls):.1f} s of "
         + ", ".join(f"{w:.1f} s" for w in edit_walls) + f"  cache {edits[0][1]}"),
        ("cold preview of one exchange (time to audio)", f"{preview:.1f} s"),
        (f"{long_report['duration_s'] / 60:.1f}-minute episode (cached turns): peak RSS",
         f"{long_rss / 1024:.0f} MB, {long_wall:.1f} s wall"),
        ("estimate (warm cache) vs rendered", f"{est['predicted_s']:.1f} s vs {dur:.1f} s: "
                                              f"{100 * (est['predicted_s'] - dur) / dur:+.1f} %"),
        ("estimate (cold, calibration only)", f"{cold_est['predicted_s']:.1f} s: "
                                              f"{100 * (cold_est['predicted_s'] - dur) / dur:+.1f} %"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
