"""The options of a fit, checked once and resolved into a frozen :class:`Options` (lavaan's ``lav_options``).

The estimator a user names is shorthand for three choices, as in lavaan:

=========  ============  ======================  ====================
estimator  discrepancy   se                      test
=========  ============  ======================  ====================
ML         ML (FIML)     standard                standard
MLM        ML            robust.sem              satorra.bentler
MLR        ML (FIML)     robust.huber.white      yuan.bentler.mplus
GLS        GLS           standard                standard
ULS        ULS           standard                standard
WLSMV      DWLS          robust.sem              scaled.shifted
=========  ============  ======================  ====================

With ML a user may also name the SE type and the test, as lavaan's ``se=`` and ``test=``: ``se = "robust"``
is ``robust.sem`` with complete data and ``robust.huber.white`` under FIML (lavaan's mapping);
``test`` one of "standard", "satorra.bentler", "yuan.bentler", "yuan.bentler.mplus", "scaled.shifted",
"mean.var.adjusted" (complete data: the Satorra-Bentler family reads the sample's fourth moments, lavaan's
``NACOV``, which needs complete rows; MLM with ``missing = "ml"`` is refused as lavaan refuses it).
``information`` ("expected", "observed", "first.order") is a user option of ML/MLM, MLR and FIML fits
(lavaan's ``information``): it sets the information matrix of the standard errors and, for the robust SEs,
the bread of the sandwich and the information of the Satorra-Bentler / Yuan-Bentler traces (under FIML the h1
information of the trace and FIML-C's E are of the same kind). GLS takes "observed" (the Hessian of its
objective); ULS keeps "expected" with a warning, as lavaan does; robust SEs (and GLS) with "first.order" are
refused with lavaan's reason, and so is "first.order" with a scaled test. MLR with another ``test=`` (also with
sampling weights) reports MLR's test with the h1 observed information in its trace, as lavaan's fitMeasures()
do (clustered MLR drops test=, as lavaan); ``se = "robust.sem"`` with FIML deletes listwise, as lavaan;
``se = "bootstrap"`` takes the observed information whatever ``information=`` says, as lavaan.

ULS takes ``test`` = "satorra.bentler", "scaled.shifted" or "mean.var.adjusted" (with its standard SEs or
``se = "robust"``; traces with W = I) as lavaan does; GLS takes no robust SE or test, and ULS no Yuan-Bentler
test (lavaan refuses them; so does egovsem, quoting lavaan). ``missing = "pairwise"`` fits ML, ULS (and its
robust variants) to the available-case moments; GLS deletes listwise as lavaan does (with a warning).

MLR takes ``se = "standard"`` and ``se = "robust.sem"`` as lavaan 0.6-14 (its Yuan-Bentler (Mplus) test kept;
the information expected with complete data); ``se = "robust.sem"`` with ``missing = "fiml"`` deletes the
incomplete rows listwise with a warning, as lavaan. The Gamma-based options (MLM, MLMV, ULSM, robust.sem, the
Satorra-Bentler family) take fixed.x covariates (Gamma conditional on them) and, for MLM and MLMV, sampling
weights (with ``cluster=``, with or without weights: MLM lavaan's robust.cluster.sem, Gamma summed within
clusters; MLMV lavaan's robust.cluster SEs on the expected information and the scaled-shifted test with the h1
observed information in its traces). GLS and the ULS family take sampling weights (lavaan fits them to the
weighted covariance with divisor N: :func:`egovsem.sem.ls.ls_cov_scale`) and refuse ``cluster=`` with
lavaan's reason. ``se = "standard"``
and ``"robust.sem"`` take sampling weights (ML, MLR); with ``cluster=`` ML's ``se = "robust"`` is the
cluster-robust sandwich, and its other se= are refused with lavaan's reason. ``fixed_x = None`` is lavaan's
default: True for the ML family and WLSMV, False for GLS and ULS.

``missing = "fiml"`` turns the ML discrepancy into FIML (casewise likelihood). ``se = "bootstrap"`` replaces
the standard errors of an ML/FIML fit. The information matrix follows lavaan's defaults: observed for FIML
and for robust.huber.white, expected otherwise, unless ``information=`` says otherwise. :data:`SUPPORTED`
is the one table of combinations this release computes; everything else is refused with a message naming
lavaan's option, never silently changed.
Nothing downstream tests the estimator's name: it reads ``discrepancy``, ``se``, ``test`` and
``information``.
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from .._errors import EgovsemError, EgovsemWarning, MissingDataWarning, NotAvailableError, check_option
from ..parallel import resolve_entropy

__all__ = ["Options", "resolve_options", "ESTIMATORS", "MISSING", "SE", "TESTS", "INFORMATION", "SUPPORTED",
           "Combination", "CI_TYPES", "check_bootstrap_options"]

#: the estimator names a user may give (lavaan's); the ones not in ``_ESTIMATOR_PARTS`` are refused
ESTIMATORS = ["ML", "MLR", "WLSMV", "MLM", "MLMV", "WLSMVS", "ULSM", "ULSMV", "ULSMVS", "ULS", "GLS", "DWLS"]
MISSING = ["listwise", "fiml", "ml", "pairwise"]
#: the ``se`` values a user may give: lavaan's names, and "robust" for the estimator's robust SEs
SE = ["standard", "robust", "robust.huber.white", "robust.sem", "bootstrap"]
#: the ``test`` values a user may give (lavaan's names)
TESTS = ["standard", "satorra.bentler", "yuan.bentler", "yuan.bentler.mplus", "scaled.shifted",
         "mean.var.adjusted"]
#: the ``information`` values a user may give (lavaan's names)
INFORMATION = ["expected", "observed", "first.order"]
#: the tests that read the sample's fourth moments (Gamma): lavaan's Satorra-Bentler family
GAMMA_TESTS = ("satorra.bentler", "scaled.shifted", "mean.var.adjusted")
#: the estimators whose own test lavaan 0.6-14 keeps first (and reports) when another test= is asked for
_KEEPS_OWN_TEST = {"MLM": "Satorra-Bentler", "MLMV": "scaled-shifted"}
#: the estimators of lavaan's ULS family (continuous data)
_ULS_FAMILY = ("ULS", "ULSM", "ULSMV", "ULSMVS")

# estimator -> (discrepancy, se, test), lavaan 0.6-14's lav_options_set defaults
_ESTIMATOR_PARTS = {
    "ML": ("ML", "standard", "standard"),
    "MLR": ("ML", "robust.huber.white", "yuan.bentler.mplus"),
    "MLM": ("ML", "robust.sem", "satorra.bentler"),
    "GLS": ("GLS", "standard", "standard"),
    "ULS": ("ULS", "standard", "standard"),
    "WLSMV": ("DWLS", "robust.sem", "scaled.shifted"),
    # lavaan 0.6-14: MLMV is robust.sem with the scaled-shifted test (the mean-and-variance adjusted test is
    # test = "mean.var.adjusted"); WLSMVS is DWLS with the mean-and-variance adjusted test
    "MLMV": ("ML", "robust.sem", "scaled.shifted"),
    "WLSMVS": ("DWLS", "robust.sem", "mean.var.adjusted"),
    # lavaan's robust ULS variants on continuous data (W = I in the sandwich and the traces); ULSMV with
    # ordered items is the DWLS second stage with unit weights (lavaan's WLS.V = I; egovsem.sem.wls sets them)
    "ULSM": ("ULS", "robust.sem", "satorra.bentler"),
    "ULSMV": ("ULS", "robust.sem", "scaled.shifted"),
    "ULSMVS": ("ULS", "robust.sem", "mean.var.adjusted"),
}


class Combination(NamedTuple):
    """One supported combination: discrepancy, SE type, test, and whether several groups are allowed."""

    discrepancy: str
    se: str
    test: str
    multigroup: bool


#: every (discrepancy, se, test) this release computes (and checks against lavaan)
SUPPORTED: tuple[Combination, ...] = (
    Combination("ML", "standard", "standard", True),
    Combination("ML", "robust.huber.white", "yuan.bentler.mplus", True),
    Combination("ML", "bootstrap", "standard", True),
    # lavaan: se = "bootstrap" with test = "yuan.bentler(.mplus)" (estimator = "MLR" itself refuses it) or a
    # Satorra-Bentler style test (complete data)
    *(Combination("ML", "bootstrap", t, True) for t in ("yuan.bentler", "yuan.bentler.mplus", "satorra.bentler",
                                                        "scaled.shifted", "mean.var.adjusted")),
    Combination("FIML", "bootstrap", "yuan.bentler.mplus", True),
    Combination("FIML", "standard", "standard", True),
    Combination("FIML", "robust.huber.white", "yuan.bentler.mplus", True),
    Combination("FIML", "bootstrap", "standard", True),
    Combination("DWLS", "robust.sem", "scaled.shifted", True),  # multi-group: egovsem.sem.wls_mg
    # issue 11: MLM, se = "robust", the tests of lavaan's test= with ML (complete data)
    *(Combination("ML", se, t, True) for se in ("standard", "robust.sem")
      for t in ("standard", "satorra.bentler", "yuan.bentler", "yuan.bentler.mplus", "scaled.shifted",
                "mean.var.adjusted")
      if (se, t) != ("standard", "standard")),
    Combination("DWLS", "robust.sem", "mean.var.adjusted", False),
    # lavaan's ULSM / ULSMV / ULSMVS, ULS with se = "robust" and ULS with test= spelled out (continuous data,
    # one group and several)
    *(Combination("ULS", se, t, True) for se in ("standard", "robust.sem")
      for t in ("standard", "satorra.bentler", "scaled.shifted", "mean.var.adjusted")
      if (se, t) != ("standard", "standard")),
    Combination("FIML", "robust.huber.white", "standard", True),
    # issue 11: se = "robust.huber.white" with estimator ML and complete data (MLR's SEs, the standard test)
    Combination("ML", "robust.huber.white", "standard", True),
    *(Combination("ML", "robust.huber.white", t, True) for t in GAMMA_TESTS + ("yuan.bentler",)),
    # lavaan's MLR with se = "standard" under missing = "ml": observed information, the Yuan-Bentler (Mplus) test
    Combination("FIML", "standard", "yuan.bentler.mplus", True),
    # lavaan's tr(U Omega) under FIML (egovsem.sem.fit_robust.fiml_yb_traces), with standard or robust SEs
    *(Combination("FIML", se, "yuan.bentler", True) for se in ("standard", "robust.huber.white")),
    Combination("GLS", "standard", "standard", True),
    Combination("ULS", "standard", "standard", True),
)


@dataclass(frozen=True)
class Options:
    """The resolved options of a model (read-only). Build with :func:`resolve_options`.

    ``estimator`` is kept as the user's label (shown in summaries and JSON); the computations read
    ``discrepancy`` ('ML', 'FIML', 'GLS', 'ULS', 'DWLS'), ``se`` ('standard', 'robust.huber.white',
    'robust.sem', 'bootstrap'), ``test`` (one of :data:`TESTS`) and ``information`` ('expected', 'observed',
    'first.order').
    """

    estimator: str
    discrepancy: str
    missing: str
    se: str
    test: str
    information: str
    std_lv: bool = False
    meanstructure: bool | None = None
    fixed_x: bool = True
    auto_cov_y: bool = True
    group: str | None = None
    group_equal: tuple[str, ...] = ()
    ordered: bool | tuple[str, ...] | None = None
    bootstrap: int = 1000
    seed: int | None = None
    iter_max: int = 10000
    sampling_weights: str | None = None
    sampling_weights_normalization: str = "total"
    cluster: str | None = None
    #: the observed information of the Yuan-Bentler trace: 'hessian', or 'h1' (``Delta' H1 Delta``), which
    #: lavaan 0.6-14 uses with cluster= and estimator ML without weights (its test is then "standard" and
    #: "yuan.bentler.mplus", and observed.information[2] becomes "h1")
    test_information: str = "hessian"
    # issue 11 (lavaan options): orthogonal, std.ov, group.partial and lavaan's auto.* switches; the defaults
    # are those of lavaan's sem()/cfa(), lavaan() turns the switches off (see egovsem.sem.model.lavaan)
    orthogonal: bool = False
    std_ov: bool = False
    group_partial: tuple[str, ...] = ()
    parameterization: str = "delta"  # WLSMV: lavaan's parameterization ("delta" or "theta", egovsem.sem.wls_mg)
    auto_var: bool = True
    auto_fix_first: bool | None = None  # None: not std_lv (lavaan's cfa/sem)
    auto_fix_single: bool = True
    auto_cov_lv_x: bool = True
    int_ov_free: bool = True
    int_lv_free: bool = False

    @property
    def robust_se(self) -> bool:
        """Sandwich standard errors (robust.huber.white or robust.sem)."""
        return self.se.startswith("robust")

    @property
    def casewise(self) -> bool:
        """The fit needs the raw rows: FIML, or casewise scores for the Huber-White meat."""
        return (self.discrepancy == "FIML" or self.se == "robust.huber.white"
                or self.information in ("observed", "first.order") or self.test.startswith("yuan"))

    def as_dict(self) -> dict[str, Any]:
        """The options as a plain dict (``Results.options``); ``group_equal`` as a list."""
        d = asdict(self)
        d["group_equal"] = list(self.group_equal)
        d["group_partial"] = list(self.group_partial)
        if isinstance(self.ordered, tuple):
            d["ordered"] = list(self.ordered)
        return d

    def replace(self, **changes: Any) -> Options:
        return replace(self, **changes)


def _parse_ordered(ordered: Any) -> bool | tuple[str, ...] | None:
    if ordered is None or ordered is False:
        return None
    if ordered is True:
        return True
    if isinstance(ordered, str):
        if ordered.lower() == "all":
            return True
        return tuple(c.strip() for c in ordered.split(",") if c.strip())
    if isinstance(ordered, (list, tuple)):
        return tuple(ordered)
    raise EgovsemError(f"The 'ordered' parameter must be True, 'all' or a list of column names. Got {ordered!r} "
                       "instead.")


def _check_pairwise_ml(est: str, se_type: str, test: str, clustered: bool = False) -> None:
    """``missing='pairwise'`` with ML, GLS or ULS: lavaan fits them to the available-case moments; what it
    refuses (the casewise scores of MLR and robust.huber.white need complete rows; sampling weights; the
    Yuan-Bentler (Mplus) test) is refused with its reason, what egovsem does not compute yet is refused as such
    (sampling weights and clusters: :func:`_check_pairwise_design`)."""
    if clustered:
        # lavaan 0.6-14: robust.cluster SEs and the Yuan-Bentler (Mplus) test from the complete rows' scores
        # (egovsem.sem.pairwise_cluster)
        if est not in ("ML", "MLR") or se_type != "robust.huber.white" or test not in ("standard",
                                                                                      "yuan.bentler.mplus"):
            raise NotAvailableError(f"missing='pairwise' with cluster= and estimator={est!r} (se={se_type!r}, "
                                    f"test={test!r}) is not available yet; use estimator='ML' or 'MLR' with "
                                    "their defaults.")
        return
    if est == "MLR" or se_type == "robust.huber.white":
        what = "estimator='MLR'" if est == "MLR" else "se='robust.huber.white'"
        raise EgovsemError(f"missing='pairwise' with {what} is not possible: the casewise scores of the "
                           "Huber-White sandwich need complete rows (lavaan stops with \"infinite or missing "
                           "values in 'x'\"); use missing='fiml' with estimator='MLR', or missing='listwise'.")
    if test == "yuan.bentler.mplus":
        raise EgovsemError("missing='pairwise' with test='yuan.bentler.mplus' is not possible: its trace needs the "
                           "casewise scores of complete rows (lavaan 0.6-14 stops with \"missing value where "
                           "TRUE/FALSE needed\"); use test='yuan.bentler' or 'satorra.bentler', or missing='fiml' "
                           "with estimator='MLR'.")
    ests = ("ML", "MLM", "MLMV", "GLS", "ULS", "ULSM", "ULSMV", "ULSMVS")
    se_ok, test_ok = ("standard", "robust.sem", "bootstrap"), ("standard", "yuan.bentler") + GAMMA_TESTS
    if est not in ests or se_type not in se_ok or test not in test_ok:
        what = (f"estimator={est!r}" if est not in ests else f"se={se_type!r}" if se_type not in se_ok
                else f"test={test!r}")
        raise NotAvailableError(f"missing='pairwise' with {what} is not available yet; it is implemented for ML, "
                                "MLM, MLMV, GLS, ULS, ULSM, ULSMV and ULSMVS (standard, robust.sem or bootstrap "
                                "SEs, the standard, Satorra-Bentler style and Yuan-Bentler tests; and for WLSMV); "
                                "use missing='listwise' or 'fiml'.")


def _check_pairwise_design(sampling_weights: str | None) -> None:
    """``missing='pairwise'`` with a survey design: lavaan 0.6-14 refuses sampling weights (the weighted moments
    of rows with holes); with cluster= alone it reports robust.cluster SEs from the complete rows' scores
    (:mod:`egovsem.sem.pairwise_cluster`)."""
    if sampling_weights is not None:
        raise EgovsemError(f"missing='pairwise' with sampling_weights={sampling_weights!r} is not possible: the "
                           "weighted moments need complete rows (lavaan 0.6-14 stops with \"'x' must contain finite "
                           "values only\"); use missing='fiml' with estimator='MLR', or missing='listwise'.")


def resolve_options(
    *,
    estimator: str = "ML",
    missing: str = "listwise",
    se: str | None = None,
    test: str | None = None,
    information: str | None = None,
    group: str | None = None,
    group_equal: list[str] | str | None = None,
    ordered: Any = None,
    bootstrap: int = 1000,
    seed: int | None = None,
    std_lv: bool = False,
    meanstructure: bool | None = None,
    fixed_x: bool | None = None,
    auto_cov_y: bool = True,
    iter_max: int = 10000,
    sampling_weights: str | None = None,
    sampling_weights_normalization: str = "total",
    cluster: str | None = None,
    orthogonal: bool = False,
    std_ov: bool = False,
    group_partial: list[str] | str | None = None,
    auto_var: bool = True,
    auto_fix_first: bool | None = None,
    auto_fix_single: bool = True,
    auto_cov_lv_x: bool = True,
    int_ov_free: bool = True,
    int_lv_free: bool = False,
    parameterization: str = "delta",
    warn_stacklevel: int = 4,
) -> Options:
    """Check the arguments of :class:`~egovsem.sem.model.Model` and resolve them into :class:`Options`.

    Messages are scikit-learn's ("The 'estimator' parameter must be one of ... Got 'ml2' instead.");
    combinations outside :data:`SUPPORTED` raise :class:`~egovsem.NotAvailableError`.

    >>> o = resolve_options(estimator="mlr")
    >>> o.discrepancy, o.se, o.test, o.information
    ('ML', 'robust.huber.white', 'yuan.bentler.mplus', 'observed')
    >>> resolve_options(missing="fiml").discrepancy
    'FIML'
    """
    est = check_option("estimator", estimator, ESTIMATORS, casefold=True)
    miss = check_option("missing", missing, MISSING, casefold=True)
    if miss == "ml":
        miss = "fiml"
    se_in = None if se is None else check_option("se", se, SE, casefold=True)
    test_in = None if test is None else check_option("test", test, TESTS, casefold=True)
    info_in = None if information is None else check_option("information", information, INFORMATION,
                                                             casefold=True)
    if est in ("MLM", "MLMV") and miss == "fiml":
        # lavaan 0.6-14's lav_options_set: 'missing="ml" is not allowed for estimator "MLM"'
        raise EgovsemError(f"missing='fiml' (lavaan's missing=\"ml\") is not allowed for estimator={est!r} (lavaan "
                           "refuses it: the Satorra-Bentler correction needs complete data); use estimator='MLR' "
                           "or missing='listwise'.")
    if est in ("GLS",) + _ULS_FAMILY and miss == "fiml":
        # lavaan 0.6-14's lav_options_set: 'missing="ml" is not allowed for estimator "GLS"' (likewise ULS*)
        raise EgovsemError(f"missing='fiml' is not possible with estimator={est!r} (lavaan refuses it: "
                           f"'missing=\"ml\" is not allowed for estimator {est}'; full-information estimation is "
                           "maximum likelihood); use estimator='ML' or 'MLR', or missing='pairwise' (ULS) or "
                           "'listwise'.")
    if est == "GLS" and miss == "pairwise":
        # lavaan 0.6-14's lav_options_set sets missing = "listwise" for GLS (its weight S^-1 is that of the
        # complete rows), without a word; egovsem does the same and says so
        warnings.warn("missing='pairwise' with estimator='GLS': the rows with a missing value are deleted "
                      "listwise, as lavaan does for GLS (it sets missing to 'listwise'); use estimator='ULS' or "
                      "'ML' to fit the pairwise moments.", MissingDataWarning, stacklevel=warn_stacklevel)
        miss = "listwise"
    if not isinstance(iter_max, (int, np.integer)) or isinstance(iter_max, (bool, np.bool_)) or iter_max < 1:
        raise EgovsemError(f"The 'iter_max' parameter must be a positive integer. Got {iter_max!r} instead.")
    if fixed_x is None:
        # lavaan 0.6-14's fixed.x = "default": TRUE for the ML family (and conditional.x: WLSMV with covariates),
        # FALSE for GLS and the ULS family on continuous data
        fixed_x = not (est == "GLS" or (est in _ULS_FAMILY and ordered in (None, False)))
    for name, val in (("std_lv", std_lv), ("fixed_x", fixed_x), ("auto_cov_y", auto_cov_y),
                      ("orthogonal", orthogonal), ("std_ov", std_ov), ("auto_var", auto_var),
                      ("auto_fix_single", auto_fix_single), ("auto_cov_lv_x", auto_cov_lv_x),
                      ("int_ov_free", int_ov_free), ("int_lv_free", int_lv_free)):
        if not isinstance(val, (bool, np.bool_)):
            raise EgovsemError(f"The '{name}' parameter must be True or False. Got {val!r} instead.")
    if parameterization not in ("delta", "theta"):
        raise EgovsemError(f"The 'parameterization' parameter must be 'delta' or 'theta'. Got {parameterization!r} "
                           "instead.")
    if auto_fix_first is not None and not isinstance(auto_fix_first, (bool, np.bool_)):
        raise EgovsemError(f"The 'auto_fix_first' parameter must be True, False or None. Got {auto_fix_first!r} "
                           "instead.")
    if meanstructure is not None and not isinstance(meanstructure, (bool, np.bool_)):
        raise EgovsemError(f"The 'meanstructure' parameter must be True, False or None. Got {meanstructure!r} "
                           "instead.")

    ords = _parse_ordered(ordered)
    if ords is not None:
        if est == "ML":
            # lavaan: ordered indicators make WLSMV the default estimator
            warnings.warn("ordered= is given: the estimator is WLSMV (lavaan's default for ordered data).",
                          EgovsemWarning, stacklevel=warn_stacklevel)
            est = "WLSMV"
        elif est not in ("WLSMV", "WLSMVS", "ULSMV"):
            raise EgovsemError(f"estimator={est!r} cannot be used with ordered indicators; use 'WLSMV'.")
    elif est in ("WLSMV", "WLSMVS"):
        raise EgovsemError(f"estimator={est!r} needs the ordinal items: pass ordered=True (all) or a list of "
                           "column names.")
    if est not in _ESTIMATOR_PARTS:
        raise NotAvailableError(
            f"estimator={est!r} is not available yet; 'ML', 'MLM', 'MLR', 'GLS', 'ULS' and 'WLSMV' are "
            "implemented (DWLS on ordinal items: estimator='WLSMV')."
        )
    disc, se_default, test = _ESTIMATOR_PARTS[est]
    if est == "ULSMV" and ords is not None:
        disc = "DWLS"
    if disc == "ML" and miss == "fiml":
        disc = "FIML"
    sampling_weights_normalization = check_option("sampling_weights_normalization", sampling_weights_normalization,
                                                  ["total", "group", "none"], casefold=True)
    design, se_in = _check_design_options(sampling_weights, cluster, disc, se_in, est,
                                          warn_stacklevel=warn_stacklevel)
    if design and miss == "pairwise" and disc != "DWLS":
        _check_pairwise_design(sampling_weights)
    if cluster is not None and miss == "pairwise" and disc == "DWLS":
        # lavaan 0.6-14 ignores the clusters of ordered data; lavaan 0.7 sums the casewise scores within clusters
        # with R's rowsum(), so a cluster with one missing value drops out of that statistic's Gamma entries
        raise NotAvailableError(f"cluster={cluster!r} with missing='pairwise' and estimator={est!r} is not available "
                                "yet: lavaan 0.6-14 ignores the clusters of ordered data, and lavaan 0.7 leaves every "
                                "cluster with a missing value out of the cluster sums, so there is no reference to "
                                "match; use missing='listwise' (cluster-robust Gamma as lavaan 0.7).")
    if cluster is not None and disc in ("GLS", "ULS"):
        # lavaan 0.6-14 with cluster= asks for the Yuan-Bentler (Mplus) test and the first-order information,
        # which these estimators refuse (tests/reference/make_reference_design_estimators.R, refusals.csv)
        reason = ("invalid value(s) in test= argument when estimator is GLS: yuan.bentler.mplus" if disc == "GLS"
                  else "information = \"first.order\" not available for estimator ULS")
        raise EgovsemError(f"cluster={cluster!r} with estimator={est!r} is not possible (lavaan refuses it: "
                           f"'{reason}': clustered data take the cluster-robust sandwich of casewise scores, which "
                           "least squares does not have); use estimator='MLR' or 'MLM' with cluster=.")
    mlmv_cluster = design and est == "MLMV" and cluster is not None and miss != "pairwise"
    if design and est in ("MLM", "MLMV") and miss != "pairwise":
        # lavaan 0.6-14 fits MLM and MLMV to the weighted moments and keeps their robust.sem SEs and scaled
        # tests, with Gamma from the rows unweighted (lavInspect(fit, "gamma") is that of the fit without
        # weights) and, with cluster=, summed within clusters (MLM: its se "robust.cluster.sem", with or
        # without weights; tests/reference/make_reference_mlm_weights.R). MLMV with cluster= (with or without
        # weights): lavaan's se "robust.cluster" (the sandwich of the cluster-summed scores, the bread from
        # the expected information: information = c("expected", "observed")) and the scaled-shifted test
        # first (the clustered Gamma, expected information in its traces), "yuan.bentler.mplus" added second
        # and not reported by fitMeasures() (tests/reference/make_reference_design_estimators.R)
        if mlmv_cluster:
            se_default = "robust.huber.white"
    elif design and cluster is None and disc in ("GLS", "ULS") and miss != "pairwise":
        # lavaan 0.6-14: GLS and the ULS family with sampling weights on continuous data
        pass
    elif design and est not in ("ML", "MLR") and disc != "DWLS":  # (DWLS: WLSMV, WLSMVS, ULSMV on ordered items)
        raise NotAvailableError(f"sampling_weights= or cluster= with estimator={est!r} is not available yet; "
                                "use ML or MLR.")
    test_information = "h1" if mlmv_cluster else "hessian"
    if design and est == "ML":
        # lavaan 0.6-14: sampling weights or clusters turn ML into MLR (robust.huber.white / robust.cluster
        # SEs, the Yuan-Bentler (Mplus) test, observed information)
        se_default, test = _ESTIMATOR_PARTS["MLR"][1:]
        if cluster is not None and sampling_weights is None:
            test_information = "h1"

    # the SE type: the estimator's own unless a user asks for another one
    if se_in is None:
        se_type = se_default
    elif se_in == "robust":
        if est == "ML":
            # lavaan 0.6-14: se = "robust" with ML is robust.sem for complete data, robust.huber.white with
            # missing = "ml"; the test stays the standard one
            # (and with cluster=: lavaan's robust.cluster, the scores summed within clusters)
            se_type = "robust.huber.white" if miss == "fiml" or cluster is not None else "robust.sem"
        elif est == "ULS":
            se_type = "robust.sem"  # lavaan: se = "robust" with ULS is robust.sem
        elif est == "GLS":
            # lavaan: 'invalid value in se= argument for estimator GLS: "robust"'
            raise EgovsemError("se='robust' is not a valid se= for estimator='GLS' (lavaan refuses it: \"invalid "
                               "value in se= argument for estimator GLS\"); GLS reports standard errors from its "
                               "expected information (omit se=).")
        elif se_default == "standard":
            raise NotAvailableError(f"se='robust' with estimator={est!r} is not available yet; omit se=.")
        else:
            se_type = se_default
    elif se_in in ("robust.sem", "robust.huber.white") and est == "GLS" or (
            se_in == "robust.huber.white" and est in _ULS_FAMILY):
        # lavaan 0.6-14: 'invalid value in se= argument for estimator GLS: "robust.sem"' (likewise ULS and
        # robust.huber.white: its sandwich needs casewise scores of a likelihood)
        raise EgovsemError(f"se={se_in!r} is not a valid se= for estimator={est!r} (lavaan refuses it: \"invalid "
                           f"value in se= argument for estimator {est[:3]}\"); "
                           + ("omit se=." if est == "GLS" else "use se='robust' (robust.sem)."))
    elif se_in == "robust.sem" and est == "ULS":
        se_type = "robust.sem"  # lavaan's ULS with se = "robust.sem" (as se = "robust")
    elif se_in in ("robust.sem", "robust.huber.white") and se_in != se_default and est not in ("ML", "MLR"):
        raise NotAvailableError(f"se={se_in!r} with estimator={est!r} is not available yet; {est}'s standard "
                                f"errors are {se_default!r} (omit se=).")
    elif se_in == "robust.sem" and est == "MLR" and cluster is not None:
        # lavaan 0.6-14 keeps robust.cluster SEs for MLR with cluster= whatever se= (not refused, not changed
        # to robust.sem; se="standard": _check_design_options): egovsem does the same and says so
        warnings.warn(f"se={se_in!r} with estimator='MLR' and cluster={cluster!r}: the standard errors are the "
                      "cluster-robust ones (se='robust.cluster'), as lavaan 0.6-14 gives them (it keeps robust.cluster "
                      "whatever se=).", EgovsemWarning, stacklevel=warn_stacklevel)
        se_type = se_default
    elif se_in == "standard" and se_default != "standard" and not (est in ("MLM", "MLMV", "MLR") + _ULS_FAMILY
                                                                    or (est == "ML" and design)):
        # lavaan would give non-robust SEs with the robust test: a combination not computed (and not checked)
        raise NotAvailableError(
            f"se='standard' with estimator={est!r} is not available yet; {est}'s standard errors are "
            f"{se_default!r} (omit se= to get them)."
        )
    else:
        # (MLR with se = "standard" or "robust.sem": lavaan 0.6-14 keeps the test "yuan.bentler.mplus"; the
        # information follows the SE type below, expected with complete data; tests/test_mlr_se.py; MLM and
        # MLMV with se = "standard" keep their scaled test, and so do ULSM, ULSMV and ULSMVS:
        # make_reference_design_estimators.R)
        se_type = se_in
    if se_type == "robust.sem" and disc == "FIML":
        # lavaan 0.6-14 sets missing to "listwise" for se = "robust.sem" (its meat reads Gamma, the fourth
        # moments of complete rows), with a warning; egovsem does the same and says so
        warnings.warn("se='robust.sem' with missing='fiml': the rows with a missing value are deleted listwise, as "
                      "lavaan does (\"missing will be set to listwise for se = robust.sem\"); use estimator='MLR' "
                      "(robust.huber.white) for robust standard errors under FIML.", MissingDataWarning,
                      stacklevel=warn_stacklevel)
        miss, disc = "listwise", "ML"

    if test_in is not None and test_in != test:
        asked = test_in
        if est == "GLS":
            # lavaan 0.6-14: 'invalid value(s) in test= argument when estimator is GLS'
            raise EgovsemError(f"test={test_in!r} is not a valid test= for estimator='GLS' (lavaan refuses it: "
                               "\"invalid value(s) in test= argument when estimator is GLS\"); GLS reports the "
                               "standard test (omit test=), or use estimator='ULS' or 'ML' for a scaled test.")
        if est in _ULS_FAMILY and test_in.startswith("yuan"):
            # lavaan 0.6-14: the Yuan-Bentler traces need the first-order information, which ULS does not have
            raise EgovsemError(f"test={test_in!r} with estimator={est!r} is not possible: the Yuan-Bentler tests "
                               "need the first-order (casewise score) information, which least squares does not "
                               "have (lavaan stops with 'information = \"first.order\" not available for "
                               "estimator ULS'); use test='satorra.bentler', 'scaled.shifted' or "
                               "'mean.var.adjusted'.")
        if est == "WLSMV" and test_in == "mean.var.adjusted":
            pass  # lavaan's WLSMVS
        elif est == "ULS" and cluster is None:
            pass  # lavaan 0.6-14: ULS with test = "satorra.bentler" etc. (the standard test kept beside it; with
            # sampling weights too, Gamma of the rows unweighted)
        elif est == "MLR" and not design:
            pass  # lavaan 0.6-14 keeps MLR's test first (below)
        elif design and est in ("ML", "MLR"):
            test_in, test_information = _design_with_test(test_in, test, sampling_weights, cluster, est,
                                                          warn_stacklevel + 1)
        elif est == "MLMV" and not design:
            pass  # lavaan 0.6-14 keeps MLMV's scaled-shifted test first (below)
        elif est not in ("ML", "MLM") or (design and est != "MLM"):
            raise NotAvailableError(f"test={test_in!r} with estimator={est!r}"
                                    f"{' and a survey design' if design else ''} is not available yet; its test "
                                    f"is {test!r} (omit test=).")
        if est in _KEEPS_OWN_TEST:
            # lavaan 0.6-14 keeps the estimator's own test first and adds the other (test = c("satorra.bentler",
            # <test>) for MLM, c("scaled.shifted", <test>) for MLMV); its parameterEstimates() and fitMeasures()
            # are those of the plain estimator, which egovsem reports (tests/reference/
            # make_reference_option_fallbacks.R, make_reference_mlmv_test.R); with cluster= lavaan drops the test
            # asked for (MLM: test = "satorra.bentler" alone)
            if test_in != "standard":  # (the standard test is the unscaled chisq, reported anyway)
                beside = "drops it with cluster=" if cluster is not None else f"computes {test_in!r} beside it"
                warnings.warn(f"test={test_in!r} with estimator={est!r}: {est}'s {_KEEPS_OWN_TEST[est]} test is "
                              f"reported, as lavaan's fitMeasures() report it (lavaan {beside}); use "
                              f"estimator='ML', se='robust', test={test_in!r} to have that test reported.",
                              EgovsemWarning, stacklevel=warn_stacklevel)
            test_in = test
        if est == "MLR" and not design:
            test_in, test_information = _mlr_with_test(asked, test, warn_stacklevel + 1)
        if miss == "fiml" and asked in GAMMA_TESTS:
            # lavaan 0.6-14 sets missing to "listwise" for these tests, with a warning ("missing will be set to
            # listwise for satorra.bentler style test"): egovsem does the same and says so
            warnings.warn(f"test={asked!r} with missing='fiml': the rows with a missing value are deleted listwise, "
                          "as lavaan does (\"missing will be set to listwise for satorra.bentler style test\"): the "
                          "Satorra-Bentler style tests need complete data. Use estimator='MLR' for a robust test "
                          "under FIML.", MissingDataWarning, stacklevel=warn_stacklevel)
            miss = "listwise"
            if disc == "FIML":
                disc = "ML"
        test = test_in
    if parameterization == "theta" and disc != "DWLS":
        raise EgovsemError("parameterization='theta' applies to ordered indicators (WLSMV): pass ordered=, or leave "
                           "parameterization at 'delta'.")
    if miss == "pairwise" and disc != "DWLS":
        _check_pairwise_ml(est, se_type, test, clustered=cluster is not None)
    if disc == "DWLS":
        if miss == "fiml":
            # lavaan 0.6-14: 'missing = "ml" not available in the categorical setting'
            raise EgovsemError("missing='fiml' (lavaan's missing=\"ml\") is not available in the categorical "
                               "setting (lavaan refuses it for WLSMV); use missing='listwise' or 'pairwise'.")
        if se_type == "bootstrap":
            # lavaan 0.6-14 refuses it too: 'use (D)WLS estimator for bootstrap' (its plain DWLS estimator, without
            # the robust corrections, is not an estimator of egovsem)
            raise EgovsemError(f"se='bootstrap' with estimator={est!r} is not possible (lavaan refuses it: 'use "
                               "(D)WLS estimator for bootstrap'); WLSMV reports robust (sandwich) standard errors, "
                               "as lavaan's se = 'robust.sem' (omit se=).")
    if se_type == "bootstrap":
        check_bootstrap_options(bootstrap, seed, estimator=est, missing=miss)
    if info_in == "first.order" and test != "standard" and disc in ("ML", "FIML") and se_type == "standard":
        raise _first_order_test(test)
    combo = next((c for c in SUPPORTED if c[:3] == (disc, se_type, test)), None)
    if combo is None:
        raise NotAvailableError(
            f"se={se_type!r} with estimator={est!r} (discrepancy {disc}, test {test}) is not available yet; "
            "supported: " + "; ".join(f"{c.discrepancy} + {c.se} + {c.test}" for c in SUPPORTED) + "."
        )
    if group is not None and not combo.multigroup:
        raise NotAvailableError(f"multi-group models with {disc} + se={se_type!r} are not available yet.")

    if disc == "FIML" and meanstructure is False:
        raise EgovsemError("missing='fiml' needs a mean structure; do not set meanstructure=False.")
    if disc == "FIML":
        meanstructure = True
    if cluster is not None:
        # lavaan 0.6-14: a clustered single-level model always has a mean structure
        if meanstructure is False:
            raise EgovsemError("cluster= needs a mean structure (lavaan adds one); do not set meanstructure=False.")
        meanstructure = True
    if isinstance(group_equal, str):
        group_equal = [g.strip() for g in group_equal.split(",") if g.strip()]
    if group_equal and group is None:
        raise EgovsemError(f"group_equal={group_equal!r} needs a grouping column: pass group=.")
    from .partable import GROUP_EQUAL

    for ge in group_equal or ():
        if ge == "thresholds" and disc != "DWLS":
            raise EgovsemError("group_equal=['thresholds'] needs ordered items (thresholds exist only for ordinal "
                               "indicators, fitted by WLSMV): pass ordered=True or a list of items, or leave "
                               "'thresholds' out of group_equal.")
        check_option("group_equal", ge, GROUP_EQUAL + (("thresholds",) if disc == "DWLS" else ()))
    from .partable import parse_group_partial

    partial = parse_group_partial(group_partial)
    if partial and group is None:
        raise EgovsemError(f"group_partial={list(partial)!r} needs a grouping column: pass group= (and group_equal=).")
    # lavaan 0.6-14 with se = "bootstrap" and a robust test: observed information (what the test's traces use),
    # and with a Yuan-Bentler test (estimator ML, not MLR) "observed.information for ALL test statistics is set to
    # h1"
    boot_scaled = se_type == "bootstrap" and test != "standard"
    if boot_scaled and test in ("yuan.bentler", "yuan.bentler.mplus"):
        test_information = "h1"
    information = "observed" if (disc == "FIML" or (se_type == "robust.huber.white" and not mlmv_cluster)
                                 or boot_scaled) else "expected"
    if info_in is not None and (info_in != information or se_type == "bootstrap"):
        information = _check_information(info_in, information, est, disc, se_type, test, warn_stacklevel + 1)
    if est == "ML" and test.startswith("yuan") and information == "observed" and not design and (
            se_type != "bootstrap" and miss != "pairwise"):
        # lavaan 0.6-14: a test named with ML is test = c("standard", <test>), and then the observed information
        # of the tests is "h1" ("observed.information for ALL test statistics is set to h1", said for
        # yuan.bentler.mplus): with FIML, se = "robust.huber.white" or information = "observed"
        test_information = "h1"
    if est == "ML" and test_information == "h1" and test == "yuan.bentler.mplus" and not design and (
            se_type != "bootstrap"):
        warnings.warn("test='yuan.bentler.mplus' with estimator='ML' and the observed information: the trace of the "
                      "test uses the h1 observed information (Delta' H1 Delta), as lavaan does (\"observed.information "
                      "for ALL test statistics is set to h1\"); the standard errors use the Hessian. (estimator='MLR' "
                      "keeps the Hessian in the trace.)", EgovsemWarning, stacklevel=warn_stacklevel)
    if miss == "pairwise" and disc == "ML" and information == "first.order":
        raise EgovsemError("information='first.order' with missing='pairwise' is not possible: the first-order "
                           "information is the cross-product of casewise scores, which need complete rows (lavaan "
                           "cannot invert it and gives no standard errors); use information='expected' or "
                           "'observed'.")
    return Options(
        estimator=est, discrepancy=disc, missing=miss, se=se_type, test=test, information=information,
        std_lv=bool(std_lv), meanstructure=None if meanstructure is None else bool(meanstructure),
        fixed_x=bool(fixed_x), auto_cov_y=bool(auto_cov_y), group=group, group_equal=tuple(group_equal or ()),
        ordered=ords, bootstrap=bootstrap, seed=seed, iter_max=int(iter_max), sampling_weights=sampling_weights,
        sampling_weights_normalization=sampling_weights_normalization, cluster=cluster,
        test_information=test_information, orthogonal=bool(orthogonal), std_ov=bool(std_ov),
        group_partial=partial, auto_var=bool(auto_var),
        auto_fix_first=None if auto_fix_first is None else bool(auto_fix_first),
        auto_fix_single=bool(auto_fix_single), auto_cov_lv_x=bool(auto_cov_lv_x), int_ov_free=bool(int_ov_free),
        int_lv_free=bool(int_lv_free), parameterization=parameterization,
    )


def _mlr_with_test(asked: str, test: str, warn_stacklevel: int) -> tuple[str, str]:
    """``estimator = "MLR"`` with another ``test=``: lavaan 0.6-14 keeps MLR's test first (``test =
    c("yuan.bentler.mplus", <test>)``) and sets ``observed.information`` to ``c("hessian", "h1")``
    ("observed.information for ALL test statistics is set to h1"): its fitMeasures() report the Yuan-Bentler
    (Mplus) test with ``Delta' H1 Delta`` in the trace; egovsem reports the same and says so. Returns the test
    and the information of its trace."""
    warnings.warn(f"test={asked!r} with estimator='MLR': MLR's Yuan-Bentler (Mplus) test is reported, with the "
                  "h1 observed information in its trace, as lavaan's fitMeasures() report it (lavaan keeps "
                  "\"yuan.bentler.mplus\" first and sets \"observed.information for ALL test statistics to h1\"); "
                  f"use estimator='ML', se='robust.huber.white', test={asked!r} to have that test reported.",
                  EgovsemWarning, stacklevel=warn_stacklevel)
    return test, "h1"


def _design_with_test(asked: str, test: str, sampling_weights: str | None, cluster: str | None, est: str,
                      warn_stacklevel: int) -> tuple[str, str]:
    """Another ``test=`` with sampling weights or clusters (estimator MLR, or ML that the weights turn into MLR),
    as lavaan 0.6-14 takes it: clustered MLR replaces the test by "yuan.bentler.mplus" (the test= given is
    dropped, with the Hessian in its trace); sampling weights without clusters keep MLR's test first and set
    observed.information to ``c("hessian", "h1")``, as without weights (:func:`_mlr_with_test`); ML with
    clusters takes test = "standard" (the unscaled test only), "satorra.bentler" and "yuan.bentler" (the
    clustered Gamma in the traces) and refuses scaled.shifted and mean.var.adjusted.
    Returns the test and the information of its trace."""
    ml_cluster = est == "ML" and cluster is not None and sampling_weights is None
    if ml_cluster and asked == "standard":
        return "standard", "hessian"  # lavaan: ML with cluster= and test = "standard" (robust.cluster SEs)
    if ml_cluster and asked in ("satorra.bentler", "yuan.bentler"):
        # lavaan: test = c("standard", <test>) with observed.information c("hessian", "h1"): the traces with the
        # h1 observed information and the Gamma of the cluster sums (egovsem.sem.robust_sem.nacov)
        return asked, "h1"
    if ml_cluster and asked in ("scaled.shifted", "mean.var.adjusted"):
        raise EgovsemError(f"test={asked!r} with cluster={cluster!r} is not possible (lavaan refuses it: \"`test' "
                           "argument must one of \"none\", \"yuan.bentler\", \"yuan.bentler.mplus\" or "
                           "\"satorra.bentler\" in the clustered case\"); omit test= for the Yuan-Bentler (Mplus) "
                           "test.")
    if cluster is not None:
        warnings.warn(f"test={asked!r} with cluster={cluster!r}: the Yuan-Bentler (Mplus) test of MLR is reported, "
                      "as lavaan 0.6-14 reports it (clustered MLR replaces test= by \"yuan.bentler.mplus\").",
                      EgovsemWarning, stacklevel=warn_stacklevel)
        return test, "hessian"
    warnings.warn(f"test={asked!r} with sampling_weights={sampling_weights!r}: MLR's Yuan-Bentler (Mplus) test is "
                  "reported, with the h1 observed information in its trace, as lavaan's fitMeasures() report it "
                  "(lavaan keeps \"yuan.bentler.mplus\" first and sets \"observed.information for ALL test "
                  "statistics to h1\").", EgovsemWarning, stacklevel=warn_stacklevel)
    return test, "h1"


def _first_order_test(test: str) -> EgovsemError:
    """lavaan 0.6-14's refusal of ``information = "first.order"`` with a scaled test."""
    return EgovsemError(f"information='first.order' with test={test!r} is not possible: lavaan refuses it "
                        "(\"information must be either \"expected\" or \"observed\" if robust test statistics are "
                        "requested\"); use information='expected' or 'observed'.")


