"""Issue-17 measurement: how many of the 10 gray-scott restarts reach the target (F, k) within 0.001.

    python scripts/issue17/gray_scott_restarts.py TEXTURE "segment=10.0,save_every=5"   # GSTrainConfig overrides
"""
import sys, time, dataclasses, numpy as np
from crnzoo.tasks import gray_scott as gs
tex=sys.argv[1]; kw=eval("dict(%s)"%sys.argv[2])
cfg=dataclasses.replace(gs.TRAIN, **kw)
r=gs.fit_texture(tex,cfg,progress=False)
F0,k0=gs.TARGETS[tex]
fin=r["param_history"][-1]
eb=[max(abs(F-F0),abs(k-k0)) for F,k,_ in r["restart_best"]]
ef=[max(abs(p[0]-F0),abs(p[1]-k0)) for p in fin]
print(tex,kw,"wall %.0f"%r["wall_s"],"best-within",sum(e<=1e-3 for e in eb),"final-within",sum(e<=1e-3 for e in ef))
print(" best err",np.round(np.array(eb)*1e3,3)); print(" final err",np.round(np.array(ef)*1e3,3))
print(" best", r["F"], r["k"], r["best_restart"])
