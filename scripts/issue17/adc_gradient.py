"""Issue-17 experiment (not shipped): gradient training of the adc cascade's 27 rates.

    python scripts/issue17/adc_gradient.py STEPS R0 LR     # R0 > 0: every rate R0; R0 <= 0: the flash-converter ratios (TIED_START)

Loss: squared hinge (low 0.1, high 0.9) on the six output rails at t = 100, 150, ..., 400 for 32
random levels per step (levels within 0.01 of a bin edge moved to the bin centre); fixed-step
Tsit5 dt = 1; Adam with cosine decay; then the card's adc metrics.
"""
import sys, time, dataclasses, numpy as np, jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
from crnzoo.tasks import adc
from crnzoo.train import TrainConfig, train
from crnzoo.solve import SolverConfig, integrate
steps=int(sys.argv[1]); r0=float(sys.argv[2]); lr=float(sys.argv[3])
class ADCGrad:
    def __init__(self, dt=1.0):
        self.ts=jnp.arange(100.0,401.0,50.0); self.solver=SolverConfig("tsit5",dt=dt,max_steps=int(400/dt)+8)
        self.out=jnp.array([adc.SPECIES.index(s) for s in adc.OUTPUTS])
    def batch(self, key, size):
        x=jax.random.uniform(key,(size,),jnp.float64,0.0,1.0)
        edges=jnp.arange(1,8)/8.0
        # push levels off the edges by >= 0.01
        near=jnp.min(jnp.abs(x[:,None]-edges),axis=1)<0.01
        x=jnp.where(near, (jnp.floor(x*8)+0.5)/8, x)
        base=jnp.asarray(adc.default_x0())
        return jnp.broadcast_to(base,(size,base.size)).at[:,0].set(x).at[:,1].set(1-x)
    def loss(self, model, x0):
        ys,_,ok,*_=integrate(model,x0,self.ts,jnp.array(0.0),self.solver)
        o=ys[...,self.out]  # (T?, batch, 6) or (batch,T,6)
        x=x0[:,0]; k=jnp.clip(jnp.floor(x*8),0,7).astype(int)
        bits=jnp.stack([(k>>b)&1 for b in (2,1,0)],-1)  # (batch,3)
        y=jnp.stack([2*bits-1, 1-2*bits],-1).reshape(x.shape[0],6).astype(jnp.float64)
        if o.shape[0]!=x.shape[0]: o=jnp.swapaxes(o,0,1)
        s=(2*o-0.1-0.9)/0.8
        return jnp.mean(jnp.maximum(0,1-s*y[:,None,:])**2), {"ok":ok}
rates=np.full(len(adc.CASCADE_REACTIONS), r0) if r0>0 else adc.cascade_tied(adc.TIED_START)
m=adc.cascade_model(rates,k_min=None)
print("start", adc.adc_metrics(m,n_random=200),flush=True)
cfg=TrainConfig(steps=steps,batch_size=32,lr=lr,lr_end=lr/10,seed=0,clip=1.0)
t0=time.time(); m2,h=train(m,ADCGrad(),cfg,progress=False)
print("train %.0f s"%(time.time()-t0),"loss",np.mean(h.loss[:5]),np.mean(h.loss[-5:]),flush=True)
P=np.asarray(m2.probabilities()); 
print("metrics", adc.adc_metrics(m2,n_random=1000),flush=True)
