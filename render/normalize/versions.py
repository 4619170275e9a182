"""Versions and quarters: "v1.34", "Kubernetes 1.34", "Q1", "FY2026"."""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.technical import identifier_number
from render.normalize.tokens import Rule, words_before
from render.normalize.units import (
    UNITS,
    VERSION_BEFORE_WINDOW,
    VERSION_CONTEXT,
)

# 2.0.0-rc.1, 1.29.0-beta.2, v1.2-alpha: a pre-release after the version ("R-C one")
_PRE_RELEASE_RE = r"(?:-(?P<pre>alpha|beta|rc|RC|pre|preview|dev|snapshot|SNAPSHOT)(?:\.?(?P<pn>\d+))?)?"
# v1.31.2-eks-7f9249a: a vendor's build of a version, its tag spelled and its commit said character by character
_BUILD_RE = r"(?:-(?P<build>[a-z]{2,6})(?:-(?P<hash>(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{7,12}))?)?"
_VERSION_FULL = re.compile(r"(?<![\w.])(?P<v>[vV])?(?P<num>\d+(?:\.\d+){2,})" + _PRE_RELEASE_RE + _BUILD_RE
                           + r"(?![\w-]|\.\d)")
_VERSION_V = re.compile(r"(?<![\w.])(?P<v>[vV])(?P<num>\d+(?:\.\d+)?)" + _PRE_RELEASE_RE + r"\b")
_VERSION_CTX = re.compile(r"(?<![\w.])(?P<num>\d+\.\d+)(?![\w]|\.\d)")
_VERSION_X = re.compile(r"(?<![\w.])(?P<v>[vV])?(?P<num>\d+(?:\.\d+)*)\.[xX*](?![\w.])")
# nginx:1.25, python:3.12-slim, node:20-alpine: an image's tag after a colon is a version
_IMAGE_TAG = re.compile(r"(?<=[a-z]):(?P<v>[vV])?(?P<num>\d+(?:\.\d+)+(?=[\s,;:!?)]|-|\.?$|\.\s)|\d+(?=-[a-z]))")
# a three-part version already said ("one point twenty-two point three") beside a range word
_SAID_FULL = r"(?:v |version )?\w+(?:-\w+)? point \w+(?:-\w+)? point \w+(?:-\w+)?"
_FULL_PARTNER_AFTER = re.compile(rf"\s+(?:to|and|or|through|->|→)\s+{_SAID_FULL}\b")
_FULL_PARTNER_BEFORE = re.compile(rf"\b{_SAID_FULL}\s+(?:to|and|or|through|->|→)\s+$")
# OpenSSH's portable releases, "8.5p1", "9.7p1": the version, then "P" and its patch number
_VERSION_P = re.compile(r"(?<![\w.])(?P<num>\d+\.\d+)p(?P<p>\d{1,2})\b")
_QUARTER = re.compile(r"\b(?P<q>Q|H|FY|CY)(?P<d>\d{1,4})\b")


def _version_part(part: str) -> str:
    """One part of a version: "04" (Ubuntu 24.04) is "oh four", as people say it."""
    if len(part) == 2 and part.startswith("0"):
        return "oh " + n.cardinal(int(part))
    if len(part) == 3 and not part.startswith("0") and int(part) % 100:
        return identifier_number(part)  # "v0.115": "zero point one fifteen"
    return n.cardinal(int(part))


def _version_words(num: str) -> str:
    return " point ".join(_version_part(p) for p in num.split("."))


def _pre_release(m: re.Match[str]) -> str:
    pre = m["pre"]
    if not pre:
        return ""
    said = "R-C" if pre.lower() == "rc" else pre.lower()
    return f" {said}" + (f" {n.cardinal(int(m['pn']))}" if m["pn"] else "")


