"""Polynomial kinetic laws of imported SBML models as propensity tables (`crnzoo.ssa.sbml_laws`),
and the lanes kernel's per-lane saves against a closed form."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo.data import data_dir
from crnzoo.ssa import _lanes, sbml_laws

ROOT = data_dir() / "sbml-test-suite" / "stochastic"
needs_suite = pytest.mark.skipif(not ROOT.is_dir(), reason=f"the SBML Test Suite's stochastic cases are not at {ROOT} (shared data)")


def _tables(case: str):
    from crnzoo.ssa.dsmts import load_case_model
    from crnzoo.ssa.sbml import kernel_parts

    model = load_case_model(ROOT / case / f"{case}-sbml-l3v2.xml")
    sizes, change, _, prop = kernel_parts(model)
    return model, sizes, change, prop


@needs_suite
def test_a_law_written_for_counts_runs_as_mass_action_with_its_own_constant():
    """00031: k1·P·(P−1)/2 is c = k1/2 on the falling factorial (P, 0), (P, 1): no factor added."""
    model, sizes, change, prop = _tables("00031")
    net, c = sbml_laws.network(model, sizes, change)
    assert net.key[0] == "mass action"
    assert np.allclose(c, [0.0002 / 2, 0.004])
    n = np.array([[0.0, 1, 2, 1000], [0, 3, 7, 0]])
    import jax

    want = np.asarray(jax.vmap(prop, in_axes=1, out_axes=1)(n))
    assert np.allclose(np.asarray(net.prop(c, n)), want, rtol=1e-14, atol=0)
    assert want[0, 1] == 0.0 and np.asarray(net.prop(c, n))[0, 1] == 0.0


@needs_suite
def test_other_polynomials_run_as_sums_of_monomials_and_rational_laws_keep_the_model_code():
    model, sizes, change, prop = _tables("00034")  # 0.5·k1·(100 − 2·P2)·(99 − 2·P2): a constant term
    net, c = sbml_laws.network(model, sizes, change)
    assert net.key[0] == "sbml polynomial"
    n = np.array([[0.0, 10, 49, 50]])
    import jax

    want = np.asarray(jax.vmap(prop, in_axes=1, out_axes=1)(n))
    assert np.allclose(np.asarray(net.prop(c, n)), want, rtol=1e-12, atol=1e-12)


@needs_suite
def test_a_law_divided_by_a_species_keeps_the_model_code(tmp_path):
    from crnzoo.ssa.dsmts import load_case_model
    from crnzoo.ssa.sbml import kernel_parts

    text = (ROOT / "00031" / "00031-sbml-l3v2.xml").read_text()
    two = '<cn type="integer"> 2 </cn>'
    assert text.count(two) == 1
    xml = tmp_path / "rational.xml"
    xml.write_text(text.replace(two, "<apply><plus/><ci> P2 </ci><cn> 1 </cn></apply>"))  # k1·P·(P−1)/(P2 + 1)
    model = load_case_model(xml)
    sizes, change, _, _ = kernel_parts(model)
    assert sbml_laws.count_polynomials(model, sizes) is None
    assert sbml_laws.network(model, sizes, change) is None


def test_dense_saves_keep_a_birth_process_poisson():
    """Rate 1 births saved every 0.1 up to t = 5: the count is Poisson(5) at every save. (A kernel
    that keeps a draw landing between the next two saves and drops only those beyond fires
    almost twice as often here.)"""
    net, c = sbml_laws._polynomial([{(): 1.0}], [[]], np.array([[1.0]]))
    ts = np.linspace(0.0, 5.0, 51)
    runs = 3000
    out, fired, ok = _lanes.simulate(net, c, np.zeros((runs, 1)), ts, 3, 10_000)
    assert ok.all() and np.array_equal(out[:, -1, 0], fired)
    assert np.all(np.diff(out[..., 0], axis=1) >= 0)
    mean, var = out[..., 0].mean(0), out[..., 0].var(0, ddof=1)
    se = np.sqrt(np.maximum(ts, 0.1) / runs)
    assert np.all(np.abs(mean - ts) < 4.5 * se), mean - ts
    assert np.all(np.abs(var[10:] / ts[10:] - 1) < 0.15), var[10:] / ts[10:]


def test_a_clocked_neural_crn_is_simulated_through_its_gated_listing():
    """The SSA's listing of a NeuralCRN is `network(clocks=True)`: its mass action is the model's
    one-pot rhs (the ungated `network()` runs every phase at once and is not)."""
    from crnzoo import zoo
    from crnzoo.ssa.simulate import _network

    model = zoo.load("ncrn-linreg-minimal")
    net, held, x0 = _network(model)
    flat = list(model.flat_species(model.state_shape))
    order = [flat.index(s) for s in net.species]
    want = np.asarray(model.rhs(0.0, model.x0)).reshape(-1)[order]
    got = np.asarray(net.mass_action().rhs(0.0, x0))
    assert np.allclose(got, want, rtol=1e-10, atol=1e-12)
    ungated = model.network(0.0).mass_action().rhs(0.0, x0)
    assert not np.allclose(np.asarray(ungated), want, rtol=1e-6, atol=1e-9)
