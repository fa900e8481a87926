"""The PLS algorithm (Lohmoeller 1989; Wold 1982): outer weights by alternating inner and outer estimation.

Everything is computed from the correlation matrix ``R`` of the indicators (divisor N - 1, as R's ``cor``
and ``scale``), which is what the data enter through: construct scores ``Y = Z W`` of the standardised
indicators ``Z`` have covariances ``W' R W``, and ``cov(Z, Y) = R W``. The steps are seminr's
(``simplePLS``), written from the algorithm, not from its code:

1. start with unit weights (1 for every indicator of a block);
2. outer estimate: scores ``Y = Z W`` standardised (N - 1);
3. inner weights ``E`` (construct x construct, column j forms the inner proxy of construct j):

   * ``"path"``: a predecessor i of j gets the coefficient of i in the regression of j on all its
     predecessors, a successor i of j gets ``cor(Y_i, Y_j)``;
   * ``"factorial"``: ``cor(Y_i, Y_j)`` for every neighbour;
   * ``"centroid"``: ``sign(cor(Y_i, Y_j))`` for every neighbour;

4. inner proxies ``V = Y E``, standardised;
5. new outer weights: mode A ``cov(Z_b, V_j)`` (correlation weights), mode B
   ``cor(Z_b)^-1 cor(Z_b, V_j)`` (regression weights); a composite with fixed weights keeps them;
6. the weights are rescaled so that every score has unit variance (divisor N - 1);
7. stop when the sum of the absolute changes of all weights is below ``10^-stop_criterion`` (seminr's rule;
   the first change is measured from the unit start weights), else repeat from 2, at most ``max_iter + 1``
   passes (seminr's ``for (iterations in 0:maxIt)``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import DataError, EgovsemError, check_option
from .specify import PLSSpec

__all__ = ["WEIGHTING", "Structure", "OuterWeights", "structure", "inner_weights", "outer_weights",
           "check_mode_b", "MAX_ITER", "STOP_CRITERION"]

WEIGHTING = ["path", "factorial", "centroid"]
MAX_ITER = 300
STOP_CRITERION = 7


@dataclass(frozen=True)
class Structure:
    """Index arrays of a model over the columns of ``R`` (the indicators in ``spec.indicators`` order)."""

    spec: PLSSpec
    mask: np.ndarray          # (p, K) 1 where indicator i belongs to construct k
    blocks: tuple[np.ndarray, ...]   # indicator positions of each construct
    adjacency: np.ndarray     # (K, K) P[i, j] = 1 for the path i -> j
    predecessors: tuple[np.ndarray, ...]  # construct positions with a path into each construct
    mode_b: np.ndarray        # (K,) bool: regression weights (mode B)
    composite: np.ndarray     # (K,) bool: a <~ block (mode B or fixed weights), rho_A = 1
    fixed: dict[int, np.ndarray]  # construct position -> its fixed weights


def structure(spec: PLSSpec) -> Structure:
    """The index arrays of ``spec``."""
    items = spec.indicators
    pos = {x: i for i, x in enumerate(items)}
    cpos = {c: k for k, c in enumerate(spec.constructs)}
    K, p = len(spec.constructs), len(items)
    mask = np.zeros((p, K))
    blocks = []
    for k, c in enumerate(spec.constructs):
        idx = np.array([pos[x] for x in spec.blocks[c]], dtype=int)
        mask[idx, k] = 1.0
        blocks.append(idx)
    P = np.zeros((K, K))
    for s, t in spec.paths:
        P[cpos[s], cpos[t]] = 1.0
    preds = tuple(np.flatnonzero(P[:, k]) for k in range(K))
    composite = np.array([spec.modes[c] == "B" for c in spec.constructs])
    mode_b = np.array([spec.modes[c] == "B" and c not in spec.fixed for c in spec.constructs])
    fixed = {k: np.asarray(spec.fixed[c], dtype=float) for k, c in enumerate(spec.constructs) if c in spec.fixed}
    return Structure(spec, mask, tuple(blocks), P, preds, mode_b, composite, fixed)


def inner_weights(C: np.ndarray, st: Structure, weighting: str) -> np.ndarray:
    """The inner weight matrix ``E`` for construct correlations ``C`` (see the module docstring)."""
    P = st.adjacency
    if weighting == "factorial":
        return C * (P + P.T)
    if weighting == "centroid":
        return np.sign(C) * (P + P.T)
    E = C * P.T  # successors: correlations
    for j, pred in enumerate(st.predecessors):
        if pred.size:
            E[pred, j] = np.linalg.solve(C[np.ix_(pred, pred)], C[pred, j])
    return E


def check_mode_b(R: np.ndarray, st: Structure, *, tol: float = 1e-10) -> None:
    """Refuse a mode-B block whose indicators are collinear (a singular correlation matrix)."""
    for k, c in enumerate(st.spec.constructs):
        if not st.mode_b[k] or st.blocks[k].size < 2:
            continue
        idx = st.blocks[k]
        ev, vec = np.linalg.eigh(R[np.ix_(idx, idx)])
        if not np.all(np.isfinite(ev)) or ev[0] <= tol * max(ev[-1], 1.0):
            v = np.abs(vec[:, 0])
            involved = [st.spec.blocks[c][i] for i in np.flatnonzero(v > 0.1 * v.max())]
            raise DataError(
                f"The mode-B (<~) block of the construct {c!r} has collinear indicators {involved}: their "
                f"correlation matrix is singular (smallest eigenvalue {ev[0]:.3g}), so the regression weights "
                "are not defined. Drop or combine one of them, or measure the construct in mode A (=~)."
            )


@dataclass(frozen=True)
class OuterWeights:
    """The converged outer weights and how they were reached."""

    W: np.ndarray            # (p, K) standardised outer weights (zero outside each block)
    iterations: int          # passes of the loop (seminr's ``iterations`` + 1)
    converged: bool
    weight_diff: float       # the last sum of absolute weight changes


def _standardise(W: np.ndarray, R: np.ndarray) -> np.ndarray:
    var = np.einsum("ik,ij,jk->k", W, R, W)
    if np.any(~np.isfinite(var)) or np.any(var <= 0):
        raise EgovsemError("a construct score has zero variance (its weights cancel out)")
    return W / np.sqrt(var)


def outer_weights(R: np.ndarray, st: Structure, weighting: str = "path", *, max_iter: int = MAX_ITER,
                  stop_criterion: float = STOP_CRITERION) -> OuterWeights:
    """Run the PLS algorithm on the indicator correlation matrix ``R``.

    Parameters
    ----------
    R : ndarray (p, p)
        Correlations of the indicators, in ``spec.indicators`` order.
    st : Structure
        From :func:`structure`.
    weighting : {'path', 'factorial', 'centroid'}
        Inner weighting scheme.
    max_iter : int
        At most ``max_iter + 1`` passes (seminr's ``maxIt``, default 300).
    stop_criterion : float
        Stop when the sum of absolute weight changes is below ``10 ** -stop_criterion`` (seminr's
        ``stopCriterion``, default 7).

    Returns
    -------
    OuterWeights
    """
    weighting = check_option("weighting", weighting, WEIGHTING, casefold=True)
    tol = 10.0 ** (-float(stop_criterion))
    W = st.mask.copy()
    inv_b = {int(k): np.linalg.inv(R[np.ix_(st.blocks[k], st.blocks[k])]) for k in np.flatnonzero(st.mode_b)}
    diff = np.inf
    it = 0
    for it in range(int(max_iter) + 1):
        Ws = _standardise(W, R)
        C = Ws.T @ R @ Ws
        E = inner_weights(C, st, weighting)
        vproxy = np.einsum("ik,ij,jk->k", E, C, E)  # variances of the inner proxies
        if np.any(vproxy <= 0):
            raise EgovsemError("an inner proxy has zero variance (a construct without neighbours?)")
        cov_zv = (R @ Ws @ E) / np.sqrt(vproxy)  # (p, K) cov(Z, standardised proxy)
        new = cov_zv * st.mask
        for k, Rinv in inv_b.items():
            idx = st.blocks[k]
            new[idx, k] = Rinv @ cov_zv[idx, k]
        for kf, w in st.fixed.items():
            new[st.blocks[kf], kf] = w
        new = _standardise(new, R)
        diff = float(np.abs(new - W).sum())
        W = new
        if diff < tol:
            return OuterWeights(W, it + 1, True, diff)
    return OuterWeights(W, it + 1, False, diff)
