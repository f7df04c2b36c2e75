"""Model cards: built from a zoo entry and its measured metrics, rendered as text and Markdown.

`card.json` is the source of truth; `MODEL_CARDS.md` is generated from all of them by
`crnzoo cards` and never edited by hand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__
from ._registry import Metric, ZooEntry, checkpoint_dir, weights_dir
from .checkpoint import read_card, seal
from .outputs import write_text
from .zoo import list_models


def metric_table(entry: ZooEntry, values: Mapping[str, float]) -> dict[str, dict]:
    """Card metrics: each measured value with its description, paper value, promise, tolerance."""
    out = {}
    for key, (description, paper, promise, tolerance) in entry.metrics.items():
        out[key] = Metric(float(values[key]), description, paper, promise, tolerance).to_dict()
    return out


def make_card(entry: ZooEntry, model, values: Mapping[str, float], extra: Mapping[str, Any] | None = None) -> dict:
    """The card of `model` (registered as `entry`) with measured metric `values`."""
    dense = model.network(0.0)
    sparse = model.network(entry.k_report)
    x0 = np.asarray(model.x0, dtype=np.float64)
    card = {
        "name": entry.name,
        "system": entry.system,
        "family": entry.family,
        "paper": entry.paper,
        "section": entry.section,
        "builder": entry.builder,
        "config": entry.config,
        "species": [{"name": s, "role": entry.roles.get(s, "auxiliary")} for s in model.species],
        "initial_state": x0.tolist(),
        "protocol": entry.protocol,
        "schedule": entry.schedule.to_dict() if entry.schedule else None,
        "time_units": entry.time_units,
        "concentration_units": entry.concentration_units,
        "t1": entry.t1,
        "solver": entry.solver.to_dict(),
        "reactions": {
            "dense": dense.n_reactions,
            "k_report": entry.k_report,
            "at_k_report": sparse.n_reactions,
            "max_molecularity": sparse.max_molecularity,
            "above_bimolecular": len(sparse.above_bimolecular()),
        },
        "metrics": metric_table(entry, values),
        "training": {
            "command": entry.training,
            "seed": entry.seed,
            "config": entry.train_config.to_dict() if entry.train_config is not None else None,
        },
        "crnzoo_version": __version__,
    }
    card.update(extra or {})
    return card


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def dna_line(name: str, folder: Path | None = None) -> str | None:
    """The DNA implementation's one-line summary from `<folder>/dna.json` (`folder`: the
    checkpoint directory, default the shipped `weights/<name>`; written by scripts/dna_targets.py
    from `crnzoo implement`, kept out of card.json), or None."""
    path = Path(folder or checkpoint_dir(name)) / "dna.json"
    if not path.is_file():
        return None
    d = json.loads(path.read_text())
    how = "; enumerated per module, reactions between modules not enumerated" if "per module" in str(d.get("enumeration", "")) else ""
    return f"{d['headline']} ({d['scheme']}{how}; `{d['command']}`)"


def species_summary(species: list[Mapping[str, Any]], run: int = 4) -> str:
    """"name (role)" per species; a run of more than `run` indexed names of one stem and role
    (X_0, X_1, … X_99) is written once as "X_0 … X_99 (input, 100 species)"."""
    import re

    def stem(name: str) -> str | None:
        m = re.fullmatch(r"(.*?)(?:_\d+)+", name)
        return m.group(1) if m else None

    groups: list[list[Mapping[str, Any]]] = []
    for sp in species:
        last = groups[-1][-1] if groups else None
        if last is not None and stem(sp["name"]) is not None and stem(sp["name"]) == stem(last["name"]) and sp["role"] == last["role"]:
            groups[-1].append(sp)
        else:
            groups.append([sp])
    parts = []
    for g in groups:
        if len(g) > run:
            parts.append(f"{g[0]['name']} … {g[-1]['name']} ({g[0]['role']}, {len(g)} species)")
        else:
            parts += [f"{sp['name']} ({sp['role']})" for sp in g]
    return ", ".join(parts)


def paper_misses(card: Mapping[str, Any]) -> list[str]:
    """The card's figures short of the paper's, as recorded when it was last measured
    (`paper_comparison`, e.g. by scripts/republish_wta_mnist.py): "metric: measured X vs paper Y"."""
    comparison = card.get("paper_comparison") or {}
    return [f"{k}: {v.split(': ', 1)[1]}" for k, v in comparison.items() if isinstance(v, str) and v.startswith("MISS")]


def render_text(card: Mapping[str, Any]) -> str:
    """A readable plain-text card (used by `crnzoo info`)."""
    r = card["reactions"]
    lines = [
        f"{card['name']} — {card['system']}",
        f"  source:      {card['paper']} ({card['section']})",
        f"  species:     " + species_summary(card["species"]),
        f"  protocol:    {card['protocol']}",
        f"  time:        {card['time_units']}, default t1 = {card['t1']:g}",
        f"  solver:      {card['solver']['solver']} rtol={card['solver']['rtol']:g} atol={card['solver']['atol']:g}",
        f"  reactions:   {r['dense']} dense, {r['at_k_report']} at k_min = {r['k_report']:g}; "
        f"max molecularity {r['max_molecularity']}",
        f"  made by:     {card['training']['command']}" + (f" (seed {card['training']['seed']})" if card["training"]["seed"] is not None else ""),
        "  metrics (measured from this checkpoint | paper | promise):",
    ]
    for key, m in card["metrics"].items():
        lines.append(f"    {key:<22} {_fmt(m['value']):>12} | {_fmt(m['paper'])} | {m['promise'] or '—'}")
        lines.append(f"      {m['description']}")
    misses = paper_misses(card)
    if misses:
        lines.append("  short of the paper: " + "; ".join(misses))
    dna = dna_line(card["name"])
    if dna:
        lines.append(f"  DNA:         {dna}")
    rob = robustness(card["name"])
    if rob is not None:
        lines += ["  robustness at finite molecule counts (weights/<name>/robustness.json):", *(f"    {t.replace('**', '')}" for t in robustness_summary(rob))]
    return "\n".join(lines)


def render_markdown(card: Mapping[str, Any], folder: Path | None = None) -> str:
    """The Markdown card; `folder`: its checkpoint directory (default: the shipped one), for
    the DNA and robustness sections."""
    r = card["reactions"]
    seed = card["training"]["seed"]
    out = [
        f"## {card['name']}",
        "",
        f"{card['system']}.",
        "",
        f"- **Source:** {card['paper']} — {card['section']}",
        "- **Species:** " + species_summary(card["species"]),
        f"- **Initial state and protocol:** {card['protocol']}",
        f"- **Units:** time {card['time_units']}, concentration {card['concentration_units']}",
        f"- **Solver:** {card['solver']['solver']}, rtol {card['solver']['rtol']:g}, atol {card['solver']['atol']:g}, "
        f"max_steps {card['solver']['max_steps']}",
        f"- **Reactions:** {r['dense']} dense, {r['at_k_report']} at k_min = {r['k_report']:g}; "
        f"maximum molecularity {r['max_molecularity']}",
        f"- **Made by:** `{card['training']['command']}`" + (f", seed {seed}" if seed is not None else ""),
        f"- **Checkpoint:** `weights/{card['name']}/` (content hash `{card.get('content_hash', '')[:16]}…`)",
    ]
    wall = card.get("training_wall_s")
    if wall is not None:
        total = card.get("script_wall_s")
        note = card.get("wall_time_note")
        out.append(
            f"- **Wall time:** training {_fmt(wall)} s"
            + (f", whole script {_fmt(total)} s" if total is not None else "")
            + (f"; {note}" if isinstance(note, str) else "")
        )
    misses = paper_misses(card)
    if misses:
        out.append("- **Misses against the paper:** " + "; ".join(misses))
    miss = card.get("paper_miss")
    if isinstance(miss, Mapping):
        out.append(f"- **Short of the paper ({miss.get('status', '')}):** {miss.get('measured', '')}. Tried: " + "; ".join(miss.get("tried") or ["—"]) + f". Why: {miss.get('why', '')}")
    dna = dna_line(card["name"], folder)
    if dna:
        out.append(f"- **DNA implementation:** {dna}")
    out += ["", "| metric | measured | paper | promise | what |", "|---|---|---|---|---|"]
    for key, m in card["metrics"].items():
        out.append(f"| {key} | {_fmt(m['value'])} | {_fmt(m['paper'])} | {m['promise'] or '—'} | {m['description']} |")
    for fig in figures(card):
        out += ["", f"![{card['name']}: {fig}](weights/{card['name']}/{fig})"]
    rob = robustness(card["name"], folder)
    if rob is not None:
        out += ["", "**Robustness at finite molecule counts** (`scripts/robustness_cards.py`, `crnzoo robustness NAME`):", ""]
        out += [f"- {t}" for t in robustness_summary(rob)]
    return "\n".join(out) + "\n"


def figures(card: Mapping[str, Any]) -> list[str]:
    """The PNG files shipped next to a card (its `figures` list), file names only."""
    return list(card.get("figures") or [])


GENERATED_MARK = "Generated by `crnzoo cards` from `weights/*/card.json` — do not edit by hand."


def is_generated(path: Path) -> bool:
    """Whether `path` is a file `crnzoo cards` wrote (its third line is the generated mark):
    regenerating it replaces no one's own file."""
    try:
        with open(path, encoding="utf-8") as f:
            return [f.readline() for _ in range(3)][2].rstrip("\n") == GENERATED_MARK
    except (OSError, UnicodeDecodeError):
        return False


