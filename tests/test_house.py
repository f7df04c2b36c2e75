"""The layout holds: dependencies run one way, and no module outgrows a reading.

cli / publish / verify / cards → zoo (hub) → models/<family> → tasks/<family> → core.
Read statically from the source (function-level imports included), so a lazy import
cannot hide a cycle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest


PACKAGE = Path(__file__).resolve().parents[1] / "crnzoo"
HUB = {"crnzoo", "crnzoo.cli", "crnzoo.publish", "crnzoo.finetuning", "crnzoo.verify", "crnzoo.cards", "crnzoo.zoo"}
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of crnzoo that `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for cand in (mod, *(f"{mod}.{a.name}" for a in node.names)):
                if cand in known:
                    found.add(cand)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
    # a submodule always imports its parent packages first: not an edge of the design
    return {m for m in found if m != name and not name.startswith(m + ".")}


MODULES = _modules()
GRAPH = {name: _imports(name, path, set(MODULES)) for name, path in MODULES.items()}


def _layer(name: str) -> str:
    if name in HUB or name.startswith("crnzoo.cli."):
        return "hub"
    for layer in ("models", "tasks"):
        if name == f"crnzoo.{layer}" or name.startswith(f"crnzoo.{layer}."):
            return layer
    return "core"


def test_no_import_cycle():
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


# what each layer may not import
FORBIDDEN = {"core": {"tasks", "models", "hub"}, "tasks": {"models", "hub"}, "models": {"hub"}}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_dependencies_run_one_way(name):
    layer = _layer(name)
    bad = sorted(m for m in GRAPH[name] if _layer(m) in FORBIDDEN.get(layer, ()))
    if name == "crnzoo.zoo":  # the hub imports the families once to fill the registry
        bad = [m for m in bad if m != "crnzoo.models"]
    assert not bad, f"{name} ({layer}) imports {bad}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_outgrows_a_reading(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines (at most {MAX_LINES})"


def test_training_script_refuses_a_checkout_whose_crnzoo_is_not_the_imported_one(tmp_path, monkeypatch, capsys):
    """scripts/train_<family>.py run from a checkout while Python imports another crnzoo (a stale
    non-editable install) would publish the other code's recipe: one line naming both, exit 2."""
    from crnzoo import publish

    checkout = tmp_path / "checkout"
    (checkout / "crnzoo").mkdir(parents=True)
    (checkout / "crnzoo" / "__init__.py").write_text("")
    (checkout / "scripts").mkdir()
    monkeypatch.setattr(sys, "argv", [str(checkout / "scripts" / "train_gate.py")])
    with pytest.raises(SystemExit) as err:
        publish.script_main("gate", argv=[])
    assert err.value.code == 2
    message = capsys.readouterr().err
    assert str((checkout / "crnzoo").resolve()) in message and "pip install -e ." in message
    # this checkout's own scripts import this checkout's crnzoo: no refusal
    here = Path(publish.__file__).resolve().parent
    assert publish._checkout_package(here.parent / "scripts" / "train_gate.py") in (here, None)


def test_training_script_interrupted_is_one_line_and_130(tmp_path, monkeypatch, capsys):
    """Ctrl-C during a training script's fit: one line naming what was published, exit 130, no traceback."""
    from crnzoo import publish

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish, "train_and_publish", interrupted)
    monkeypatch.setattr(sys, "argv", ["train_gate.py"])
    assert publish.script_main("gate", argv=["gate-and", "--weights", str(tmp_path / "w")]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["train_gate.py: interrupted; nothing was published"]
    assert not (tmp_path / "w").exists()


def test_training_script_refuses_a_weights_root_it_cannot_write_before_training(tmp_path, monkeypatch, capsys):
    """--weights naming a file (or a path under one) is one line and exit 2, before any training."""
    from crnzoo import publish

    def never(*args, **kwargs):
        raise AssertionError("trained although the output root is unusable")

    monkeypatch.setattr(publish, "train_and_publish", never)
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    for root in (afile, afile / "sub"):
        with pytest.raises(SystemExit) as err:
            publish.script_main("gate", argv=["gate-and", "--weights", str(root)])
        assert err.value.code == 2 and "is a file, not a folder" in capsys.readouterr().err
    assert afile.read_text() == "keep me\n"
