"""Multi-group analysis of a PLS path model for two groups: the permutation test of the path differences (Chin
& Dibbern 2010), Henseler's bootstrap PLS-MGA p-value (Henseler, Ringle & Sinkovics 2009; seminr's
``estimate_pls_mga``) and MICOM steps 1-3 (Henseler, Ringle & Sarstedt 2016).

Each group is estimated with the fit's model and settings on its own rows (under ``missing="mean"`` its missing
values are replaced by the group's means, as seminr's ``rerun`` on the group's raw data). A model estimated in
stages (interaction terms, two-stage higher-order constructs) re-runs the whole procedure (stage 1, the products or
the dimensions' scores, seminr's rescaling) for each group, each permutation and each group's bootstrap resample,
as seminr-py's ``estimate_pls_mga`` (group paths checked to 1e-9); MICOM step 2 applies the groups' weights to the
pooled fit's indicator columns (the pooled products or stage-1 scores). Interaction terms together with
repeated-indicator higher-order constructs are refused.

* **permutation** (``permutations=P``): the group labels are shuffled ``P`` times (permutation ``p`` from
  ``SeedSequence(seed, spawn_key=(0, p))``) and both groups re-estimated; ``pvalue.perm`` of a path is
  ``(1 + #{|d_perm| >= |d|}) / (P + 1)`` (the permutation p-value that counts the observed split);
* **Henseler's PLS-MGA** (``bootstrap=B``): each group is bootstrapped ``B`` times; ``pvalue.mga`` is
  ``1 - mean over all pairs (i, j) of [2 m1 - b1_i - (2 m2 - b2_j) > 0]`` with ``m`` the bootstrap means, as
  seminr (a one-sided p-value for group 1 > group 2; values near 1 mean group 2 > group 1);
* **MICOM step 1** (configural invariance) holds by construction: one model, one algorithm, one setting;
* **step 2** (compositional invariance): ``c = cor(Z w1, Z w2)``, the correlation of the scores given by the
  two groups' weights on the pooled standardised data; invariant when ``c`` is not below the 5% quantile of
  its permutation distribution (``pvalue`` = share of permuted ``c`` at or below the observed one);
* **step 3** (equal means and variances): of the pooled scores (pooled weights), the difference of the group
  means and the log ratio of the group variances, each against its 95% permutation interval.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._errors import DataError, EgovsemError, NotAvailableError
from ..parallel import child_seed, resolve_entropy
from .bootstrap import run_bootstrap
from .data import check_constant, correlations, replace_missing
from .estimates import estimate
from .weights import check_mode_b

__all__ = ["PLSMGA", "mga"]


class PLSMGA:
    """What :func:`mga` returns.

    Attributes
    ----------
    paths : DataFrame
        ``lhs op rhs est est.g1 est.g2 diff pvalue.perm pvalue.mga`` (``diff = est.g1 - est.g2``).
    compositional : DataFrame
        MICOM step 2 by construct: ``c``, ``c.q05`` (5% permutation quantile), ``pvalue``, ``invariant``.
    means_variances : DataFrame
        MICOM step 3 by construct: ``mean.diff``, its permutation interval ``mean.lower``/``mean.upper``,
        ``logvar.diff`` with ``logvar.lower``/``logvar.upper``, and ``equal.mean``, ``equal.var``.
    groups : tuple
        The two group labels (group 1 first) and ``n`` their sizes.
    """

    def __init__(self, *, paths: pd.DataFrame, compositional: pd.DataFrame, means_variances: pd.DataFrame,
                 groups: tuple[Any, Any], n: tuple[int, int], permutations: int, bootstrap: int, seed: int,
                 failed: int):
        self.paths = paths
        self.compositional = compositional
        self.means_variances = means_variances
        self.groups = groups
        self.n = n
        self.permutations = permutations
        self.bootstrap = bootstrap
        self.seed = seed
        self.failed = failed  # permutations in which a group could not be estimated (left out)

    def summary(self) -> str:
        g1, g2 = self.groups
        head = (f"PLS multi-group analysis: group 1 = {g1!r} (n = {self.n[0]}), group 2 = {g2!r} (n = {self.n[1]});"
                f" {self.permutations} permutations, {self.bootstrap} bootstrap resamples per group (seed "
                f"{self.seed})")
        return "\n".join([head, "", "Paths:", self.paths.round(4).to_string(index=False), "",
                          "MICOM step 2 (compositional invariance):", self.compositional.round(4).to_string(), "",
                          "MICOM step 3 (means and variances):", self.means_variances.round(4).to_string()])

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<egovsem PLSMGA: groups {self.groups}, {len(self.paths)} paths>"


def _estimate(raw: np.ndarray, missing: str, st, settings: dict[str, Any]):
    X = replace_missing(raw) if missing == "mean" else raw
    check_constant(X, st.spec)
    R = correlations(X)
    check_mode_b(R, st)
    return estimate(R, st, X.shape[0], **settings)


def _refit(fit, rows: pd.DataFrame, missing: str, **extra):
    """``fit``'s whole procedure (:attr:`PLSResults.call`: the stages, the products, the rescaling) on ``rows`` of
    its items (:attr:`PLSResults.resample_frame`), as seminr's ``rerun`` on a group's raw data."""
    import warnings

    from .fit import pls

    call = dict(fit.call)
    model = call.pop("model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = pls(model, rows.reset_index(drop=True), missing=missing, **call, **extra)
    if list(r.spec.indicators) != list(fit.spec.indicators):  # pragma: no cover - the same model, same columns
        raise EgovsemError("multi-group analysis: a group's model has other indicators than the pooled fit.")
    if not all(f.converged for f in (r, r.interaction_first_stage, r.first_stage) if f is not None):
        raise EgovsemError("multi-group analysis: the PLS algorithm did not converge in a group.")
    return r


def _std(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


def mga(fit, group: Any, *, permutations: int = 1000, bootstrap: int = 0, seed: int | None = None) -> PLSMGA:
    """Compare the paths of two groups (permutation test, Henseler's PLS-MGA) and run MICOM steps 1-3.

    Parameters
    ----------
    fit : PLSResults
        The pooled fit.
    group : array-like
        One label per row of the data given to :func:`egovsem.pls` (or per analysed row); two distinct values.
        For a boolean condition (seminr's ``condition``) group 1 is True; otherwise the first label in sorted
        order. ``diff = est.g1 - est.g2``.
    permutations : int
        Permutations of the group labels (0: no permutation test and no MICOM).
    bootstrap : int
        Bootstrap resamples per group for Henseler's PLS-MGA p-value (0: none).
    seed : int, optional
        Root seed (None: a fresh one, recorded in ``seed``).

    Returns
    -------
    PLSMGA
    """
    from .results import PLSResults

    if not isinstance(fit, PLSResults):
        raise EgovsemError(f"The 'fit' parameter must be the result of egovsem.pls(). Got {type(fit).__name__} "
                           "instead.")
    staged = fit.first_stage is not None or bool(fit.interactions)
    if staged and fit.item_names:
        raise NotAvailableError(f"Multi-group analysis of a model with the interaction terms "
                                f"{', '.join(fit.interactions)} and repeated-indicator higher-order constructs "
                                f"({', '.join(fit.higher_order)}) is not available (not checked against a "
                                "reference); fit with higher_order='two_stage'.")
    for name, v in (("permutations", permutations), ("bootstrap", bootstrap)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 0 or v == 1:
            raise EgovsemError(f"The '{name}' parameter must be 0 or an integer of at least 2. Got {v!r} instead.")
    entropy = resolve_entropy(seed)
    d = fit._data
    labels = np.asarray(group.to_numpy() if isinstance(group, pd.Series) else group, dtype=object)
    if labels.ndim != 1 or len(labels) not in (d.ntotal, d.X.shape[0]):
        raise EgovsemError(f"The 'group' parameter must have one label per row of the data ({d.ntotal}) or per "
                           f"analysed row ({d.X.shape[0]}). Got {labels.shape} instead.")
    if len(labels) == d.ntotal and d.rows is not None:
        labels = labels[d.rows]
    if pd.isna(labels).any():
        raise DataError("The 'group' parameter has missing labels; every analysed row needs a group.")
    levels = sorted(set(labels.tolist()), key=str)
    if set(levels) == {False, True}:
        levels = [True, False]
    if len(levels) != 2:
        raise EgovsemError(f"The 'group' parameter must have exactly two groups. Got {len(levels)}: {levels[:5]}.")
    g = labels == levels[0]
    raw = d.raw if d.missing == "mean" else d.X
    st, spec = fit._st, fit.spec
    settings = {k: fit.settings[k] for k in ("weighting", "consistent", "max_iter", "stop_criterion")}
    path_idx = [(spec.constructs.index(s), spec.constructs.index(t)) for s, t in spec.paths]

    # interaction terms, two-stage higher-order constructs: each group re-runs the whole procedure on these rows
    frame: pd.DataFrame | None = fit.resample_frame if staged else None
    assert frame is not None or not staged  # egovsem.pls sets resample_frame on every fit made in stages
    if frame is not None:
        if frame.shape[0] != d.X.shape[0]:
            raise NotAvailableError("Multi-group analysis of this model is not available: its stages analyse "
                                    f"different rows ({frame.shape[0]} and {d.X.shape[0]}).")

    def one(mask: np.ndarray):
        if frame is None:
            return _estimate(raw[mask], d.missing, st, settings)
        return _refit(fit, frame[mask], d.missing).estimates

    def split(mask: np.ndarray):
        try:
            with np.errstate(all="ignore"):
                return one(mask), one(~mask)
        except (EgovsemError, np.linalg.LinAlgError):
            return None

    both = split(g)
    if both is None:
        raise DataError(f"The model cannot be estimated in one of the groups ({levels[0]!r}: {int(g.sum())} rows, "
                        f"{levels[1]!r}: {int((~g).sum())} rows).")
    e1, e2 = both
    b1 = np.array([e1.B[i, j] for i, j in path_idx])
    b2 = np.array([e2.B[i, j] for i, j in path_idx])
    diff = b1 - b2
    Z = _std(d.X)
    K = len(spec.constructs)

    def comp_c(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
        s1, s2 = Z @ w1, Z @ w2
        return np.array([np.corrcoef(s1[:, k], s2[:, k])[0, 1] for k in range(K)])

    S = fit.scores.to_numpy()

    def moments(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = S[mask].mean(axis=0) - S[~mask].mean(axis=0)
        v = np.log(S[mask].var(axis=0, ddof=1) / S[~mask].var(axis=0, ddof=1))
        return m, v

    c_obs = comp_c(e1.W, e2.W)
    m_obs, v_obs = moments(g)
    P = int(permutations)
    perm_d = np.full((P, len(path_idx)), np.nan)
    perm_c = np.full((P, K), np.nan)
    perm_m = np.empty((P, K))
    perm_v = np.empty((P, K))
    for p in range(P):
        mask = child_seed(entropy, 0, p).permutation(g)
        perm_m[p], perm_v[p] = moments(mask)
        res = split(mask)
        if res is None:
            continue
        f1, f2 = res
        perm_d[p] = [f1.B[i, j] - f2.B[i, j] for i, j in path_idx]
        perm_c[p] = comp_c(f1.W, f2.W)
    ok = np.all(np.isfinite(perm_d), axis=1)
    if P:
        pd_ = (1 + (np.abs(perm_d[ok]) >= np.abs(diff) - 1e-12).sum(axis=0)) / (ok.sum() + 1)
    else:
        pd_ = np.full(len(path_idx), np.nan)
    p_mga = np.full(len(path_idx), np.nan)
    if bootstrap:
        from .bootstrap import layout

        lay = layout(spec, st)
        cols = lay.index["path"]
        draws = []
        for k, mask in enumerate((g, ~g)):
            root = int(child_seed(entropy, 1, k).integers(0, 2 ** 62))
            if frame is not None:
                gf = _refit(fit, frame[mask], d.missing, bootstrap=int(bootstrap), seed=root, progress=False)
                assert gf._draws is not None
                dr = gf._draws
            else:
                dr = run_bootstrap(raw[mask], d.missing, spec, settings, root, lay, int(bootstrap))
            draws.append(dr[np.all(np.isfinite(dr), axis=1)][:, cols])
        J = min(len(draws[0]), len(draws[1]))
        u = 2 * draws[0][:J].mean(axis=0) - draws[0][:J]
        v = 2 * draws[1][:J].mean(axis=0) - draws[1][:J]
        for c in range(len(path_idx)):
            vs = np.sort(v[:, c])
            greater = np.searchsorted(vs, u[:, c], side="left").sum()  # pairs with u_i > v_j
            p_mga[c] = 1 - greater / J ** 2
    paths = pd.DataFrame({"lhs": [t for _, t in spec.paths], "op": "~", "rhs": [s for s, _ in spec.paths],
                          "est": [fit.estimates.B[i, j] for i, j in path_idx], "est.g1": b1, "est.g2": b2,
                          "diff": diff, "pvalue.perm": pd_, "pvalue.mga": p_mga})
    names = list(spec.constructs)
    okc = np.all(np.isfinite(perm_c), axis=1)
    if P:
        q05 = np.quantile(perm_c[okc], 0.05, axis=0)
        pc = (perm_c[okc] <= c_obs + 1e-12).mean(axis=0)
        ml, mu = np.quantile(perm_m, [0.025, 0.975], axis=0)
        vl, vu = np.quantile(perm_v, [0.025, 0.975], axis=0)
    else:
        q05 = pc = ml = mu = vl = vu = np.full(K, np.nan)
    comp = pd.DataFrame({"c": c_obs, "c.q05": q05, "pvalue": pc, "invariant": c_obs >= q05}, index=names)
    mv = pd.DataFrame({"mean.diff": m_obs, "mean.lower": ml, "mean.upper": mu,
                       "logvar.diff": v_obs, "logvar.lower": vl, "logvar.upper": vu,
                       "equal.mean": (m_obs >= ml) & (m_obs <= mu), "equal.var": (v_obs >= vl) & (v_obs <= vu)},
                      index=names)
    return PLSMGA(paths=paths, compositional=comp, means_variances=mv, groups=(levels[0], levels[1]),
                  n=(int(g.sum()), int((~g).sum())), permutations=P, bootstrap=int(bootstrap), seed=entropy,
                  failed=int(P - ok.sum()))
