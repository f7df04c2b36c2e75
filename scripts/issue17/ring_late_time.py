"""Issue-17 experiment (not shipped): continue the shipped wta-ring at a long horizon on 5-chamber rings.

    python scripts/issue17/ring_late_time.py STEPS T_END START_FRACTION     # as run: 150 400 0.25

Squared hinge on A at every step after START_FRACTION·T_END, round 7's T = 200 optimiser (ROUND7_EXTEND) (seed 7); then
Table 1 at t = 100, 200, 400 with 500 + 500 rings.
"""
import sys, time, dataclasses, numpy as np
from crnzoo import load
from crnzoo.train import train
from crnzoo.tasks import wta_ring as w

# round 7's second-phase optimiser (wta-ring's EXTEND then): 500 Adam steps, lr 3e-3 -> 3e-4
ROUND7_EXTEND = dataclasses.replace(w.TRAIN, steps=500, lr=3e-3, lr_end=3e-4)
from crnzoo.crn.diffusion import SparseDiffusionRing
from crnzoo.crn import MembraneRing
from crnzoo.tasks._wta_ring_table import ring_tables
from crnzoo.solve import SolverConfig
steps=int(sys.argv[1]); T=float(sys.argv[2]); start=float(sys.argv[3])
m=load("wta-ring")
task=w.RingTask(n_chambers=5,t_end=T,dt=w.DT,low=0.01,high=0.9,k_diffusion=w.K_MIN,start_fraction=start)
cfg=dataclasses.replace(ROUND7_EXTEND, steps=steps, seed=7, checkpoint_every=10**9)
t0=time.time()
model,h=train(m,task,cfg,progress=False)
print("train",time.time()-t0,"loss first/last",np.mean(h.loss[:10]),np.mean(h.loss[-10:]),flush=True)
baked=SparseDiffusionRing(model,w.K_MIN).baked()
shipped=MembraneRing(baked.chemistry.with_sparsity(w.K_MIN),baked.diffusion_logits,baked.x0)
tab=ring_tables(shipped,(2,3,4,5,6,7,8),n_eval=500,n_test=500,t_ends=(100.0,200.0,400.0),seed=0,solver=SolverConfig("tsit5",rtol=1e-5,atol=1e-7))
for t,v in tab.items(): print(t," ".join("n%d %.4f"%(k,v[f"test_accuracy_n{k}"]) for k in range(2,9)), "all %.4f"%v["test_accuracy_all"],flush=True)
print("total",time.time()-t0)
