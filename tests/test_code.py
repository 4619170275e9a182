"""The code itself: lint and types, run the way CI runs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.typecheck import mypy_result


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    res = _run("ruff", "check", ".")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.slow
def test_mypy_is_clean_on_the_package(request: pytest.FixtureRequest) -> None:
    code, out = mypy_result(request.config)  # files and settings: [tool.mypy] in pyproject.toml
    assert code == 0, out


def _imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports, anywhere in its body
    (an import inside a function is a dependency too). ``from pkg import mod`` depends on
    ``pkg.mod``, not on the package's ``__init__``."""
    import ast

    root = ROOT / "render"
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                targets = subs or {node.module}
            elif isinstance(node, ast.Import):
                targets = {a.name for a in node.names}
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycles() -> None:
    graph = _imports()
    assert len(graph) > 40
    assert _cycles(graph) == []
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]  # the check can fail


def _packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph seen package by package: ``render.audio.mp3`` counts as
    ``render.audio``; a top-level module (``render.pipeline``) is its own node."""
    def package(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if len(parts) > 2 or (ROOT / "render" / parts[-1]).is_dir() else module

    out: dict[str, set[str]] = {}
    for module, targets in graph.items():
        out.setdefault(package(module), set()).update(package(t) for t in targets)
    return {p: deps - {p} for p, deps in out.items()}


def test_no_two_packages_import_each_other() -> None:
    """audio <-> voices and check <-> pipeline were cycles once: a package imports another
    only one way, and the stage packages never import the wiring (pipeline, prepare, cli)."""
    packages = _packages(_imports())
    assert {"render.audio", "render.voices", "render.check", "render.deliver"} <= packages.keys()
    assert _cycles(packages) == []
    wiring = {"render.pipeline", "render.prepare", "render.cli", "render.fit", "render.preview", "render.series"}
    for stage in ("audio", "voices", "check", "deliver", "script", "normalize"):
        assert not packages[f"render.{stage}"] & wiring, stage
    assert _cycles(_packages({"render.a.x": {"render.b.y"}, "render.b.y": {"render.a.z"}, "render.a.z": set()})) \
        == [["render.a", "render.b"]]  # the check can fail


def test_ls_render_reads_as_the_pipeline() -> None:
    stages = sorted(p.name for p in (ROOT / "render").iterdir() if p.is_dir() and p.name != "__pycache__")
    assert stages == ["audio", "check", "deliver", "normalize", "script", "voices"]
    # every stage package says what goes in and what comes out
    for stage in stages:
        doc = (ROOT / "render" / stage / "__init__.py").read_text(encoding="utf-8")
        assert doc.startswith('"""Stage') and " in, " in doc.split("\n")[0]
