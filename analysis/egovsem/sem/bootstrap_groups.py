"""Bootstrap resamples refitted one by one, in any number of groups: multi-group ML, pairwise ML and FIML fits
(with ``group_equal``), FIML with explicit constraints, and the Bollen-Stine test of such fits.

lavaan 0.6-14 (``lav_bootstrap_internal``) resamples within each group, so that every resample keeps the
group sizes, and refits every resample with the model's constraints (``group_equal`` labels and ``==``,
``<``, ``>``). Here resample ``b`` draws, from one generator ``SeedSequence(seed, spawn_key=(b,))``
(:func:`egovsem.parallel.child_seed`), the row indices of group 1, then of group 2, ...; with one group that
is the draw of :func:`egovsem.sem.bootstrap.resample_indices`. Each group's fixed.x rows are set to its
resample's covariate moments (complete covariates: under FIML rows missing a covariate were dropped before
the fit, as lavaan drops them), and the model is refitted from the full-sample estimate by the engine's
optimiser (:func:`~egovsem.sem.discrepancy.minimize_groups`, or
:func:`~egovsem.sem.constraints.minimize_constrained` under explicit constraints) with the ML discrepancy of
the resample's moments (with ``missing="pairwise"``: each group's available-case means and lavaan's pairwise
covariance ``cov(use = "pairwise") * (n_g - 1) / n_g`` of its resampled rows, as lavaan 0.6-14 recomputes
them for every resample) or the FIML discrepancy of its rows. The draws then go through the summaries of
:mod:`egovsem.sem.bootstrap` (SD with divisor B, percentile / BCa / normal intervals, ``std.all`` and ``:=``
draws), each group's rows from its own matrices. The numbers depend on the seed alone, never on n_jobs.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._errors import EgovsemError
from ..parallel import child_seed
from ._draws import RowMaps
from .batch import BatchModel, difference_inverse_hessian, quasi_newton, safe_inverse
from .bootstrap_refit import ConstraintsOnce, pairwise_moments
from .fiml_batch import FimlBatch
from .fiml_batch import supports as fiml_batch_supports

__all__ = ["GroupRefitPayload", "group_refit_chunk", "group_resample"]



def group_resample(entropy: int, b: int, sizes: tuple[int, ...]) -> list[np.ndarray]:
    """Row indices (0-based, within each group) of resample ``b``: one generator, the groups in order."""
    rng = child_seed(entropy, b)
    return [rng.integers(0, n, size=n) for n in sizes]


class GroupRefitPayload(ConstraintsOnce):
    """What a worker needs to refit resamples of a fit group by group (pickled once per worker).

    Parameters
    ----------
    res : Results
        The full-sample ML or FIML fit (one or several groups).
    entropy : int
        The root seed.
    data : list of ndarray, optional
        The rows of each group to resample (default: the fit's analysed rows; Bollen-Stine passes its
        transformed rows).
    """

    def __init__(self, res, entropy: int, data: list[np.ndarray] | None = None) -> None:
        spec = res.spec
        self.spec = spec
        self.fiml = res.opts.discrepancy == "FIML"
        self.pairwise = res.opts.missing == "pairwise"
        self.iter_max = int(res.opts.iter_max)
        self.X = [np.asarray(x, dtype=float) for x in
                  (data if data is not None else [st.X for st in res.group_stats])]
        self.sizes = tuple(int(x.shape[0]) for x in self.X)
        self.n = sum(self.sizes)
        self.theta0 = np.asarray(res.theta, dtype=float)
        self.entropy = entropy
        pt = res.partable
        grp = pt["group"].to_numpy() if "group" in pt else np.ones(len(pt), dtype=int)
        self.G = len(self.sizes)
        self.row_pos = [np.flatnonzero(grp == g + 1) for g in range(self.G)]
        rams = res.rams if self.G > 1 else [res.ram]
        names = tuple(rams[0].names)
        self.bms = [BatchModel(rams[g], pt.iloc[self.row_pos[g]], meanstructure=spec.meanstructure)
                    for g in range(self.G)]
        self.maps_g = [RowMaps(pt.iloc[self.row_pos[g]], names, ()) for g in range(self.G)]
        self.maps = RowMaps(pt, names, tuple(spec.defined))
        self.nrows = len(pt)
        pos = {v: i for i, v in enumerate(spec.ov)}
        self.xi = np.array([pos[v] for v in spec.ov_x], dtype=int)
        # the full-sample moments of each group (the "norm" interval's bias is evaluated at them)
        self.S0 = [np.asarray(st.cov, dtype=float) for st in res.group_stats]
        self.m0 = [np.asarray(st.mean, dtype=float) for st in res.group_stats]
        self._cs = None
        # the batched problem: every group's BatchModel (ML) or FimlBatch (FIML), fitted together with the
        # group weights N_g / N (which resampling keeps). Linear equality constraints are eliminated as the
        # engine eliminates them (theta = theta_p + K x, egovsem.sem.constraints): the batch then runs in x;
        # nonlinear equalities and inequalities are refitted one by one
        self.fbatch: list[FimlBatch] | None = None
        cs = self.constraints
        self.K: np.ndarray | None = None
        self.tp = np.zeros(self.theta0.size)
        if cs is not None and not cs.n_nonlinear_eq and not cs.n_ineq:
            self.K, self.tp = np.asarray(cs.K, dtype=float), np.asarray(cs.theta_p, dtype=float)
        self.batched = (cs is None or self.K is not None) and (not self.fiml or (fiml_batch_supports(res)
                                                                                and self.bms[0].q > 0))
        if self.fiml and self.batched:
            self.fbatch = [FimlBatch(bm, x) for bm, x in zip(self.bms, self.X)]
        self.x0 = self.theta0 if self.K is None else self.K.T @ (self.theta0 - self.tp)
        self.h0inv = self._initial_inverse_hessian() if self.batched and self.x0.size else None
        if self.h0inv is None:
            self.batched = False

    # -- the batched fit ----------------------------------------------------------------------------
    def _split(self, D: tuple) -> list[tuple]:
        """The per-group pieces of the batched data ``D`` (after its first array, the group weights)."""
        out, k = [], 1
        for g in range(self.G):
            n = 3 if self.fbatch is None else len(self._widths[g])
            out.append(D[k:k + n])
            k += n
        return out

    @property
    def _widths(self) -> list[range]:
        assert self.fbatch is not None
        return [range(9 + len(fb.groups)) for fb in self.fbatch]

    def to_theta(self, x: np.ndarray) -> np.ndarray:
        """The parameters of the batch's coordinates ``x`` (B, r): ``theta_p + K x`` under linear equalities."""
        return x if self.K is None else self.tp + x @ self.K.T

    def evaluate(self, x: np.ndarray, *D: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F = sum_g w_g F_g`` (B,) and its gradient (B, r) of a stack of resamples at coordinates ``x``."""
        f, grad = self._evaluate_theta(self.to_theta(x), D)
        return f, (grad if self.K is None else grad @ self.K)

    def _evaluate_theta(self, theta: np.ndarray, D: tuple) -> tuple[np.ndarray, np.ndarray]:
        f = np.zeros(theta.shape[0])
        grad = np.zeros(theta.shape)
        for g, Dg in enumerate(self._split(D)):
            if self.fbatch is None:
                fg, gg = self.bms[g].evaluate(theta, *Dg)
            else:
                fg, gg = self.fbatch[g].evaluate(theta, *Dg)
            assert gg is not None
            f = f + D[0][:, g] * fg
            grad = grad + D[0][:, g, None] * gg
        return f, grad

    def information(self, x: np.ndarray, *D: np.ndarray) -> np.ndarray:
        """The groups' expected information, weighted, in the coordinates ``x`` (the optimiser's restart
        metric)."""
        theta = self.to_theta(x)
        total = np.zeros((theta.shape[0],) + (theta.shape[1],) * 2)
        for g, Dg in enumerate(self._split(D)):
            info = (self.bms[g].information(theta, Dg[0], Dg[1]) if self.fbatch is None
                    else self.fbatch[g].information(theta, *Dg))
            total = total + D[0][:, g, None, None] * info
        return total if self.K is None else self.K.T @ total @ self.K

    def batch_data(self, parts_list: list[list[np.ndarray]], counts: list[np.ndarray] | None) -> tuple:
        """The batched data of resamples (each a list of the groups' rows; FIML: the groups' row counts):
        first the group weights ``N_g / N`` of each resample (the bootstrap keeps them, the jackknife not)."""
        sizes = np.array([[x.shape[0] for x in parts] for parts in parts_list], dtype=float)
        D: list[np.ndarray] = [sizes / sizes.sum(axis=1, keepdims=True)]
        for g in range(self.G):
            if self.fbatch is None:
                mom = [self.moments(parts[g]) for parts in parts_list]
                S = np.array([m[0] for m in mom])
                sign, ld = np.linalg.slogdet(S)
                D += [S, np.array([m[1] for m in mom]), np.where(sign > 0, ld, np.nan)]
            else:
                assert counts is not None
                D += list(self.fbatch[g].pattern_moments(counts[g]).arrays())
        return tuple(D)

    def _initial_inverse_hessian(self) -> np.ndarray | None:
        q = self.x0.size
        if self.fbatch is None:
            full = self.batch_data([self.X], None)
        else:
            full = self.batch_data([self.X], [np.ones((1, n)) for n in self.sizes])
        D = tuple(np.broadcast_to(a, (2 * q,) + a.shape[1:]) for a in full)
        if self.fbatch is None and not np.isfinite(full[3]).all():
            return None
        return difference_inverse_hessian(
            lambda T: self.evaluate(T, *D), self.x0,
            lambda: safe_inverse(2.0 * self.information(self.x0[None], *full)[0]))

    # -- one resample -------------------------------------------------------------------------------
    def moments(self, Xg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Covariance (divisor n) and mean of a group's rows (pairwise: lavaan's pairwise covariance rescaled
        to divisor n, NaN for a pair never observed together, and the available-case means); under FIML only
        the covariates' block and means (complete columns; all the fixed.x rows need), the rest zero."""
        n, p = Xg.shape
        if self.pairwise:
            return pairwise_moments(Xg)
        if not self.fiml:
            mean = Xg.mean(axis=0)
            D = Xg - mean
            return D.T @ D / n, mean
        S, mean = np.zeros((p, p)), np.zeros(p)
        if self.xi.size:
            Xx = Xg[:, self.xi]
            mx = Xx.mean(axis=0)
            D = Xx - mx
            S[np.ix_(self.xi, self.xi)] = D.T @ D / n
            mean[self.xi] = mx
        return S, mean

    def refit(self, parts: list[np.ndarray]):
        """The fit of the groups' rows ``parts``: ``(theta, fmin, converged, S list, mean list)``."""
        from types import SimpleNamespace

        from .constraints import minimize_constrained
        from .discrepancy import Discrepancy, group_weights, minimize_groups
        from .estimate import fill_fixed_x, free_variances
        from .fiml import FIMLDiscrepancy, RowData
        from .ml import MLDiscrepancy
        from .ram import RAM

        spec = self.spec
        mom = [self.moments(x) for x in parts]
        pt = fill_fixed_x(spec, [SimpleNamespace(cov=S, mean=m) for S, m in mom])  # type: ignore[misc]
        grp = pt["group"].to_numpy() if "group" in pt else np.ones(len(pt), dtype=int)
        Ss, ms = [S for S, _ in mom], [m for _, m in mom]
        try:
            rams = [RAM.from_partable(pt[grp == g + 1], spec.ov, spec.lv, q=spec.npar) for g in range(self.G)]
            discs: list[Discrepancy]
            if self.fiml:
                discs = [FIMLDiscrepancy(r, RowData.from_array(x)) for r, x in zip(rams, parts)]
            else:
                if not all(np.isfinite(S).all() and np.isfinite(m).all() and np.linalg.slogdet(S)[0] > 0
                           for S, m in zip(Ss, ms)):
                    return self.theta0, np.nan, False, Ss, ms
                discs = [MLDiscrepancy(r, S, m, bool(spec.meanstructure), x.shape[0])
                         for r, S, m, x in zip(rams, Ss, ms, parts)]
            w = group_weights([x.shape[0] for x in parts])
            cs = self.constraints
            if cs is None:
                st = minimize_groups(discs, self.theta0, weights=w, iter_max=self.iter_max,
                                     variances=free_variances(pt))
            else:
                st = minimize_constrained(discs, w, self.theta0, cs, iter_max=self.iter_max,
                                          variances=free_variances(pt))
        except (EgovsemError, np.linalg.LinAlgError, ValueError):
            return self.theta0, np.nan, False, Ss, ms
        ok = bool(st.converged and np.isfinite(st.fmin))
        return st.theta, (st.fmin if ok else np.nan), ok, Ss, ms

    # -- the draws' summaries -----------------------------------------------------------------------
    def quantities(self, theta: np.ndarray, S: list[np.ndarray], xbar: list[np.ndarray]) -> dict:
        """Row values, ``std.all``, ``:=`` values and their ``std.all`` of a stack of estimates ``theta``
        (B, q), each group's fixed.x cells from ``S[g]`` (B, p, p) and ``xbar[g]`` (B, p); and
        ``admissible`` (every group's solution)."""
        B = theta.shape[0]
        rows = np.empty((B, self.nrows))
        std = np.empty((B, self.nrows))
        adm = np.ones(B, dtype=bool)
        for g, (bm, mp) in enumerate(zip(self.bms, self.maps_g)):
            A, Sm, m = bm.matrices(theta, S[g], xbar[g])
            E = bm.inverse_I_minus(A)
            C = E @ Sm @ np.swapaxes(E, 1, 2)
            rg = mp.rows(A, Sm, m)
            rows[:, self.row_pos[g]] = rg
            std[:, self.row_pos[g]] = mp.std_all(rg, C, Sm)
            adm &= bm.admissible(theta, S[g], xbar[g])
        return {"rows": rows, "std": std, "def": self.maps.defined_values(rows),
                "def_std": self.maps.defined_values(std), "admissible": adm}

    def quantities_at(self, theta: np.ndarray) -> dict:
        """:meth:`quantities` at the full-sample moments (the ``norm`` interval's bias)."""
        B = theta.shape[0]
        S = [np.broadcast_to(s, (B,) + s.shape) for s in self.S0]
        m = [np.broadcast_to(x, (B,) + x.shape) for x in self.m0]
        return self.quantities(theta, S, m)