def _version_full(m: re.Match[str]) -> str:
    build = ""
    if m["build"]:
        build = " " + "-".join(m["build"].upper())
        if m["hash"]:
            build += ", " + " ".join(n.cardinal(int(c)) if c.isdigit() else c.upper() for c in m["hash"])
    return ("v " if m["v"] else "") + _version_words(m["num"]) + _pre_release(m) + build


def _version_v(m: re.Match[str]) -> str:
    return "version " + _version_words(m["num"]) + _pre_release(m)


def _image_tag(m: re.Match[str]) -> str:
    return " colon " + ("version " if m["v"] else "") + _version_words(m["num"])


def _version_x(m: re.Match[str]) -> str:
    """``Helm 3.x``, ``1.2.x``: any release of that line."""
    return ("version " if m["v"] else "") + _version_words(m["num"]) + " point x"


def _product(word: str) -> bool:
    """A product's name: an acronym (CDKTF) or a name with a capital inside it (OpenTofu)."""
    return len(word) >= 2 and word.isalpha() and (word.isupper() or any(c.isupper() for c in word[1:]))


_NAMED_VERSION = re.compile(r"\b(?P<name>[A-Za-z][\w.-]*)\s+v?(?P<major>\d+)\.\d+\b")
_AFTER = re.compile(r"\s*(?P<next>[^\s,;:!?)]*)")


def _sibling(m: re.Match[str]) -> bool:
    """"Kubernetes 1.33 made it GA; 1.34 followed": a number of the same major as a version the
    sentence named before it is the next version, not a decimal ("one point thirty-four")."""
    major = m["num"].split(".")[0]
    after = _AFTER.match(m.string, m.end())
    nxt = after["next"].rstrip(".") if after else ""
    if nxt[:1] in {"x", "×", "%"} or nxt in UNITS or nxt.lower() in {  # "1.25x", "1.75 GB", "1.25 million"
            "times", "percent", "thousand", "million", "billion", "trillion", "seconds", "hours", "days"}:
        return False
    return any(v["name"].lower() in VERSION_CONTEXT and v["major"] == major
               for v in _NAMED_VERSION.finditer(m.string, 0, m.start()))


def _version_ctx(m: re.Match[str]) -> str:
    raw = words_before(m, VERSION_BEFORE_WINDOW)
    before = [w.lower().rstrip(".") for w in raw]
    if (before and before[-1] in VERSION_CONTEXT) or (
            len(before) == 2 and before[0] in VERSION_CONTEXT and before[1] in {"version", "v"}):
        return _version_words(m["num"])
    if _FULL_PARTNER_AFTER.match(m.string, m.end()) or _FULL_PARTNER_BEFORE.search(m.string, 0, m.start()):
        return _version_words(m["num"])  # "from 1.21 to 1.22.3": a range's partner is a version, so is this
    if _sibling(m):
        return _version_words(m["num"])
    adjacent = m.string[:m.start()].endswith(" ") and raw and m.string[:m.start()].rstrip().endswith(raw[-1])
    if adjacent and _product(raw[-1]):  # "CDKTF 0.20": people say "zero point twenty"
        return _version_words(m["num"])
    return m.group(0)


def _quarter(m: re.Match[str]) -> str:
    d = m["d"]
    if m["q"] in {"FY", "CY"}:
        y = int(d)
        return m["q"] + " " + (n.year(y) if len(d) == 4 else n.cardinal(y))
    return m["q"] + " " + n.cardinal(int(d))


RULES: list[Rule] = [
    Rule("quarter", _QUARTER, _quarter),
    Rule("image-tag", _IMAGE_TAG, _image_tag),
    Rule("version-patch-p", _VERSION_P, lambda m: f"{_version_words(m['num'])} P {n.cardinal(int(m['p']))}"),
    Rule("version-wildcard", _VERSION_X, _version_x),
    Rule("version-full", _VERSION_FULL, _version_full),
    Rule("version-v", _VERSION_V, _version_v),
    Rule("version-context", _VERSION_CTX, _version_ctx),
]