def _check_information(info_in: str, default: str, est: str, disc: str, se_type: str, test: str,
                       warn_stacklevel: int) -> str:
    """The ``information=`` a user asks for instead of the estimator's ``default``, as lavaan 0.6-14 takes it
    (tests/reference/make_reference_information.R): refused with lavaan's reason where lavaan refuses it, the
    default kept (with a warning) where lavaan keeps it, :class:`NotAvailableError` where egovsem does not
    compute it."""
    if se_type == "bootstrap":
        # lavaan 0.6-14's lav_options_set: se = "bootstrap" sets information to "observed" (the bootstrap SEs do
        # not read it; the traces of a scaled test do)
        if info_in != "observed":
            warnings.warn(f"information={info_in!r} with se='bootstrap': the observed information is used, as lavaan "
                          "does (it sets information to \"observed\" for se = \"bootstrap\"); the bootstrap standard "
                          "errors do not read it, the traces of a scaled test do.", EgovsemWarning,
                          stacklevel=warn_stacklevel)
        return "observed"
    if se_type.startswith("robust") and info_in == "first.order":
        raise EgovsemError(f"information='first.order' with estimator={est!r} (se={se_type!r}) is not "
                           "possible: lavaan refuses it (\"information must be either \"expected\" or \"observed\" "
                           "if robust standard errors are requested\"); use information='expected' or 'observed'.")
    if disc == "GLS" and info_in == "first.order":
        raise EgovsemError("information='first.order' with estimator='GLS' is not possible: GLS has no casewise "
                           "scores (lavaan refuses it: 'information = \"first.order\" not available for estimator "
                           "GLS'); use information='expected' or 'observed'.")
    if disc == "ULS":
        # lavaan 0.6-14: "information will be set to "expected" for estimator = "ULS""
        warnings.warn(f"information={info_in!r} with estimator={est!r}: the expected information is used, as "
                      "lavaan does (\"information will be set to expected for estimator = ULS\").", EgovsemWarning,
                      stacklevel=warn_stacklevel)
        return default
    ok = (disc in ("ML", "FIML") and se_type in ("standard", "robust.sem", "robust.huber.white")
          and not (info_in == "first.order" and (se_type, test) != ("standard", "standard"))
          and not (disc == "FIML" and se_type == "robust.sem")) or (disc, info_in) == ("GLS", "observed")
    if not ok:
        raise NotAvailableError(
            f"information={info_in!r} with estimator={est!r} (se={se_type!r}, test={test!r}) is not "
            f"available yet; its information is {default!r} (omit information=).")
    return info_in