def _jackknife(payload: GroupRefitPayload, i: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The groups' rows without row ``i`` (counted over the groups in order), and their row counts."""
    off = np.cumsum((0,) + payload.sizes)
    g = int(np.searchsorted(off, i, side="right") - 1)
    parts = list(payload.X)
    parts[g] = np.delete(parts[g], i - off[g], axis=0)
    counts = [np.ones(n) for n in payload.sizes]
    counts[g][i - off[g]] = 0.0
    return parts, counts


def group_refit_chunk(payload: GroupRefitPayload, mode: str, start: int, stop: int) -> dict:
    """Resamples (``mode`` "boot" or "test") or leave-one-out fits ("jackknife") ``start .. stop - 1``:
    one batched fit of them all when the payload has one (resamples it does not converge on refitted one by
    one), else one by one."""
    parts_list, counts_list = [], []
    for b in range(start, stop):
        if mode == "jackknife":
            parts, counts_b = _jackknife(payload, b)
            parts_list.append(parts)
            counts_list.append(counts_b)
        else:
            idx = group_resample(payload.entropy, b, payload.sizes)
            parts_list.append([x[i] for x, i in zip(payload.X, idx)])
            counts_list.append([np.bincount(i, minlength=n).astype(float) for i, n in zip(idx, payload.sizes)])
    k = len(parts_list)
    theta = np.empty((k, payload.theta0.size))
    fmin, conv = np.full(k, np.nan), np.zeros(k, dtype=bool)
    todo = np.arange(k)
    if payload.batched and payload.h0inv is not None and k:
        counts = [np.array([c[g] for c in counts_list]) for g in range(payload.G)]
        D = payload.batch_data(parts_list, counts if payload.fbatch is not None else None)
        x_start = np.broadcast_to(payload.x0, (k, payload.x0.size)).copy()
        usable = np.all([np.isfinite(a.reshape(k, -1)).all(axis=1) for a in D], axis=0)
        ids = np.flatnonzero(usable)
        if ids.size:
            xs, f, cv, _ = quasi_newton(payload.evaluate, payload.information, tuple(a[ids] for a in D),
                                        x_start[ids], payload.h0inv)
            theta[ids], fmin[ids], conv[ids] = payload.to_theta(xs), np.where(cv, f, np.nan), cv
        todo = np.flatnonzero(~conv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a resample's convergence is recorded in "converged"
        for r in todo:
            th1, f1, ok1, _, _ = payload.refit(parts_list[r])
            theta[r], fmin[r], conv[r] = th1, f1, ok1
    out = {"theta": theta, "fmin": fmin, "converged": conv}
    if mode != "test":
        mom = [[payload.moments(parts[g]) for parts in parts_list] for g in range(payload.G)]
        out.update(payload.quantities(theta, [np.array([m[0] for m in mg]) for mg in mom],
                                      [np.array([m[1] for m in mg]) for mg in mom]))
    return out