def render_model_cards(weights: Path | None = None) -> str:
    """`MODEL_CARDS.md`: every card under `weights` (default: the shipped ones), in registry order."""
    parts = [
        "# Model cards",
        "",
        GENERATED_MARK,
        "Every *measured* number is recomputed from the shipped checkpoint by `crnzoo verify NAME`;",
        "the *paper* column is the source's value of the same quantity.",
        "",
        "| model | system | reactions (dense / reported) |",
        "|---|---|---|",
    ]
    cards = []
    for name in list_models():
        path = (Path(weights) / name if weights else checkpoint_dir(name)) / "card.json"
        if path.is_file():
            cards.append(json.loads(path.read_text()))
    for c in cards:
        r = c["reactions"]
        parts.append(f"| [{c['name']}](#{c['name']}) | {c['system']} | {r['dense']} / {r['at_k_report']} at {r['k_report']:g} |")
    parts.append("")
    parts += [render_markdown(c, Path(weights) / c["name"] if weights else None) for c in cards]
    return "\n".join(parts)


def write_model_cards(path: Path | None = None, weights: Path | None = None) -> Path:
    """Write `MODEL_CARDS.md` (default: next to the `weights/` folder of a checkout, else here)."""
    if path is None:
        root = Path(weights) if weights else weights_dir()
        path = (root.parent if root.name == "weights" else Path.cwd()) / "MODEL_CARDS.md"
    return write_text(path, render_model_cards(weights))