def _check_design_options(sampling_weights: Any, cluster: Any, disc: str, se_in: str | None, est: str = "ML", *,
                          warn_stacklevel: int = 4) -> tuple[bool, str | None]:
    """Check ``sampling_weights`` and ``cluster``; return whether a design column is given and the se= asked
    for (None where lavaan replaces it by the design's robust standard errors).

    lavaan 0.6-14 with ``se = "bootstrap"`` or ``"standard"`` (tests/reference/make_reference_bootstrap_design.R):
    sampling weights turn ML into MLR, which refuses the bootstrap ("use ML estimator for bootstrap"); clusters
    with ML refuse both ("`se' argument must one of "none", "robust.cluster", or "robust.cluster.sem" in the
    clustered case"); clusters with MLR (given, or made by sampling weights) replace se by "robust.cluster"
    without a word, which egovsem does with a warning. Sampling weights without clusters and
    ``se="standard"``: lavaan's information-based SEs of the weighted fit (tests/reference/
    make_reference_design_se.R); clusters with ML and ``se="robust.sem"`` or ``"robust.huber.white"``: refused
    by lavaan as ``"standard"``.
    """
    for name, val in (("sampling_weights", sampling_weights), ("cluster", cluster)):
        if val is not None and (not isinstance(val, str) or not val):
            raise EgovsemError(f"The '{name}' parameter must be a column name (str) or None. Got {val!r} instead.")
    design = sampling_weights is not None or cluster is not None
    if not design:
        return False, se_in
    which = "sampling_weights=" if sampling_weights is not None else "cluster="
    if cluster is not None and sampling_weights is None and est == "ML" and se_in in ("robust.sem",
                                                                                     "robust.huber.white"):
        # lavaan 0.6-14 refuses them as it refuses "standard" (tests/reference/make_reference_design_se.R)
        raise EgovsemError(f"se={se_in!r} with cluster={cluster!r} is not possible (lavaan refuses it: \"`se' "
                           "argument must one of \"none\", \"robust.cluster\", or \"robust.cluster.sem\" in the "
                           "clustered case\"); omit se= (or se='robust') for the cluster-robust standard errors.")
    if se_in in ("standard", "bootstrap") and est in ("ML", "MLR"):
        mlr = est == "MLR" or sampling_weights is not None
        if cluster is not None and mlr:
            kind = "bootstrap" if se_in == "bootstrap" else "information-based"
            warnings.warn(f"se={se_in!r} with cluster={cluster!r} and "
                          + (f"sampling_weights={sampling_weights!r}" if sampling_weights is not None
                             else "estimator='MLR'")
                          + f": the standard errors are the cluster-robust ones (se='robust.cluster'), not {kind} "
                          "ones, as lavaan 0.6-14 gives them (it replaces se by \"robust.cluster\" in the clustered "
                          "case with MLR).", EgovsemWarning, stacklevel=warn_stacklevel)
            return True, None
        if cluster is not None:
            raise EgovsemError(f"se={se_in!r} with cluster={cluster!r} is not possible (lavaan refuses it: \"`se' "
                               "argument must one of \"none\", \"robust.cluster\", or \"robust.cluster.sem\" in the "
                               "clustered case\"); omit se= for the cluster-robust standard errors.")
        if se_in == "bootstrap":
            raise EgovsemError(f"se='bootstrap' with sampling_weights={sampling_weights!r} is not possible "
                               "(lavaan refuses it: " + ("" if est == "MLR" else "sampling weights turn ML into "
                                                         "MLR, and ") + "\"use ML estimator for bootstrap\"); omit "
                               "se= for the robust (sandwich) standard errors of the weighted fit.")
    if se_in == "standard" and est in ("MLM", "MLMV") + _ULS_FAMILY[1:] and (cluster is None or est in ("MLM",
                                                                                                   "MLMV")):
        # lavaan 0.6-14: with sampling weights alone the information-based SEs beside the scaled test; with
        # cluster= MLM keeps robust.cluster.sem without a word (egovsem says so) and MLMV, whose clustered SEs
        # are robust.cluster, refuses it (tests/reference/make_reference_design_estimators.R)
        if cluster is None:
            return True, se_in
        if est == "MLMV":
            raise EgovsemError(f"se='standard' with cluster={cluster!r} and estimator='MLMV' is not possible "
                               "(lavaan refuses it: \"`se' argument must one of \"none\", \"robust.cluster\", or "
                               "\"robust.cluster.sem\" in the clustered case\"); omit se= for the cluster-robust "
                               "standard errors.")
        warnings.warn(f"se='standard' with cluster={cluster!r} and estimator='MLM': the standard errors are the "
                      "cluster-robust ones (lavaan's se='robust.cluster.sem'), as lavaan 0.6-14 gives them (it "
                      "replaces se by \"robust.cluster.sem\" in the clustered case).", EgovsemWarning,
                      stacklevel=warn_stacklevel)
        return True, None
    if se_in in ("standard", "bootstrap") and est not in ("ML", "MLR"):
        raise NotAvailableError(f"se={se_in!r} with {which} and estimator={est!r} is not available yet; omit se=.")
    return True, se_in


