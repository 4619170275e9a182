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

from render.check.hear import LAYOUT, TurnLayout, load_layout
from render.errors import RenderError
from render.files import write_text
from render.report import REPORT, Report, load_report, to_data

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
    blocks = audio[: n * step].reshape(n, step)  # a view: no copy of the episode to fill and free
    rms = np.sqrt(np.einsum("ij,ij->i", blocks, blocks) / step + 1e-12)
    db = 20 * np.log10(rms)
    db -= db.max()
    level = np.clip(100 * (1 - db / ENVELOPE_FLOOR_DB), 0, 100)
    pad = round(delay_s / ENVELOPE_STEP_S)
    return {"step_s": ENVELOPE_STEP_S, "level": [0] * pad + [int(v) for v in np.round(level)]}


def page_data(report: Report, turns: list[TurnLayout]) -> dict[str, object]:
    """What the page shows: the report and the turns of one render. Each turn carries its
    written text (what the script, the captions and a producer reading along have) and, where
    it differs, the spoken form the voice was given (shown on hover)."""
    check = report.check
    flags = {str(f.turn): [{"expected": m.expected, "heard": m.heard, "kind": m.kind} for m in f.mismatches]
             or [{"expected": f.expected, "heard": f.heard, "kind": "text"}] for f in (check.flagged if check else [])}
    loud = report.loudness
    return {
        "episode": report.episode,
        "title": report.title or f"Episode {report.episode}",
        "script": report.script,
        "audio": Path(report.audio).name,
        "duration_s": report.duration_s,
        "target": to_data(report.target),
        "verdict": report.verdict,
        "gap_s": report.gap_s,
        "cast": report.cast,
        "speakers": to_data(report.speakers),
        "loudness": {"integrated_lufs": loud.integrated_lufs, "true_peak_dbtp": loud.true_peak_dbtp},
        "spec": {"lufs": loud.target_lufs, "true_peak_db": loud.ceiling_dbtp},
        "cache": to_data(report.cache),
        "timings": report.timings,
        "intro": to_data(report.intro),
        "envelope": to_data(report.envelope),
        "chapters": to_data(report.chapters.entries),
        "turns": [{"n": t.turn, "speaker": t.speaker, "line": t.line, "start_s": t.start_s, "end_s": t.end_s,
                   "text": t.text, **({"spoken": t.spoken} if t.spoken != t.text else {})} for t in turns],
        "flags": flags,
        "check": None if check is None else {"model": check.model, "wer": check.wer, "flagged": len(check.flagged)},
    }


def render_page(data: dict[str, object]) -> str:
    """The page's HTML: the template with the data inlined as JSON (``</`` escaped so no
    text in a script can close the script element)."""
    template = resources.files("render.deliver").joinpath("page.html").read_text(encoding="utf-8")
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return template.replace("__TITLE__", html.escape(str(data["title"]))).replace("__DATA__", blob)


def write_page(folder: Path, report: Report | None = None) -> Path:
    """Write ``folder/index.html`` for the render there (``report``: its report, when the
    caller holds it; else read from the folder), and the site index above it."""
    report = report or load_report(folder / REPORT)
    try:
        if report is None:
            raise FileNotFoundError(folder / REPORT)
        turns = load_layout(folder / LAYOUT)
    except (OSError, ValueError, TypeError) as exc:
        raise RenderError(f"cannot build the review page: {exc}", folder,
                          hint="render the episode first: render episode EP") from exc
    path = folder / PAGE
    write_text(render_page(page_data(report, turns)), path)
    if folder.parent.name != "draft" and folder.name != "draft":
        write_site_index(folder.parent)
    return path


def rendered_episodes(out_dir: Path) -> list[tuple[Path, Report]]:
    """Every finished render under ``out_dir`` (its report and audio both there): (folder, report)."""
    found = []
    for report_path in sorted(out_dir.glob(f"*/{REPORT}")):
        report = load_report(report_path)
        if report is not None and (report_path.parent / Path(report.audio).name).is_file():
            found.append((report_path.parent, report))
    return found


def write_site_index(out_dir: Path) -> Path:
    """``output/index.html``: a link to each rendered episode's page, newest episode first."""
    rows = []
    for folder, r in sorted(rendered_episodes(out_dir), key=lambda fr: fr[1].episode, reverse=True):
        minutes = f"{int(r.duration_s // 60)}:{int(r.duration_s % 60):02d}"
        note = "" if r.check is None else f" · word error rate {r.check.wer:.1%} · {len(r.check.flagged)} flagged"
        rows.append(f'<li><a href="{html.escape(folder.name)}/{PAGE}">{html.escape(r.episode)}: '
                    f'{html.escape(r.title or "")}</a> <span>{minutes} · {html.escape(r.verdict)}'
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
