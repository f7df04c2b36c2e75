"""Indexed chemical reaction networks (Lee, Buse, Winfree, DNA 31, 2025, §3).

An indexed CRN writes many reactions at once with index symbols, e.g. the weight
multiplication of a DNA winner-take-all network

    X[i] + W[i,j] + XF[i] -> X[i] + P[i,j]      at rate a1[i,j]

for every pixel i and class j. Each *base species* (`X`, `W`, ...) is a tensor over
global *index sets* (`pixel` of size 100, `class` of size 3); each *index symbol* (`i`,
`j`, `k`) ranges over one index set. Rate constants are tensors too, and may be
functions of parameters (`relu(W[i,j])`, `36*a[i,j]`), so indexed CRNs are trainable.

Compilation (the paper's §3.3): the flux of an indexed reaction is one `einsum` over all
the index symbols it names,

    F[i,j] = a1[i,j] · X[i] · W[i,j] · XF[i],

and each participating indexed species changes by its net coefficient times the flux
summed over the symbols it does not carry (dXF[i] −= Σ_j F[i,j]). Species that appear
with the same indices on both sides (the catalyst X[i] above) cancel before compiling.
Mass-action convention as in `crnzoo.network`: `2A -> B` at rate k has flux k·A².
`IndexedCRN.network()` enumerates every concrete reaction (`X_4 + W_4_1 + XF_4 -> X_4 +
P_4_1`), sums the rates of identical ones, and its `MassAction` dynamics equal `rhs`.

**State layout.** The state is flat: each base species' tensor, flattened row-major, in
declaration order; concrete species are named `B_i_j` (0-based indices; a scalar base
species keeps its name). `unpack`/`pack` convert between the flat state and tensors.

**Dual rail.** A signed indexed quantity U is carried by two base species `Up` and `Un`
(U = Up − Un), as in the paper's Hopfield network; `dual_rail`, `signed_production`
and `annihilation` write the species and reactions, `IndexedCRN.signed` reads U back.

Example (mass units and times are whatever the rates are written in)::

    crn = IndexedCRN.create(
        sets={"n": 3},
        symbols={"i": "n", "j": "n"},
        species={"M": ("n",), "D": ("n", "n")},
        reactions=[("M[i] + M[j] -> D[i,j]", "k1[i,j]"), ("D[i,j] -> M[i] + M[j]", "k2[i,j]")],
        params={"k1": k1, "k2": k2},
        x0={"M": 1.0},
    )
    traj = crnzoo.simulate(crn, t1=1.0)

Modules: `_parse` (the grammar: terms, rate expressions, reactions), `_spec` (the static
structure and its validation), `_model` (`IndexedCRN`, registered as the builder
`"indexed"`), `_dual_rail` (signed quantities on two rails).
"""

from ._dual_rail import annihilation as annihilation
from ._dual_rail import dual_rail as dual_rail
from ._dual_rail import rails as rails
from ._dual_rail import signed_production as signed_production
from ._dual_rail import split_signed as split_signed
from ._model import IndexedCRN as IndexedCRN
from ._parse import RATE_FUNCTIONS as RATE_FUNCTIONS
from ._parse import IndexedCRNError as IndexedCRNError
from ._parse import IndexedReaction as IndexedReaction
from ._parse import RateExpr as RateExpr
from ._parse import Term as Term
from ._parse import concrete_name as concrete_name
from ._parse import parse_rate as parse_rate
from ._parse import parse_reaction as parse_reaction
from ._parse import parse_side as parse_side
from ._spec import IndexedSpec as IndexedSpec
