"""Issue-17 measurement: what Linear2D and the paper's loss allow (least-squares minimisers, one-sided
loss, the data-seed spread of the minimiser's validation accuracy).

    python scripts/issue17/ncrn_linear2d_ceiling.py
"""
import numpy as np
from crnzoo.tasks._ncrn_data import linear2d
from scipy.optimize import nnls
d=linear2d(0); T=0.8
tr,va,gr=d.train,d.val,d.grid
def acc(c,ds,b=0.0): return np.mean(((ds.x@c+b)>2).astype(int)==ds.labels)
# LS with c>=1 (theta>=0): y - x1 - x2 = T*theta.x
A=tr.x*T; r=tr.y[:,0]-tr.x.sum(1); th,_=nnls(A,r); c=1+T*th
print("LS theta>=0 (train):",th, "c",c,"val",acc(c,va),"grid",acc(c,gr))
A=va.x*T; r=va.y[:,0]-va.x.sum(1); thv,_=nnls(A,r); print("LS on val itself",thv,acc(1+T*thv,va))
# with free bias
X=np.c_[tr.x,np.ones(len(tr.x))]; w=np.linalg.lstsq(X,tr.y[:,0],rcond=None)[0]; print("LS with bias",w,"val",acc(w[:2],va,w[2]),"grid",acc(w[:2],gr,w[2]))
# shipped
c=1+T*np.array([0.0,0.9119863185122788]); print("shipped val",acc(c,va),"grid",acc(c,gr))
wrong=np.where(((va.x@c)>2).astype(int)!=va.labels)[0]
for i in wrong: x=va.x[i]; print("wrong",i,x,"label",va.labels[i],"g=x1+2x2",x[0]+2*x[1],"dist to true boundary",(x[0]+2*x[1]-2)/np.sqrt(5))
g=va.x[:,0]+2*va.x[:,1]; dist=np.abs(g-2)/np.sqrt(5); print("val dist sorted",np.sort(dist)[:6])
# accuracy as a function of theta2 (theta1=0)
for t2 in [0.9,0.95,1.0,1.1,1.2,1.25,1.3,1.4]: print(t2, acc(1+T*np.array([0,t2]),va), acc(1+T*np.array([0,t2]),gr))
# distribution over seeds of LS-optimum val accuracy
accs=[]
for s in range(200):
    dd=linear2d(s); A=dd.train.x*T; r=dd.train.y[:,0]-dd.train.x.sum(1); th,_=nnls(A,r); accs.append(acc(1+T*th,dd.val))
accs=np.array(accs); print("LS-opt val acc over 200 data seeds: mean %.4f, P(>=0.99)=%.3f, median %.4f"%(accs.mean(),np.mean(accs>=0.99),np.median(accs)))
big=linear2d(12345,n_train=20000,n_val=2,grid=None).train
A=big.x*T; r=big.y[:,0]-big.x.sum(1); thp,_=nnls(A,r); print("population LS theta",thp,"val",acc(1+T*thp,va),"grid",acc(1+T*thp,gr))
from scipy.optimize import minimize
def onesided(th,ds):
    yh=ds.x.sum(1)+T*ds.x@th; on=ds.labels==1
    return np.sum(np.minimum(yh[on]-4,0)**2)+np.sum(yh[~on]**2)
res=minimize(lambda t: onesided(np.abs(t),tr),[0.1,0.5],method="Nelder-Mead"); th=np.abs(res.x); print("one-sided train",th,acc(1+T*th,va),acc(1+T*th,gr))
