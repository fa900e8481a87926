"""RAM.vjp (the gradient through the implied moments without the (q, p, p) Jacobian) equals the Jacobian's
product, including equality-constrained parameters, regressions among observed variables and intercepts."""
from __future__ import annotations

import numpy as np
from egovsem.sem.partable import specify
from egovsem.sem.ram import RAM

MODEL = """
f =~ y1 + a*y2 + a*y3
g =~ y4 + y5 + y6
g ~ f + x1
y6 ~ x2
y1 ~~ y4
"""


def test_vjp_equals_the_jacobian_product() -> None:
    spec = specify(MODEL, meanstructure=True)
    pt = spec.partable.copy()
    ram = RAM.from_partable(pt, tuple(spec.ov), tuple(spec.lv))
    rng = np.random.default_rng(7)
    theta = 0.3 + 0.4 * rng.random(ram.q)
    p = len(spec.ov)
    B = rng.normal(size=(p, p))
    g_sigma, g_mu = B + B.T, rng.normal(size=p)
    dS, dmu = ram.jacobian(theta)
    want = dS.reshape(ram.q, -1) @ g_sigma.ravel() + dmu @ g_mu
    np.testing.assert_allclose(ram.vjp(theta, g_sigma, g_mu), want, rtol=1e-10, atol=1e-10)
