"""The review page in a real browser (Debian's Chromium driven by Playwright), the series
feed read by feedparser, and ``render serve`` over real HTTP: all on a real render of 00035."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import EPISODE, OUTLINE, ROOT, SHORT_SCRIPT, make_project, run_cli

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
BROKEN = "---\ntitle: Broken\n---\n\n**Jordan**: Hello.\n\n**Morgan**: Nobody cast me.\n"
# A nonsense respelling of a word 00035 uses, so the check flags a turn whatever the voices do.
NONSENSE = '"Slurm" = "flibber gronk wazzle"\n'


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """00035 and a short episode rendered by ``render series`` with the fast voices (Piper and
    Festival: the page and feed do not depend on the cast), plus one script that fails."""
    proj = make_project(tmp_path_factory.mktemp("review") / "proj",
                        {"00036-short.md": SHORT_SCRIPT, "00037-broken.md": BROKEN})
    shutil.copy(EPISODE, proj / "transcripts" / EPISODE.name)
    shutil.copy(OUTLINE, proj / "transcripts" / OUTLINE.name)
    cast = proj / "voices" / "cast.toml"
    cast.write_text(cast.read_text(encoding="utf-8").replace('Alex = "alex"', 'Alex = "slt"', 1), encoding="utf-8")
    lexicon = proj / "voices" / "lexicon.toml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8").replace("[say]\n", "[say]\n" + NONSENSE), encoding="utf-8")
    res = run_cli("series", "--base-url", "https://pod.example.com/show", "--try-words", "0", cwd=proj)
    assert res.returncode == 1, res.stdout + res.stderr  # 00037 fails, the others are written
    assert "00037 failed" in res.stderr
    return proj


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


def _open(browser, url: str, **context) -> tuple[Page, list[str], list[str]]:
    """The page loaded, with its console errors and every URL it asked for."""
    page = browser.new_page(**context)
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function("document.getElementById('audio').readyState >= 1", timeout=20_000)
    page.evaluate("window.__seeks = []; document.getElementById('audio').addEventListener("
                  "'seeking', (e) => window.__seeks.push(e.target.currentTime))")
    return page, errors, requests


def _seek(page: Page, action) -> float:
    """Where the audio seeked to when ``action`` ran (the time its 'seeking' event carried)."""
    n = page.evaluate("window.__seeks.length")
    action()
    page.wait_for_function(f"window.__seeks.length > {n}", timeout=5_000)
    return page.evaluate("window.__seeks.at(-1)")


def _report(series: Path) -> dict:
    return json.loads((series / "output" / "00035" / "report.json").read_text(encoding="utf-8"))


def test_the_page_works_from_disk_with_every_turn_chapter_and_flag(series: Path, browser) -> None:
    report = _report(series)
    turns = json.loads((series / "output" / "00035" / "turns.json").read_text(encoding="utf-8"))
    page, errors, requests = _open(browser, (series / "output" / "00035" / "index.html").as_uri(),
                                   viewport={"width": 1280, "height": 900})
    assert errors == []
    assert all(u.startswith(("file://", "data:")) for u in requests), requests  # no network at all
    rows = page.locator("#transcript li.turn")
    assert rows.count() == 109
    speakers = page.eval_on_selector_all("#transcript li.turn .who",
                                         "els => els.map(e => e.firstChild.textContent)")
    assert speakers == [t["speaker"] for t in turns]
    assert page.locator("#timeline .tl-turn").count() == 109
    assert page.locator("#timeline .tl-chapter").count() == len(report["chapters"]["list"]) >= 5
    assert page.locator("#timeline .tl-intro").count() == 1
    assert len(page.get_attribute("#envelope", "d").split(" L")) > 1000  # a point per half second
    assert "short" in page.locator("#target").inner_text()
    # the flagged turns: on the timeline, in the transcript with what was heard, and in the list
    flagged = [f["turn"] for f in report["check"]["flagged"]]
    slurm = next(i + 1 for i, t in enumerate(turns) if "Slurm" in t["text"])
    assert slurm in flagged
    assert page.locator("#timeline .tl-flag").count() == len(flagged)
    assert page.locator("#transcript li.turn.flagged").count() == len(flagged)
    assert "flibber gronk wazzle" in page.locator(f"#turn-{slurm} .heard").inner_text()
    # the transcript shows the script's words; the spoken form is one hover away
    text = page.locator(f"#turn-{slurm} .text")
    assert "Slurm" in text.inner_text() and "flibber" not in text.inner_text()
    assert "flibber gronk wazzle" in (text.get_attribute("title") or "")
    to = _seek(page, lambda: page.locator("#flag-list button").first.click())
    assert abs(to - turns[flagged[0] - 1]["start_s"]) <= 0.05
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-page.png"))


def test_clicking_a_turn_plays_it_and_playing_follows_the_transcript(series: Path, browser) -> None:
    turns = json.loads((series / "output" / "00035" / "turns.json").read_text(encoding="utf-8"))
    page, errors, _ = _open(browser, (series / "output" / "00035" / "index.html").as_uri())
    assert abs(_seek(page, lambda: page.locator("#turn-40 .text").click()) - turns[39]["start_s"]) <= 0.05
    page.wait_for_function("!document.getElementById('audio').paused && "
                           "document.getElementById('audio').currentTime > "
                           f"{turns[39]['start_s'] + 0.3}", timeout=10_000)
    assert page.locator("#transcript li.turn.current").count() == 1
    current = page.locator("#transcript li.turn.current").get_attribute("data-n")
    assert current in ("40", "41")  # the turn being played, and only it
    assert page.evaluate("(() => { const r = document.querySelector('li.turn.current')"
                         ".getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })()")
    # keyboard: space pauses, → next turn, J next chapter
    page.locator("body").press(" ")
    assert page.evaluate("document.getElementById('audio').paused")
    to = _seek(page, lambda: page.locator("body").press("ArrowRight"))
    assert abs(to - turns[int(current)]["start_s"]) <= 0.05
    chapters = _report(series)["chapters"]["list"]
    following = next(c["start_s"] for c in chapters if c["start_s"] > turns[int(current)]["start_s"])
    assert abs(_seek(page, lambda: page.locator("body").press("j")) - following) <= 0.05
    assert errors == []


_CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = getComputedStyle(document.body).backgroundColor;
  const sel = ['body', '.sub', '.turn:not(.current) .who', '.turn:not(.current) .when', '.turn:not(.current) .text',
               '#target', '#lufs', '.heard .label', '#chapters button', '.keys'];
  const out = {};
  for (const s of sel) for (const e of document.querySelectorAll(s)) {
    const r = ratio(getComputedStyle(e).color, bg);
    out[s] = Math.min(out[s] ?? 99, r);
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_meets_wcag_contrast_and_fits_a_phone(series: Path, browser, scheme: str) -> None:
    page, errors, _ = _open(browser, (series / "output" / "00035" / "index.html").as_uri(),
                            viewport={"width": 390, "height": 844}, color_scheme=scheme)
    ratios = page.evaluate(_CONTRAST)
    assert min(ratios.values()) >= 4.5, ratios  # WCAG AA for body text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    assert errors == []


def _items(series: Path) -> tuple[feedparser.FeedParserDict, ET.Element]:
    xml = (series / "output" / "feed.xml").read_bytes()
    return feedparser.parse(xml), ET.fromstring(xml)


def test_the_feed_lists_rendered_episodes_with_their_files(series: Path) -> None:
    parsed, tree = _items(series)
    assert not parsed.bozo, parsed.get("bozo_exception")
    channel = parsed.feed
    for key in ("title", "link", "description", "language", "image", "author"):  # RSS 2.0 (+ image)
        assert channel.get(key), key
    assert channel.tags[0].term == "Technology"  # itunes:category
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    for tag in ("image", "category", "explicit", "author"):  # what Apple Podcasts requires of a channel
        assert tree.find(f"channel/{itunes}{tag}") is not None, tag
    assert tree.find(f"channel/{itunes}explicit").text == "no"
    assert tree.find(f"channel/{PODCAST}guid") is not None
    assert (series / "output" / "cover.png").is_file()  # the generated cover the feed names
    ids = sorted(e.link.split("/")[-2] for e in parsed.entries)
    assert ids == ["00035", "00036"]  # the failed 00037 is not in it
    for entry, item in zip(parsed.entries, tree.findall("channel/item"), strict=True):
        folder = series / "output" / entry.link.split("/")[-2]
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        (enc,) = entry.enclosures
        audio = folder / Path(report["audio"]).name
        assert enc.href == f"https://pod.example.com/show/{folder.name}/{audio.name}"
        assert int(enc.length) == audio.stat().st_size and enc.type == "audio/mpeg"
        h, m, s = (int(x) for x in entry.itunes_duration.split(":"))
        assert h * 3600 + m * 60 + s == round(report["duration_s"])
        assert entry.id.startswith("render:") and entry.guidislink is False
        assert entry.published_parsed is not None
        kinds = {t.get("type"): t.get("url") for t in item.findall(f"{PODCAST}transcript")}
        assert set(kinds) == {"text/vtt", "application/x-subrip", "application/json"}
        assert kinds["text/vtt"].endswith(f"/{folder.name}/captions.vtt")
        chapters = item.find(f"{PODCAST}chapters")
        assert chapters is not None and chapters.get("type") == "application/json+chapters"
        assert [p.text for p in item.findall(f"{PODCAST}person")] == ["Jordan", "Alex"]
        assert all(p.get("role") == "host" for p in item.findall(f"{PODCAST}person"))


def test_a_re_render_keeps_guid_and_date_and_a_new_episode_appears(series: Path) -> None:
    before = {e.id: e.published for e in _items(series)[0].entries}
    script = series / "transcripts" / "00036-short.md"
    script.write_text(script.read_text(encoding="utf-8").replace("Measure before you optimize.",
                                                                 "Measure first."), encoding="utf-8")
    (series / "transcripts" / "00038-new.md").write_text(SHORT_SCRIPT.replace("Test Episode", "New One"),
                                                         encoding="utf-8")
    for ep in ("36", "38"):
        res = run_cli("episode", ep, "--no-check", cwd=series)
        assert res.returncode == 0, res.stderr
    res = run_cli("feed", "--base-url", "https://pod.example.com/show", cwd=series)
    assert res.returncode == 0 and "3 episodes" in res.stdout, res.stdout + res.stderr
    after = {e.id: e.published for e in _items(series)[0].entries}
    assert {k: after[k] for k in before} == before
    assert len(after) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_pages_and_byte_ranges_and_stops_on_ctrl_c(series: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "render", "serve", "--port", str(port)], cwd=series,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line + proc.stderr.read()
        base = f"http://127.0.0.1:{port}"
        index = urllib.request.urlopen(base + "/", timeout=10).read().decode()
        assert '<a href="00035/index.html">' in index and "00037" not in index
        page = urllib.request.urlopen(base + "/00035/index.html", timeout=10).read().decode()
        assert "<title>KubeCon Atlanta 2025" in page
        report = _report(series)
        mp3 = "/00035/" + Path(report["audio"]).name
        size = (series / "output" / "00035" / Path(report["audio"]).name).stat().st_size
        req = urllib.request.Request(base + mp3, headers={"Range": "bytes=1000-1999"})
        with urllib.request.urlopen(req, timeout=10) as res:
            assert res.status == 206
            assert res.headers["Content-Range"] == f"bytes 1000-1999/{size}"
            body = res.read()
        assert body == (series / "output" / "00035" / Path(report["audio"]).name).read_bytes()[1000:2000]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_serve_refuses_anything_but_loopback_and_a_missing_episode(series: Path) -> None:
    res = run_cli("serve", "00099", cwd=series)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert re.search(r"00099|no episode", res.stderr), res.stderr
    from render.deliver.serve import make_server
    from render.errors import RenderError

    with pytest.raises(RenderError, match="loopback only"):
        make_server(series / "output", 0, host="0.0.0.0")
