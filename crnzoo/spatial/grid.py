"""A 2-D grid for reaction-diffusion: its shape, spacing, boundary and discrete Laplacian.

`Grid.symbol()` gives the eigenvalues of ∇² in the basis in which it is diagonal (Fourier for
periodic walls, type-II cosine for no-flux walls), so the implicit diffusion solve of one
IMEX step is a pointwise division in that basis (`crnzoo.spatial.imex`).
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np


BOUNDARIES = ("periodic", "no-flux")
LAPLACIANS = ("fd5", "spectral")


@dataclasses.dataclass(frozen=True)
class Grid:
    """A 2-D grid.

    **Fields:**

    - `shape`: (H, W) cells.
    - `dh`: grid spacing (length units; diffusion constants are length² / time).
    - `boundary`: `"periodic"` (default) or `"no-flux"` (zero normal gradient; cell-centred
      mirror, diagonalised by the type-II cosine transform).
    - `laplacian`: `"fd5"` (5-point stencil, default) or `"spectral"` (−|k|², periodic only).
    """

    shape: tuple[int, int]
    dh: float = 1.0
    boundary: str = "periodic"
    laplacian: str = "fd5"

    def __post_init__(self):
        shape = tuple(int(n) for n in self.shape)
        object.__setattr__(self, "shape", shape)
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"a grid needs two positive sizes (H, W), got {self.shape}")
        if not (math.isfinite(self.dh) and self.dh > 0):
            raise ValueError(f"grid spacing dh must be positive, got {self.dh}")
        if self.boundary not in BOUNDARIES:
            raise ValueError(f"boundary must be one of {', '.join(BOUNDARIES)}, got {self.boundary!r}")
        if self.laplacian not in LAPLACIANS:
            raise ValueError(f"laplacian must be one of {', '.join(LAPLACIANS)}, got {self.laplacian!r}")
        if self.laplacian == "spectral" and self.boundary != "periodic":
            raise ValueError("the spectral Laplacian needs periodic boundaries; use laplacian='fd5' with no-flux")

    def symbol(self) -> np.ndarray:
        """Eigenvalues of ∇² in this grid's transform basis, shape of the transformed field (H, W')."""
        H, W = self.shape
        if self.boundary == "periodic":
            ky = np.fft.fftfreq(H) * 2 * np.pi
            kx = np.fft.rfftfreq(W) * 2 * np.pi
            if self.laplacian == "spectral":
                ly, lx = -(ky**2), -(kx**2)
            else:
                ly, lx = 2 * np.cos(ky) - 2, 2 * np.cos(kx) - 2
        else:
            ly = 2 * np.cos(np.pi * np.arange(H) / H) - 2
            lx = 2 * np.cos(np.pi * np.arange(W) / W) - 2
        return (ly[:, None] + lx[None, :]) / self.dh**2

    def forward(self, x):
        """Transform a field `(*batch, H, W, S)` to the basis in which ∇² is diagonal."""
        if self.boundary == "periodic":
            return jnp.fft.rfft2(x, axes=(-3, -2))
        return jax.scipy.fft.dctn(x, type=2, axes=(-3, -2), norm="ortho")

    def inverse(self, y):
        if self.boundary == "periodic":
            return jnp.fft.irfft2(y, s=self.shape, axes=(-3, -2))
        return jax.scipy.fft.idctn(y, type=2, axes=(-3, -2), norm="ortho")

    def laplacian_of(self, x):
        """∇²x by the stencil in real space (the method-of-lines operator; fd5 only)."""
        if self.laplacian != "fd5":
            raise ValueError("laplacian_of is defined for the fd5 stencil")
        if self.boundary == "periodic":
            nb = sum(jnp.roll(x, s, axis=a) for a in (-3, -2) for s in (1, -1))
        else:
            pad = [(0, 0)] * (x.ndim - 3) + [(1, 1), (1, 1), (0, 0)]
            xp = jnp.pad(x, pad, mode="edge")
            nb = xp[..., :-2, 1:-1, :] + xp[..., 2:, 1:-1, :] + xp[..., 1:-1, :-2, :] + xp[..., 1:-1, 2:, :]
        return (nb - 4 * x) / self.dh**2
