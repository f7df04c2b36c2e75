"""Issue-17 measurement: the gray-scott training loss (texture, and pixel drift for comparison) on an
n×n grid of (F, k) within ±0.015 of the target, for a training segment of SEGMENT time units.

    python scripts/issue17/gray_scott_landscape.py TEXTURE SEGMENT [N]
"""
import sys, time, numpy as np, jax, jax.numpy as jnp
from crnzoo.tasks import gray_scott as gs
from crnzoo.tasks._gray_scott_texture import texture_loss, texture_stats
from crnzoo.spatial import GrayScott, simulate_field
tex=sys.argv[1]; seg=float(sys.argv[2]); n=int(sys.argv[3]) if len(sys.argv)>3 else 11
t0=time.time()
target=gs.target_field(tex); print("target", time.time()-t0, flush=True)
x0=jnp.asarray(target,jnp.float32); stats=jax.tree_util.tree_map(lambda a: jnp.asarray(a,jnp.float32), texture_stats(jnp.asarray(target,jnp.float64)))
g=gs.grid(101)
def L(p):
    out=simulate_field(GrayScott(p[0],p[1]),x0,seg,1.0,grid=g,method="rk4",clamp=True,save_every=10,check=False,diffuse_first=True)
    t=texture_loss(out.final,stats,p[0],p[1])
    return jnp.stack([t["total"], jnp.mean((out.final-x0)**2)])
Lv=jax.jit(jax.vmap(L))
F0,k0=gs.TARGETS[tex]
d=np.linspace(-0.015,0.015,n)
P=np.array([[F0+a,k0+b] for a in d for b in d],np.float32)
t0=time.time(); r=np.asarray(Lv(jnp.asarray(P))); print("grid", time.time()-t0)
np.set_printoptions(linewidth=250,precision=2)
print("rows F offsets, cols k offsets", d)
print("texture log10\n", np.log10(r[:,0].reshape(n,n)))
print("pixel log10\n", np.log10(r[:,1].reshape(n,n)))
