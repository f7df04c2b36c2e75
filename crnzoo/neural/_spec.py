"""`NeuralSpec`: a Neural CRN's Neural ODE f_θ(z, x), its rails, read-out and learning settings.

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §3. The spec is the card's `config`
(JSON-able); `crnzoo.neural.build_circuit` compiles it into the learning circuit.
Concentrations and time are dimensionless.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np

from .compiler import CONVENTIONS, Poly


@dataclasses.dataclass(frozen=True)
class NeuralSpec:
    """A Neural CRN: its Neural ODE, rails, read-out and learning settings (JSON-able card config).

    - `n_features`: raw input features; `d`: state dimension (features + pads with value `pad`).
    - `theta`: "diag" (f_i = θ_i x_i), "full" (f_i = Σ_j θ_ij x_j) or "readout" (full rows, but only
      for the components the read-out sees; the others carry no parameters).
    - `bias`: fixed (untrained) constant added to every f_i.
    - `power`, `alpha`: the nonlinearity −α·z_i^power (power 0: none; 2: z⊙z; 3: z⊙z⊙z).
    - `readout`: "sum" (ŷ = Σ_i z_i, one output, W = ones), "first" (ŷ_k = z_k for the first
      `n_out` components, W = [I 0]) or "last" (the last `n_out` components, W = [0 I]: with
      pads there, every output starts from the pad value).
    - `z_dual`, `p_dual`, `x_dual`: dual-rail encoding of Z, P, X (A and G are always dual).
    - `shared_adjoint`: one adjoint A for all components (only when f does not depend on z
      and the read-out is "sum": the paper's minimal circuit).
    - `order`: "full" backpropagation or "first" (adjoint held constant: g = T·(∂f/∂θ)ᵀa).
    - `T`: duration of N1 and of N3; `eta`: learning rate (0 < η ≤ 1 for dual-rail P);
      `fast_rate`: κ of the fast stages; `convention`: "paper" or "catalyst" rate laws;
      `max_molecularity`: compilation refuses reactions above it.
    - `railwise`: apply the quadratic nonlinearity rail by rail (2Z_p -> Z_p, 2Z_m -> Z_m plus
      fast annihilation Z_p + Z_m -> ∅ at κ in N1 and N3), as the authors' hand-edited reaction
      files do: the Neural ODE is then f = θx + β − α·z|z| (exact as κ -> ∞), not −α·z².
    - `one_sided`: None (the paper's loss ½(ŷ − y)²) or a binary classifier's threshold φ: the
      loss is then one-sided, ½·min(ŷ − y, 0)² for ON samples (y > φ) and ½·max(ŷ − y, 0)² for
      OFF samples, so an output beyond its label on the correct side is not penalised. Its
      adjoint stage N2 is label-gated (`crnzoo.neural._one_sided`); needs the minimal circuit's
      shared adjoint and single-rail Z.
    """

    # the Neural ODE f_θ(z, x) and its inputs
    n_features: int
    d: int
    theta: str = "diag"
    pad: float = 1.0
    bias: float = 0.0
    power: int = 0
    alpha: float = 1.0
    # the read-out ŷ = W z(T)
    readout: str = "sum"
    n_out: int = 1
    # rails (A and G are always dual)
    z_dual: bool = True
    p_dual: bool = True
    x_dual: bool = False
    # the backward pass
    shared_adjoint: bool = False
    order: str = "full"
    # learning and rate laws
    T: float = 0.5
    eta: float = 0.1
    fast_rate: float = 100.0
    convention: str = "paper"
    max_molecularity: int = 2
    railwise: bool = False
    one_sided: float | None = None

    def __post_init__(self):
        if self.d < self.n_features or self.n_features < 1:
            raise ValueError(f"need 1 <= n_features <= d, got n_features={self.n_features}, d={self.d}")
        if self.theta not in ("diag", "full", "readout"):
            raise ValueError(f"theta must be 'diag', 'full' or 'readout', got {self.theta!r}")
        if self.power not in (0, 1, 2, 3):
            raise ValueError(f"power must be 0, 2 or 3, got {self.power}")
        if self.readout not in ("sum", "first", "last"):
            raise ValueError(f"readout must be 'sum', 'first' or 'last', got {self.readout!r}")
        if self.readout == "sum" and self.n_out != 1:
            raise ValueError("the 'sum' read-out has one output")
        if self.readout != "sum" and not 1 <= self.n_out <= self.d:
            raise ValueError(f"n_out must be in 1..d, got {self.n_out}")
        if self.order not in ("full", "first"):
            raise ValueError(f"order must be 'full' or 'first', got {self.order!r}")
        if self.convention not in CONVENTIONS:
            raise ValueError(f"unknown rate-law convention {self.convention!r}; choose {', '.join(CONVENTIONS)}")
        if not (self.T > 0 and self.fast_rate > 0):
            raise ValueError("T and fast_rate must be positive")
        if not (0 < self.eta <= 1 or (not self.p_dual and self.eta > 0)):
            raise ValueError(f"the update splits G between P and decay: need 0 < eta <= 1, got {self.eta}")
        if self.railwise and (self.power != 2 or not self.z_dual):
            raise ValueError("railwise applies to the quadratic nonlinearity (power 2) of a dual-rail z")
        if self.shared_adjoint and (self.readout != "sum" or (self.power and self.order == "full")):
            raise ValueError("a shared adjoint needs the 'sum' read-out and an f without z (or the first-order variant)")
        if self.one_sided is not None and (not self.shared_adjoint or self.z_dual):
            raise ValueError("one_sided (the label-gated adjoint) needs shared_adjoint=True and single-rail Z (z_dual=False)")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        if not d["railwise"]:  # older cards have no such keys
            d.pop("railwise")
        if d["one_sided"] is None:
            d.pop("one_sided")
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "NeuralSpec":
        return cls(**dict(d))

    def sample_loss(self, yhat, y):
        """The per-sample training loss: ½‖ŷ − y‖², or its one-sided form (`one_sided`)."""
        r = yhat - y
        if self.one_sided is not None:
            on = jnp.sum(y) > self.one_sided  # a binary classifier has one output
            r = jnp.where(on, jnp.minimum(r, 0.0), jnp.maximum(r, 0.0))
        return 0.5 * jnp.sum(r**2)

    # ---- derived sizes -------------------------------------------------------------------
    @property
    def theta_index(self) -> list[tuple[int, int]]:
        """(i, j) of each parameter θ_k (0-based): the diagonal, or all of the d×d matrix."""
        if self.theta == "diag":
            return [(i, i) for i in range(self.d)]
        rows = range(self.d)
        if self.theta == "readout":  # only the rows of components the read-out sees
            rows = [i for i in range(self.d) if self.readout_matrix()[:, i].any()]
        return [(i, j) for i in rows for j in range(self.d)]

    @property
    def n_params(self) -> int:
        return len(self.theta_index)

    def readout_matrix(self) -> np.ndarray:
        """W, shape (n_out, d): ŷ = W z."""
        if self.readout == "sum":
            return np.ones((1, self.d))
        return np.eye(self.d)[: self.n_out] if self.readout == "first" else np.eye(self.d)[self.d - self.n_out :]

    def pad_inputs(self, features: np.ndarray) -> np.ndarray:
        """Features (..., n_features) -> x (..., d) with the pad components appended."""
        features = np.asarray(features, dtype=np.float64)
        if features.shape[-1] != self.n_features:
            raise ValueError(f"expected {self.n_features} input features, got {features.shape[-1]}")
        pad = np.full(features.shape[:-1] + (self.d - self.n_features,), self.pad)
        return np.concatenate([features, pad], axis=-1)

    # ---- the Neural ODE as polynomials ----------------------------------------------------
    def f_polys(self, nonlinear: bool = True) -> list[Poly]:
        """f_θ(z, x) component by component (variables z_i, x_i, th_k); `nonlinear=False` drops −α z^q."""
        f = [Poly.const(self.bias) for _ in range(self.d)]
        for k, (i, j) in enumerate(self.theta_index):
            f[i] = f[i] + Poly.var(f"th{k}") * Poly.var(f"x{j}")
        if self.power and nonlinear:
            for i in range(self.d):
                f[i] = f[i] - self.alpha * Poly.var(f"z{i}") ** self.power
        return f

    def f(self, z, theta, x):
        """f_θ(z, x) for arrays (…, d), θ (n_params,), x (…, d), with this spec's convention."""
        polys = self.f_polys(nonlinear=not self.railwise)
        if self.convention == "catalyst":
            polys = [p.catalyst_scaled() for p in polys]
        values = {f"z{i}": z[..., i] for i in range(self.d)}
        values.update({f"x{i}": x[..., i] for i in range(self.d)})
        values.update({f"th{k}": theta[k] for k in range(self.n_params)})
        out = jnp.stack([jnp.broadcast_to(jnp.asarray(p.evaluate(values), dtype=z.dtype), z.shape[:-1]) for p in polys], axis=-1)
        if self.railwise:
            out = out - self.railwise_alpha * z * jnp.abs(z)
        return out

    @property
    def railwise_alpha(self) -> float:
        """α of the rail-wise −α z|z| under this spec's rate-law convention (Catalyst: α/2)."""
        return self.alpha / 2 if self.convention == "catalyst" else self.alpha
