"""PLSpredict (Shmueli, Ray, Velasquez Estrada & Chatla 2016; Shmueli et al. 2019): out-of-sample prediction of
the indicators of the endogenous constructs by k-fold cross-validation, against a linear-model benchmark.

The procedure follows seminr's ``predict_pls(model, technique, noFolds, reps)`` (seminr 2.3.1, read from its
documentation and algorithm description; no code copied):

1. the analysed rows are put in a random order (repetition ``r`` draws its permutation from
   ``SeedSequence(seed, spawn_key=(r,))``) and cut into ``folds`` consecutive blocks (fold of position ``i`` is
   ``floor(i * folds / n)``; seminr uses R's ``cut(seq(1, n), breaks = folds)``, whose block sizes can differ by
   one row elsewhere); ``folds=None`` is leave-one-out;
2. for each fold the model is re-estimated on the other rows (same weighting, PLSc, stop criterion); the
   held-out rows are standardised with the training means and SDs (divisor N - 1), their construct scores are
   ``Z W`` (training weights), and the scores of the endogenous constructs are predicted

   * ``"DA"`` (direct antecedents): from the scores of their direct predecessors, ``Y_hat = Y B``;
   * ``"EA"`` (earliest antecedents): from the exogenous constructs only, through the paths in causal order;

   each indicator is predicted as its construct's predicted score times its loading (under PLSc the corrected
   paths and loadings, as seminr), back-transformed with the training mean and SD;
3. LM benchmark: every indicator of an endogenous construct is regressed (OLS with intercept, on the training
   rows) on all the model's indicators outside its own block, as seminr 2.3.1's ``generate_lm_predictions``
   (``lm_predictors="all"``, the default); or, as later seminr versions and seminr-py
   (``lm_predictors="antecedents"``), on the indicators of the construct's direct antecedents (DA) or of the
   model's exogenous constructs (EA);
4. in-sample predictions: each row's predictions by the ``folds - 1`` training models that contain it, averaged;
5. with ``reps > 1`` the predictions of each row are averaged over the repetitions (seminr) before the
   residuals and the metrics are computed;
6. per indicator: ``RMSE = sqrt(mean(e^2))``, ``MAE = mean(|e|)`` and ``Q2_predict = 1 - SSE / SSE_naive``
   (Shmueli et al. 2019; SmartPLS), where the naive prediction of a held-out row is the training-fold mean.

Models with interaction terms (seminr 2.3.1 refuses them; seminr >= 2.3.2 and seminr-py 0.2.1 predict them, and
egovsem follows seminr-py, checked to 1e-9): each training fold re-runs the whole procedure (stage 1, the
products, seminr's rescaling) on the training rows; the held-out rows' product indicators are rebuilt with the
training fold's item means and SDs (orthogonalised with its regression coefficients), while the two-stage
indicator ``X:M_intxn`` of a held-out row is the full-sample one (seminr-py's convention: its cross-validation
takes the rows of ``model$data``, whose ``_intxn`` column shadows the recomputed one; so the held-out rows' stage-1
scores come from a fit that saw them). The LM benchmark uses the full-sample interaction columns, as seminr-py.
With PLSc or with higher-order constructs an interaction model is refused (not checked against a reference).

Under ``missing="mean"`` the rows are the mean-replaced analysed rows (replaced with the full-sample means, as
seminr's ``model$data``); under ``missing="listwise"`` the complete rows.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._errors import (
    ConvergenceWarning,
    DataError,
    EgovsemError,
    NotAvailableError,
    caller_stacklevel,
    check_option,
)
from ..parallel import child_seed, resolve_entropy
from .data import check_constant, correlations
from .estimates import Estimates, estimate
from .weights import Structure, check_mode_b

__all__ = ["TECHNIQUES", "LM_PREDICTORS", "PLSPredict", "predict_pls", "fold_assignment", "predict_scores", "lm_predictions"]

TECHNIQUES = ["DA", "EA"]
LM_PREDICTORS = ["all", "antecedents"]


def fold_assignment(n: int, folds: int, rep: int, seed: int) -> np.ndarray:
    """Fold (0 .. folds - 1) of each of ``n`` rows in repetition ``rep`` (a random permutation cut in blocks).

    >>> f = fold_assignment(10, 5, 0, 1)
    >>> sorted(np.bincount(f).tolist()), f.tolist() == fold_assignment(10, 5, 0, 1).tolist()
    ([2, 2, 2, 2, 2], True)
    """
    order = child_seed(seed, rep).permutation(n)
    out = np.empty(n, dtype=int)
    out[order] = (np.arange(n) * folds) // n
    return out


def causal_order(st: Structure) -> list[int]:
    """The endogenous constructs (positions) so that every construct comes after its predecessors."""
    K = st.adjacency.shape[0]
    done = {k for k in range(K) if not st.predecessors[k].size}
    order: list[int] = []
    while len(done) < K:
        ready = [k for k in range(K) if k not in done and set(st.predecessors[k].tolist()) <= done]
        order.extend(ready)
        done.update(ready)
    return order


def predict_scores(Y: np.ndarray, B: np.ndarray, st: Structure, technique: str) -> np.ndarray:
    """Predicted construct scores: endogenous columns from ``Y`` (scores of the held-out rows) and paths ``B``."""
    exo = np.array([not p.size for p in st.predecessors])
    if technique == "DA":
        out = Y @ B
        out[:, exo] = Y[:, exo]
        return out
    out = np.where(exo, Y, 0.0)
    for j in causal_order(st):
        out[:, j] = out @ B[:, j]
    return out


def lm_predictions(X_train: np.ndarray, X_test: np.ndarray, target: np.ndarray, predictors: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """OLS (with intercept) of the ``target`` columns on the ``predictors`` columns: (training, test) fitted."""
    A = np.column_stack([np.ones(X_train.shape[0]), X_train[:, predictors]])
    coef, *_ = np.linalg.lstsq(A, X_train[:, target], rcond=None)
    At = np.column_stack([np.ones(X_test.shape[0]), X_test[:, predictors]])
    return A @ coef, At @ coef


@dataclass(frozen=True)
class _Fold:
    pls_test: np.ndarray
    pls_train: np.ndarray
    lm_test: np.ndarray
    lm_train: np.ndarray
    naive_test: np.ndarray
    converged: bool


def _item_predictions(rows: np.ndarray, est: Estimates, st: Structure, mu: np.ndarray, sd: np.ndarray,
                      technique: str, items: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """The W, B, L chain: standardised rows (training means and SDs), scores, predicted scores, items."""
    Y = ((rows - mu) / sd) @ est.W
    S = predict_scores(Y, est.B, st, technique)
    return S[:, owner] * est.L[items, owner] * sd[items] + mu[items]


def _one_fold(X: np.ndarray, train: np.ndarray, st: Structure, settings: dict[str, Any], technique: str,
              items: np.ndarray, owner: np.ndarray, lm_sets: list[tuple[np.ndarray, np.ndarray]]) -> _Fold:
    Xtr, Xte = X[train], X[~train]
    check_constant(Xtr, st.spec)
    R = correlations(Xtr)
    check_mode_b(R, st)
    est: Estimates = estimate(R, st, Xtr.shape[0], **settings)
    mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0, ddof=1)

    def pls(rows: np.ndarray) -> np.ndarray:
        return _item_predictions(rows, est, st, mu, sd, technique, items, owner)

    return _finish_fold(X, train, items, lm_sets, mu, pls(Xte), pls(Xtr), est.weights.converged)


def _interaction_fold(fit, X: np.ndarray, train: np.ndarray, technique: str, items: np.ndarray, owner: np.ndarray,
                      lm_sets: list[tuple[np.ndarray, np.ndarray]]) -> _Fold:
    """One fold of a model with interaction terms, as seminr-py 0.2.1 (and seminr >= 2.3.2) predicts it.

    The whole procedure (:attr:`PLSResults.call`: stage 1, the products, seminr's rescaling) is re-run on the
    training rows of the model's own items. The interaction indicators of the rows to predict are then
    rebuilt from the training fold: product indicators from the items standardised with the training means and
    SDs, orthogonalised with the training regression coefficients; the two-stage indicator ``X:M_intxn`` is the
    full-sample one (seminr-py cross-validates rows of its ``model$data``, whose ``_intxn`` column shadows the
    recomputed one). Each column is then standardised with the training fold's means and SDs.
    """
    from .fit import pls as fit_pls

    spec = fit.spec
    names = list(spec.indicators)
    products = {x for c in fit.interactions for x in spec.blocks[c]}
    base = [i for i, x in enumerate(names) if x not in products]
    call = dict(fit.call)
    model = call.pop("model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = fit_pls(model, pd.DataFrame(X[train][:, base], columns=[names[i] for i in base]), missing="listwise",
                    **call)
    if list(f.spec.indicators) != names:  # pragma: no cover - the same model on the same columns
        raise EgovsemError("PLSpredict: the training fold's model has other indicators than the fit.")
    Xf = f._data.X
    mu, sd = Xf.mean(axis=0), Xf.std(axis=0, ddof=1)
    Xtr = X[train][:, base]
    bmu, bsd = Xtr.mean(axis=0), Xtr.std(axis=0, ddof=1)
    bpos = {names[i]: j for j, i in enumerate(base)}

    def rebuild(rows: np.ndarray) -> np.ndarray:
        out = rows.copy()
        Zb = (rows[:, base] - bmu) / bsd
        Ztr = (Xtr - bmu) / bsd
        for c, method in fit.interactions.items():
            if method == "two_stage":
                continue
            a, b = c.split(":", 1)
            xa = [bpos[x] for x in spec.blocks[a]]
            xb = [bpos[x] for x in spec.blocks[b]]
            P = (Zb[:, xa][:, :, None] * Zb[:, xb][:, None, :]).reshape(rows.shape[0], -1)
            if method == "orthogonal":
                Ptr = (Ztr[:, xa][:, :, None] * Ztr[:, xb][:, None, :]).reshape(Xtr.shape[0], -1)
                A = np.column_stack([np.ones(Xtr.shape[0]), Xtr[:, xa + xb]])
                coef, *_ = np.linalg.lstsq(A, Ptr, rcond=None)
                P = P - np.column_stack([np.ones(rows.shape[0]), rows[:, base][:, xa + xb]]) @ coef
            out[:, [names.index(f"{x}:{m}") for x in spec.blocks[a] for m in spec.blocks[b]]] = P
        return out

    def pls(rows: np.ndarray) -> np.ndarray:
        return _item_predictions(rebuild(rows), f.estimates, f._st, mu, sd, technique, items, owner)

    stages = [f, f.interaction_first_stage]
    return _finish_fold(X, train, items, lm_sets, mu, pls(X[~train]), pls(X[train]),
                        all(s.converged for s in stages if s is not None))


def _finish_fold(X: np.ndarray, train: np.ndarray, items: np.ndarray, lm_sets: list[tuple[np.ndarray, np.ndarray]],
                 mu: np.ndarray, pls_test: np.ndarray, pls_train: np.ndarray, converged: bool) -> _Fold:
    """The fold's LM benchmark (on the columns of ``X``) and naive predictions beside its PLS predictions."""
    Xtr, Xte = X[train], X[~train]
    lm_tr = np.empty((Xtr.shape[0], items.size))
    lm_te = np.empty((Xte.shape[0], items.size))
    for cols, predictors in lm_sets:
        a, b = lm_predictions(Xtr, Xte, items[cols], predictors)
        lm_tr[:, cols], lm_te[:, cols] = a, b
    naive = np.broadcast_to(mu[items], (Xte.shape[0], items.size))
    return _Fold(pls_test, pls_train, lm_te, lm_tr, naive, converged)


def _metrics(actual: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = actual - pred
    return np.sqrt(np.mean(e ** 2, axis=0)), np.mean(np.abs(e), axis=0)


class PLSPredict:
    """What :func:`predict_pls` returns.

    Attributes
    ----------
    items : DataFrame
        One row per indicator of an endogenous construct (index: the indicator): ``construct``, out-of-sample
        ``rmse``, ``mae`` and ``q2_predict`` of the PLS predictions, ``lm.rmse`` and ``lm.mae`` of the LM
        benchmark, and ``rmse.diff = rmse - lm.rmse`` (negative: PLS predicts better).
    in_sample : DataFrame
        In-sample ``rmse, mae, lm.rmse, lm.mae``.
    predictions, lm_predictions : DataFrame
        Out-of-sample predictions (averaged over the repetitions), indexed as the analysed rows.
    actuals : DataFrame
        The observed values of the predicted indicators.
    folds : ndarray (reps, n)
        The fold of every row in each repetition.
    technique, n_folds, reps, seed
    """

    def __init__(self, *, items: pd.DataFrame, in_sample: pd.DataFrame, predictions: pd.DataFrame,
                 lm_predictions: pd.DataFrame, actuals: pd.DataFrame, folds: np.ndarray, technique: str,
                 n_folds: int, reps: int, seed: int):
        self.items = items
        self.in_sample = in_sample
        self.predictions = predictions
        self.lm_predictions = lm_predictions
        self.actuals = actuals
        self.folds = folds
        self.technique = technique
        self.n_folds = n_folds
        self.reps = reps
        self.seed = seed

    @property
    def residuals(self) -> pd.DataFrame:
        """Out-of-sample PLS residuals (actual - predicted)."""
        return self.actuals - self.predictions

    def summary(self) -> str:
        """The out-of-sample metrics as text."""
        name = {"DA": "direct antecedents", "EA": "earliest antecedents"}[self.technique]
        head = (f"PLSpredict: {self.n_folds}-fold cross-validation, {self.reps} repetition(s) (seed {self.seed}), "
                f"{name} ({self.technique}); out-of-sample metrics, LM = linear-model benchmark")
        return head + "\n" + self.items.round(4).to_string()

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"<egovsem PLSPredict: {self.technique}, {self.n_folds} folds x {self.reps} reps, "
                f"{len(self.items)} indicators>")

    def _repr_html_(self) -> str:
        return self.items.to_html(float_format=lambda v: f"{v:.4f}")


def _check_count(name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum \
            or (maximum is not None and value > maximum):
        top = f" and at most {maximum}" if maximum is not None else ""
        raise EgovsemError(f"The '{name}' parameter must be an integer of at least {minimum}{top}. Got {value!r} "
                           "instead.")
    return int(value)


def predict_pls(fit, *, technique: str = "DA", folds: int | None = 10, reps: int = 1,
                seed: int | None = None, lm_predictors: str = "all") -> PLSPredict:
    """PLSpredict: k-fold cross-validated predictions of the endogenous indicators (seminr's ``predict_pls``).

    Parameters
    ----------
    fit : PLSResults
        A fit of :func:`egovsem.pls` (its model and settings are re-estimated on every training fold).
    technique : {'DA', 'EA'}
        Direct antecedents (seminr's ``predict_DA``) or earliest antecedents (``predict_EA``).
    folds : int or None
        Number of folds (seminr's ``noFolds``; 10 as Shmueli et al. 2019 advise); None: leave-one-out.
    reps : int
        Repetitions of the cross-validation with new random folds (seminr's ``reps``); the predictions are
        averaged over them.
    seed : int, optional
        Root seed of the fold assignment (None: a fresh one, recorded in the result's ``seed``).
    lm_predictors : {'all', 'antecedents'}
        Predictors of the LM benchmark: every indicator outside the target construct's block (seminr 2.3.1), or
        the indicators of its direct antecedents (DA) / of the exogenous constructs (EA), as later seminr
        versions and seminr-py.

    Returns
    -------
    PLSPredict

    Examples
    --------
    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.pls('''
    ... Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ... Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ... Satisfaction ~ Image
    ... ''', load("mobi"))
    >>> pred = fit.predict(folds=10, reps=2, seed=1)
    >>> list(pred.items.columns)
    ['construct', 'rmse', 'mae', 'q2_predict', 'lm.rmse', 'lm.mae', 'rmse.diff']
    >>> bool((pred.items["q2_predict"] > 0).all())
    True
    """
    from .results import PLSResults

    if not isinstance(fit, PLSResults):
        raise EgovsemError(f"The 'fit' parameter must be the result of egovsem.pls(). Got {type(fit).__name__} "
                           "instead.")
    if fit.first_stage is not None:
        hoc = "; ".join(f"{h} =~ {' + '.join(ds)}" for h, ds in fit.higher_order.items())
        raise NotAvailableError(f"PLSpredict of a model with higher-order constructs ({hoc}, two-stage approach) is "
                                "not available: there is no published solution for predicting the items of the "
                                "held-out rows through the stage-1 scores (seminr and seminr-py refuse it too); fit "
                                "with higher_order='repeated_indicators' to predict.")
    if fit.interactions and (fit.higher_order or fit.settings["consistent"]):
        what = "higher-order constructs" if fit.higher_order else "PLSc (consistent=True)"
        raise NotAvailableError(f"PLSpredict of a model with the interaction terms {', '.join(fit.interactions)} and "
                                f"{what} is not available: egovsem predicts interaction models as seminr-py 0.2.1 "
                                "does and has checked that only for PLS (not PLSc) models without higher-order "
                                "constructs; fit "
                                f"without the {what} to predict.")
    technique = check_option("technique", technique, TECHNIQUES, casefold=True)
    lm_predictors = check_option("lm_predictors", lm_predictors, LM_PREDICTORS, casefold=True)
    X = fit._data.X
    n = X.shape[0]
    k = n if folds is None else _check_count("folds", folds, 2, n)
    reps = _check_count("reps", reps, 1)
    entropy = resolve_entropy(seed)
    st = fit._st
    spec = fit.spec
    settings = {key: fit.settings[key] for key in ("weighting", "consistent", "max_iter", "stop_criterion")}
    ipos = {x: i for i, x in enumerate(spec.indicators)}
    cpos = {c: j for j, c in enumerate(spec.constructs)}
    endo_items = [(x, c) for c in spec.endogenous for x in spec.blocks[c]]
    items = np.array([ipos[x] for x, _ in endo_items], dtype=int)
    owner = np.array([cpos[c] for _, c in endo_items], dtype=int)
    lm_sets = []
    exogenous = [spec.constructs[j] for j, p in enumerate(st.predecessors) if not p.size]
    for c in spec.endogenous:
        cols = np.flatnonzero(owner == cpos[c])
        if lm_predictors == "all":
            use = [x for x in spec.indicators if x not in spec.blocks[c]]
        else:
            ante = [spec.constructs[j] for j in st.predecessors[cpos[c]]] if technique == "DA" else exogenous
            use = [x for a in ante for x in spec.blocks[a]]
        lm_sets.append((cols, np.array([ipos[x] for x in use], dtype=int)))
    m = items.size
    acc = {key: np.zeros((n, m)) for key in ("pls", "lm", "naive", "pls_in", "lm_in")}
    assign = np.empty((reps, n), dtype=int)
    unconverged = 0
    for r in range(reps):
        f = fold_assignment(n, k, r, entropy)
        assign[r] = f
        for g in range(k):
            test = f == g
            try:
                with np.errstate(all="ignore"):
                    res = (_interaction_fold(fit, X, ~test, technique, items, owner, lm_sets) if fit.interactions
                           else _one_fold(X, ~test, st, settings, technique, items, owner, lm_sets))
            except (EgovsemError, np.linalg.LinAlgError) as err:
                raise DataError(f"PLSpredict: the model cannot be estimated on the training rows of fold {g + 1} "
                                f"of repetition {r + 1} ({err}); use fewer folds or more data.") from None
            unconverged += not res.converged
            acc["pls"][test] += res.pls_test
            acc["lm"][test] += res.lm_test
            acc["naive"][test] += res.naive_test
            acc["pls_in"][~test] += res.pls_train
            acc["lm_in"][~test] += res.lm_train
    if unconverged:
        warnings.warn(f"PLSpredict: the PLS algorithm did not converge on {unconverged} of {k * reps} training "
                      "folds; their predictions are used as they are.", ConvergenceWarning,
                      stacklevel=caller_stacklevel())
    pls_oos, lm_oos, naive = acc["pls"] / reps, acc["lm"] / reps, acc["naive"] / reps
    pls_in, lm_in = acc["pls_in"] / (reps * (k - 1)), acc["lm_in"] / (reps * (k - 1))
    y = X[:, items]
    names = [x for x, _ in endo_items]
    rmse, mae = _metrics(y, pls_oos)
    lrmse, lmae = _metrics(y, lm_oos)
    q2 = 1.0 - ((y - pls_oos) ** 2).sum(axis=0) / ((y - naive) ** 2).sum(axis=0)
    table = pd.DataFrame({"construct": [c for _, c in endo_items], "rmse": rmse, "mae": mae, "q2_predict": q2,
                          "lm.rmse": lrmse, "lm.mae": lmae, "rmse.diff": rmse - lrmse}, index=pd.Index(names))
    irmse, imae = _metrics(y, pls_in)
    ilrmse, ilmae = _metrics(y, lm_in)
    in_sample = pd.DataFrame({"construct": table["construct"], "rmse": irmse, "mae": imae, "lm.rmse": ilrmse,
                              "lm.mae": ilmae}, index=pd.Index(names))
    idx = fit._data.index

    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=idx, columns=names)

    return PLSPredict(items=table, in_sample=in_sample, predictions=frame(pls_oos), lm_predictions=frame(lm_oos),
                      actuals=frame(y), folds=assign, technique=technique, n_folds=k, reps=reps, seed=entropy)
