"""Issue-17 measurement: Table 1 test accuracies of a wta-ring entry read at t = 100, 200 and 400.

    python scripts/issue17/ring_hold.py NAME N_RINGS      # e.g. wta-ring-paper 1000 (fast protocol, Tsit5 rtol 1e-5)
"""
import sys, time
from crnzoo import load
from crnzoo.tasks._wta_ring_table import ring_tables
from crnzoo.solve import SolverConfig
name=sys.argv[1]; n=int(sys.argv[2])
m=load(name); t0=time.time()
tab=ring_tables(m,(2,3,4,5,6,7,8),n_eval=n,n_test=n,t_ends=(100.0,200.0,400.0),seed=0,solver=SolverConfig("tsit5",rtol=1e-5,atol=1e-7))
for t,v in tab.items(): print(name,t," ".join("n%d %.4f"%(k,v[f"test_accuracy_n{k}"]) for k in range(2,9)), "all %.4f"%v["test_accuracy_all"])
print("wall",time.time()-t0)
