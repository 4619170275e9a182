"""The review page: ``output/EP/index.html``, one self-contained file beside the MP3.

A producer listens an episode through before publishing it; the page puts the
player, a timeline of the turns (coloured by speaker, with chapters, the intro
music, the loudness envelope and the proof-listening flags), the transcript
that follows the audio, and the report at a glance on one screen. It is built
only from files the render already wrote (``report.json``, ``turns.json``), so
``render check`` can rewrite it with new flags without touching the audio, and
the browser decodes nothing: the envelope is computed from the timeline at
render time (:func:`envelope`).

The template (``page.html``) carries its CSS and JavaScript inline and loads
nothing from the network, so the page works opened from disk and from
``render serve`` alike.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path

import numpy as np

from render.audio.export import write_text
from render.check.hear import LAYOUT, load_layout
from render.errors import RenderError

PAGE = "index.html"
ENVELOPE_STEP_S = 0.5  # one envelope point per half second: ~1,900 for a 15-minute episode
ENVELOPE_FLOOR_DB = -50.0  # drawn from the floor (silence) to 0 (the loudest half second)


def envelope(audio: np.ndarray, rate: int, delay_s: float = 0.0) -> dict:
    """The episode's level per :data:`ENVELOPE_STEP_S`, 0–100 (the floor to the loudest step),
    shifted by ``delay_s`` (the MP3 encoder's delay) so it lines up with the file's times."""
    step = int(rate * ENVELOPE_STEP_S)
    n = len(audio) // step
    if n == 0:
        return {"step_s": ENVELOPE_STEP_S, "level": []}
    blocks = audio[: n * step].reshape(n, step).astype(np.float32)
    rms = np.sqrt(np.mean(blocks * blocks, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    db -= db.max()
    level = np.clip(100 * (1 - db / ENVELOPE_FLOOR_DB), 0, 100)
    pad = round(delay_s / ENVELOPE_STEP_S)
    return {"step_s": ENVELOPE_STEP_S, "level": [0] * pad + [int(v) for v in np.round(level)]}


def page_data(folder: Path) -> dict:
    """What the page shows, from the render's own files in ``folder``."""
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        turns = load_layout(folder / LAYOUT)
    except (OSError, ValueError, TypeError) as exc:
        raise RenderError(f"cannot build the review page: {exc}", folder,
                          hint="render the episode first: render episode EP") from exc
    check = report.get("check")
    flags: dict[str, list[dict]] = {}
    for f in (check or {}).get("flagged", []):
        flags[str(f["turn"])] = [{"expected": m["expected"], "heard": m["heard"], "kind": m["kind"]}
                                 for m in f.get("mismatches", [])] or [
            {"expected": f["expected"], "heard": f["heard"], "kind": "text"}]
    loud = report["loudness"]
    return {
        "episode": report["episode"],
        "title": report.get("title") or f"Episode {report['episode']}",
        "script": report["script"],
        "audio": Path(report["audio"]).name,
        "duration_s": report["duration_s"],
        "target": report.get("target"),
        "verdict": report.get("verdict"),
        "gap_s": report.get("gap_s", 0.0),
        "cast": report.get("cast", "quality"),
        "speakers": report["speakers"],
        "loudness": {"integrated_lufs": loud["integrated_lufs"], "true_peak_dbtp": loud["true_peak_dbtp"]},
        "spec": {"lufs": loud.get("target_lufs", -16.0), "true_peak_db": loud.get("ceiling_dbtp", -1.0)},
        "cache": report.get("cache", {"hits": 0, "misses": 0}),
        "timings": report.get("timings", {}),
        "intro": report.get("intro"),
        "envelope": report.get("envelope"),
        "chapters": report.get("chapters", {}).get("list", []),
        "turns": [{"n": t.turn, "speaker": t.speaker, "line": t.line, "start_s": t.start_s,
                   "end_s": t.end_s, "text": t.text} for t in turns],
        "flags": flags,
        "check": None if check is None else {"model": check.get("model", ""), "wer": check.get("wer", 0.0),
                                             "flagged": len(check.get("flagged", []))},
    }


def render_page(data: dict) -> str:
    """The page's HTML: the template with the data inlined as JSON (``</`` escaped so no
    text in a script can close the script element)."""
    template = resources.files("render.deliver").joinpath("page.html").read_text(encoding="utf-8")
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return template.replace("__TITLE__", html.escape(data["title"])).replace("__DATA__", blob)


def write_page(folder: Path) -> Path:
    """Write ``folder/index.html`` from the render's files there, and the site index above it."""
    path = folder / PAGE
    write_text(render_page(page_data(folder)), path)
    if folder.parent.name != "draft" and folder.name != "draft":
        write_site_index(folder.parent)
    return path


def rendered_episodes(out_dir: Path) -> list[dict]:
    """Every finished render under ``out_dir`` (its report.json and audio both there), by episode."""
    found = []
    for report_path in sorted(out_dir.glob("*/report.json")):
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        audio = report_path.parent / Path(str(report.get("audio", ""))).name
        if audio.is_file() and "duration_s" in report:
            report["_folder"] = report_path.parent
            found.append(report)
    return found


def write_site_index(out_dir: Path) -> Path:
    """``output/index.html``: a link to each rendered episode's page, newest episode first."""
    rows = []
    for r in sorted(rendered_episodes(out_dir), key=lambda r: str(r["episode"]), reverse=True):
        name = r["_folder"].name
        minutes = f"{int(r['duration_s'] // 60)}:{int(r['duration_s'] % 60):02d}"
        flagged = len(r.get("check", {}).get("flagged", [])) if r.get("check") else None
        note = "" if flagged is None else f" · {flagged} flagged"
        rows.append(f'<li><a href="{html.escape(name)}/{PAGE}">{html.escape(str(r["episode"]))}: '
                    f'{html.escape(str(r.get("title") or ""))}</a> <span>{minutes} · {html.escape(str(r.get("verdict", "")))}'
                    f'{note}</span></li>')
    feed = '<p><a href="feed.xml">feed.xml</a> (the series feed)</p>' if (out_dir / "feed.xml").is_file() else ""
    body = "\n".join(rows) or "<li>nothing rendered yet: render episode EP</li>"
    text = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><link rel="icon" href="data:,"><title>Rendered episodes</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}}
li{{margin:.4rem 0}}</style></head>
<body><h1>Rendered episodes</h1>{feed}<ul id="episodes">
{body}
</ul></body></html>
"""
    path = out_dir / PAGE
    write_text(text, path)
    return path