#: bootstrap confidence-interval types (lavaan's boot.ci.type names: perc, bca.simple as bca, norm)
CI_TYPES = ["perc", "bca", "norm"]


def check_bootstrap_options(bootstrap: Any, seed: Any = None, ci: str = "perc", level: float = 0.95, *,
                            estimator: str = "ML", missing: str = "listwise") -> str:
    """Validate the bootstrap options up front (also called by ``Model`` for ``se="bootstrap"``); return the
    canonical CI type."""
    if estimator != "ML" or missing not in ("listwise", "fiml", "pairwise"):
        raise NotAvailableError(
            "se='bootstrap' is available for ML with missing='listwise', 'fiml' or 'pairwise' (lavaan too refuses it "
            f"for MLR: 'use ML estimator for bootstrap'; for bootstrap SEs with the Yuan-Bentler test pass "
            f"estimator='ML', test='yuan.bentler.mplus'); got estimator={estimator!r}, missing={missing!r}."
        )
    if isinstance(bootstrap, (bool, np.bool_)) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 2:
        raise EgovsemError(
            f"The 'bootstrap' parameter must be an integer of at least 2 (the number of resamples). "
            f"Got {bootstrap!r} instead."
        )
    resolve_entropy(seed)
    ci = check_option("ci", ci, CI_TYPES, casefold=True)
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (float, int)) or not 0 < level < 1:
        raise EgovsemError(f"The 'level' parameter must be a number between 0 and 1. Got {level!r} instead.")
    return ci