def annotate(directory: Path, **fields: Any) -> dict:
    """Add `fields` known only after publishing (e.g. the script's total wall time) to the
    card.json in `directory` (replaced atomically); returns the updated card. Fields outside
    the checkpoint's hashes only: the arrays are untouched."""
    path = Path(directory) / "card.json"
    card = read_card(directory)  # refuses a card edited since it was sealed
    card.update(fields)
    card = seal(card)
    tmp = path.with_name(f".card.json.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)
    return card


# ---- robustness at finite molecule counts: weights/<name>/robustness.json (scripts/robustness_cards.py) ----


def robustness(name: str, folder: Path | None = None) -> dict | None:
    """The entry's `robustness.json` (written by `scripts/robustness_cards.py`), or None."""
    try:
        path = Path(folder or checkpoint_dir(name)) / "robustness.json"
        return json.loads(path.read_text()) if path.is_file() else None
    except (OSError, ValueError):
        return None


def robustness_summary(rob: Mapping[str, Any]) -> list[str]:
    """Lines: smallest working Ω with its interval, what fails first, the lab statement, how measured."""
    status = rob.get("status")
    if status == "not tested" or (status == "incomplete" and not rob.get("checks")):
        return [f"not measured: {rob.get('reason', '')}"]
    checks = rob.get("checks") or []
    names = {"direct": "exact SSA (direct)", "cle": "chemical Langevin reaction noise on the card's step (approximate)"}
    methods = ", ".join(names.get(m, "tau-leaping (approximate)") for m in rob.get("methods", []))
    tried = "; ".join(f"Ω={c['omega']:g}: {c['passed']}/{c['runs']}" for c in checks)
    out = []
    # the spatial entries count Ω in one grid cell: their statement (`Robustness.statement(unit, per)`) ends so
    per = " per grid cell" if str(rob.get("statement", "")).endswith("per grid cell") else ""
    if rob.get("omega_min") is not None:
        lo, hi = rob["omega_interval"]
        below = [c for c in checks if c["omega"] < rob["omega_min"]]
        grid = (f"; both ends at the walk's resolution: the next Ω tried, {below[0]['omega']:g}, kept it in "
                f"{below[0]['passed']}/{below[0]['runs']} runs" if lo == hi and below else "")
        out.append(f"smallest Ω (molecules per concentration unit{per}) where the function holds with p ≥ {rob['level']:g}: "
                   f"**{rob['omega_min']:g}** (95 % CI of the threshold {_fmt(lo)}–{_fmt(hi) if hi is not None else 'open above'}{grid})")
        out.append(f"lab statement: at 1 unit = {rob['unit_nM']:g} nM this needs a volume ≥ {rob['volume_fl']:.3g} fL{per}")
    else:
        out.append(f"the function does not hold with p ≥ {rob['level']:g} at any Ω tried (largest {checks[0]['omega']:g})" if checks else "no Ω measured")
    if rob.get("fails_first"):
        out.append(f"{'fails first below it' if rob.get('omega_min') is not None else 'most common failure'}: {rob['fails_first']}")
    out.append(f"runs kept the function: {tried} ({methods})")
    if rob.get("function"):
        out.append(f"the function checked: {rob['function']}")
    if rob.get("note"):
        out.append(rob["note"])
    return out
