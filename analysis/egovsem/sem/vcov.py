"""The covariance matrix of the estimates: the information inverted once, and the Huber-White sandwich.

* :func:`invert_information`: ``A^-1`` of a total information matrix (expected ``sum_g N_g I_g`` or
  observed), through its correlation form; a singular ``A`` at a converged solution means the model is not
  identified (:class:`~egovsem.IdentificationError` naming the parameters of the null direction), away from
  a solution it says nothing (a warning and NaN).
* :func:`sandwich`: ``A^-1 B A^-1`` with the meat ``B`` (MLR: the cross-products of the casewise scores,
  lavaan's ``se = "robust.huber.white"``; DWLS: ``Delta' W Gamma W Delta``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._errors import ConvergenceWarning, IdentificationError, caller_stacklevel
from .checks import NONCONVERGENCE_ADVICE

__all__ = ["invert_information", "scaled_inverse", "sandwich", "score_crossproducts", "crossproduct"]


def _null_direction_names(v: np.ndarray, pt: pd.DataFrame) -> list[str]:
    names = []
    for k in np.argsort(-np.abs(v))[:3]:
        if abs(v[k]) < 0.1:
            continue
        r = pt[pt["free"] == k + 1].iloc[0]
        names.append(f"{r['lhs']} {r['op']} {r['rhs']}".strip())
    return names


def invert_information(info: np.ndarray, pt: pd.DataFrame, *, strict: bool, nobs: int = 1,
                       stacklevel: int = 3) -> np.ndarray:
    """``info^-1 / nobs`` (``nobs = 1`` when ``info`` is already a total).

    Parameters
    ----------
    info : ndarray (q, q)
        The information matrix.
    pt : DataFrame
        The parameter table (to name the parameters of a null direction).
    strict : bool
        The fit converged: a singular ``info`` raises :class:`~egovsem.IdentificationError`; otherwise a
        :class:`~egovsem.ConvergenceWarning` and a NaN matrix.
    """
    q = info.shape[0]
    if q == 0:
        return np.zeros((0, 0))
    inv, null = scaled_inverse(info)
    if inv is None:
        ev0, v = null
        names = _null_direction_names(v, pt)
        if strict:
            raise IdentificationError(
                "The model is not identified: the information matrix is singular (smallest eigenvalue "
                f"{ev0:.3g}), so standard errors cannot be computed. The parameters involved: {', '.join(names)}. "
                "Fix a loading or a variance to set each latent variable's scale, or remove a redundant parameter."
            )
        # not converged: a singular information matrix away from the optimum says nothing about identification
        warnings.warn(
            "the model did not converge and the information matrix is singular at the point where the optimiser "
            f"stopped (smallest eigenvalue {ev0:.3g}; parameters involved: {', '.join(names)}), so standard "
            f"errors cannot be computed; {NONCONVERGENCE_ADVICE}.",
            ConvergenceWarning, stacklevel=caller_stacklevel(),
        )
        return np.full((q, q), np.nan)
    return inv / nobs


def scaled_inverse(info: np.ndarray) -> tuple[np.ndarray | None, tuple[float, np.ndarray]]:
    """The inverse of ``info`` through its correlation form ``R = D^-1/2 info D^-1/2``, or None where ``R``
    is singular (smallest eigenvalue below ``1e-10`` times the largest); also that smallest eigenvalue
    and its eigenvector (the null direction)."""
    d = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    ev, evec = np.linalg.eigh(info / np.outer(d, d))
    if ev[0] < 1e-10 * max(ev[-1], 1.0):
        return None, (float(ev[0]), evec[:, 0])
    return (evec / ev) @ evec.T / np.outer(d, d), (float(ev[0]), evec[:, 0])


def crossproduct(sc: np.ndarray, cluster: np.ndarray | None = None) -> np.ndarray:
    """``sum_i s_i s_i'`` of casewise scores (n, q); with ``cluster`` (codes 0..C-1 of the rows) the scores
    are first summed within clusters and the cross-product multiplied by ``C / (C - 1)`` (lavaan's
    cluster-robust meat, ``lav_mvnorm_information_firstorder(cluster.idx =)``)."""
    if cluster is None:
        return sc.T @ sc
    C = int(cluster.max()) + 1
    tot = np.zeros((C, sc.shape[1]))
    np.add.at(tot, cluster, sc)
    return (tot.T @ tot) * (C / (C - 1.0))


def score_crossproducts(scores: list[np.ndarray], clusters: list[np.ndarray | None] | None = None) -> np.ndarray:
    """``B = sum_g sum_i s_i s_i'`` of the groups' casewise scores (the Huber-White meat); ``clusters``:
    each group's cluster codes (cluster-robust meat, :func:`crossproduct`), or None."""
    cl = clusters if clusters is not None else [None] * len(scores)
    terms = [crossproduct(sc, c) for sc, c in zip(scores, cl)]
    return sum(terms[1:], terms[0])


def sandwich(bread: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """``bread @ meat @ bread``: the robust covariance matrix from ``A^-1`` and the meat ``B``."""
    return bread @ meat @ bread
