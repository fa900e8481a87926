"""From statements to a lavaan-style parameter table, with the defaults of lavaan's ``sem()``/``cfa()``.

The table has one row per model parameter (columns ``lhs op rhs user group free ustart label exo``):
``free`` is 0 for a fixed parameter and k >= 1 for the k-th free parameter; rows with the same label share
one ``free`` number (an equality constraint). Defaults added, as lavaan's ``auto.*`` options do:

* the first loading of each factor fixed to 1 (or, with ``std_lv=True``, every latent variance fixed to 1);
* residual variances of observed and latent variables; the indicator (observed or latent) of a
  single-indicator latent variable gets its residual variance fixed to 0 (lavaan's ``auto.fix.single``,
  which latent change-score models rely on);
* a composite ``f <~ x1 + x2`` (lavaan 0.6-14): every weight free unless written fixed (no marker is fixed
  automatically: write ``f <~ 1*x1 + x2`` to set its scale), its residual variance fixed to 0 (to 1 with
  ``std_lv``), the indicators exogenous covariates (fixed.x) and the composite an exogenous latent variable
  (covariances with the other exogenous latent variables free);
* ``y ~ x1:x2``: the product of two observed variables of the model, an observed covariate named ``x1:x2``
  (built from the data by :func:`add_product_columns`), exogenous when both ``x1`` and ``x2`` are;
* covariances among exogenous latent variables, and among the residuals of endogenous variables that are
  not regressed on one another (lavaan's ``auto.cov.y``);
* with ``fixed_x`` the variances, covariances (and means) of exogenous observed covariates, fixed to their
  sample values at estimation time and not counted as parameters;
* with a mean structure, free intercepts of observed variables and latent means fixed to 0.

>>> pt = build_partable("f =~ x1 + x2 + x3")
>>> print(pt[["lhs", "op", "rhs", "free", "ustart"]].to_string(index=False))
lhs op rhs  free  ustart
  f =~  x1     0     1.0
  f =~  x2     1     NaN
  f =~  x3     2     NaN
 x1 ~~  x1     3     NaN
 x2 ~~  x2     4     NaN
 x3 ~~  x3     5     NaN
  f ~~   f     6     NaN
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import EgovsemError, ModelSyntaxError, NotAvailableError
from .syntax import Statement, parse_syntax

__all__ = ["ModelSpec", "build_partable", "specify", "check_data_names", "add_product_columns", "parse_group_partial"]


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model: its parameter table, variable roles, and defined parameters."""

    partable: pd.DataFrame
    ov: tuple[str, ...]  # observed variables, in model order
    lv: tuple[str, ...]  # latent variables
    ov_x: tuple[str, ...]  # exogenous observed covariates (fixed.x)
    lv_x: tuple[str, ...]  # exogenous latent variables
    endogenous: tuple[str, ...]  # variables with a regression or indicator equation
    defined: tuple[tuple[str, str, int], ...]  # (name, expression, line) of := statements
    meanstructure: bool
    fixed_x: bool
    std_lv: bool
    exo_x: tuple[str, ...] = ()  # lavaan's ov.x whatever fixed_x (the baseline model keeps their covariances)
    # explicit constraints (lhs, op, rhs, line, text) of '==', '<', '>' statements (egovsem.sem.constraints)
    constraints: tuple[tuple[str, str, str, int, str], ...] = ()
    products: tuple[tuple[str, str, str], ...] = ()  # (name 'a:b', a, b) of observed products y ~ a:b
    composites: tuple[str, ...] = ()  # latent variables defined by <~

    @property
    def npar(self) -> int:
        """Number of distinct free parameters (equality-constrained rows counted once)."""
        f = self.partable["free"]
        return int(f.max()) if (f > 0).any() else 0


def _uniq(seq):
    seen, out = set(), []
    for s in seq:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def specify(
    model: str | list[Statement],
    *,
    std_lv: bool = False,
    meanstructure: bool | None = None,
    fixed_x: bool = True,
    auto_cov_y: bool = True,
    auto_fix_first: bool | None = None,
    ngroups: int = 1,
    group_equal: tuple[str, ...] | list[str] = (),
    constraints: str | None = None,
    per_group_ok: bool = False,
    group_partial: tuple[str, ...] | list[str] = (),
    orthogonal: bool = False,
    auto_var: bool = True,
    auto_fix_single: bool = True,
    auto_cov_lv_x: bool = True,
    int_ov_free: bool = True,
    int_lv_free: bool = False,
) -> ModelSpec:
    """Parse ``model`` and build the parameter table with lavaan's defaults (see the module doc).

    With ``ngroups > 1`` every row is repeated for each group (a mean structure is added, as lavaan does);
    a label written in the syntax is shared by all groups (an equality constraint across groups), and
    ``group_equal`` (lavaan's ``group.equal``: loadings, intercepts, means, residuals,
    residual.covariances, lv.variances, lv.covariances, regressions) constrains those rows equal across
    groups. With equal intercepts the latent means of groups 2..G are freed. ``group_partial`` (lavaan's
    ``group.partial``, e.g. ``["f =~ x2", "x3 ~ 1"]``) frees the listed parameters from those constraints.
    ``constraints`` is lavaan's ``constraints =`` argument: more ``==``, ``<``, ``>`` statements
    (:mod:`egovsem.sem.constraints`). ``c(...)`` modifiers give one value per group; ``per_group_ok`` accepts
    them in a one-group table (the preliminary specification of a model whose groups are not known yet).

    The remaining switches are lavaan's (defaults of ``sem()``/``cfa()``; ``lavaan()`` has them off):
    ``orthogonal`` fixes the covariances that are added among latent variables to 0; ``auto_var`` frees the
    (residual) variances that are not written (off: they are fixed to 0); ``auto_fix_first`` (None: not
    ``std_lv``) fixes the first loading of each factor to 1; ``auto_fix_single`` fixes the residual variance
    of a single indicator to 0; ``auto_cov_lv_x`` adds free covariances among exogenous latent variables;
    ``auto_cov_y`` among the residuals of pure dependent variables; ``int_ov_free`` / ``int_lv_free`` free
    the intercepts of observed / the means of latent variables (off: fixed to 0) with a mean structure.
    """
    if ngroups > 1 and meanstructure is None:
        meanstructure = True
    if isinstance(model, str):
        stmts = parse_syntax(model, formative=True)
    elif isinstance(model, (list, tuple)) and all(isinstance(s, Statement) for s in model):
        stmts = list(model)
    else:
        raise ModelSyntaxError(f"The 'model' parameter must be a string of lavaan syntax. Got "
                               f"{type(model).__name__} ({model!r:.40}) instead.")
    meas = [s for s in stmts if s.op == "=~"]
    forms = [s for s in stmts if s.op == "<~"]
    regs = [s for s in stmts if s.op == "~"]
    covs = [s for s in stmts if s.op == "~~"]
    ints = [s for s in stmts if s.op == "~1"]
    defined = tuple((s.lhs, s.rhs, s.line) for s in stmts if s.op == ":=")
    if constraints is not None and str(constraints).strip():
        from .constraints import constraint_statements

        stmts = stmts + constraint_statements(str(constraints))
    explicit = tuple((s.lhs, s.op, s.rhs, s.line, s.text) for s in stmts if s.op in ("==", "<", ">"))
    for s in stmts:
        if s.mod.groups and ngroups == 1 and per_group_ok:
            continue
        if s.mod.groups and ngroups == 1:
            raise NotAvailableError(
                f"model syntax, line {s.line}: per-group modifiers c(...) need a multi-group model "
                f"(pass group=): {s.text!r}"
            )
        if s.mod.groups and len(s.mod.groups) != ngroups:
            raise ModelSyntaxError(
                f"model syntax, line {s.line}: the modifier c(...) has {len(s.mod.groups)} values but the model "
                f"has {ngroups} groups: {s.text!r}"
            )

    lv = _uniq(s.lhs for s in stmts if s.op in ("=~", "<~"))
    lvset = set(lv)
    composites = _uniq(s.lhs for s in forms)
    both = [f for f in composites if any(s.lhs == f for s in meas)]
    if both:
        s0 = next(s for s in forms if s.lhs == both[0])
        raise ModelSyntaxError(f"model syntax, line {s0.line}: {both[0]!r} is defined both with '=~' (a factor) "
                               f"and with '<~' (a composite); use one of them: {s0.text!r}")
    indicators = _uniq(s.rhs for s in meas)
    names_all = _uniq(
        [s.rhs for s in meas]
        + [s.rhs for s in forms]
        + [n for s in regs for n in (s.lhs, s.rhs)]
        + [n for s in covs for n in (s.lhs, s.rhs)]
        + [s.lhs for s in ints]
    )
    ov = [n for n in names_all if n not in lvset]
    # lavaan's ov order: indicators first, then the other observed variables (y's, then x's)
    ov = [n for n in indicators if n not in lvset] + [n for n in ov if n not in set(indicators)]
    products = _products(ov, lvset, regs)
    y_names = set(s.lhs for s in regs)
    x_names = set(s.rhs for s in regs) | set(s.rhs for s in forms)
    ind_set = set(indicators)
    # lavaan's ov.x: observed predictors that are no outcome and no indicator, whatever fixed_x
    exo_x = [n for n in ov if n in x_names and n not in y_names and n not in ind_set]
    # a covariate that the user gives a variance/covariance with a non-x variable is not treated as fixed.x
    exo_set = set(exo_x)
    for s in covs:
        pair = {s.lhs, s.rhs}
        if pair & exo_set and not pair <= exo_set:
            exo_set -= pair
    # lavaan: a product is an exogenous covariate only when both of its variables are
    exo_set -= {name for name, a, b in products if not {a, b} <= exo_set}
    exo_x = [n for n in exo_x if n in exo_set]
    ov_x = exo_x if fixed_x else []
    ovx_set = set(ov_x)
    endo = set(y_names) | (ind_set)
    lv_x = [f for f in lv if f not in endo]
    if meanstructure is None:
        meanstructure = bool(ints)
    if auto_fix_first is None:
        auto_fix_first = not std_lv

    rows: list[dict] = []

    def add(lhs, op, rhs, *, user, free=True, ustart=np.nan, label="", exo=0, start=np.nan, line=0):
        rows.append(
            dict(lhs=lhs, op=op, rhs=rhs, user=user, free=free, ustart=ustart, label=label or "",
                 exo=exo, start=start, line=line)
        )

    def from_stmt(s: Statement, op=None, rhs=None):
        m = s.mod
        fixed = m.fixed is not None
        add(s.lhs, op or s.op, s.rhs if rhs is None else rhs, user=1, free=not fixed,
            ustart=m.fixed if fixed else (m.start if m.start is not None else np.nan),
            label=m.label or "", line=s.line)
        rows[-1]["_na"] = m.free
        if m.groups:
            rows[-1]["_gmods"] = m.groups

    seen_keys: set[tuple] = set()

    def key(lhs, op, rhs):
        if op == "~~":
            return (op,) + tuple(sorted((lhs, rhs)))
        return (lhs, op, rhs)

    for s in stmts:
        if s.op in ("=~", "<~", "~", "~~", "~1"):
            k = key(s.lhs, s.op, s.rhs)
            if k in seen_keys:
                raise ModelSyntaxError(
                    f"model syntax, line {s.line}: the parameter {s.lhs} {s.op} {s.rhs} is specified twice: {s.text!r}"
                )
            seen_keys.add(k)
            if s.op == "~~" and (s.lhs in ovx_set) and (s.rhs in ovx_set):
                # user wrote an x-variance; lavaan keeps it as the fixed.x row
                continue
            from_stmt(s)

    # first loading fixed to 1
    if auto_fix_first:
        done = set()
        for r in rows:
            if r["op"] == "=~" and r["lhs"] not in done:
                done.add(r["lhs"])
                if r["free"] and not r.get("_na") and np.isnan(r["start"]) and np.isnan(r["ustart"]):
                    r["free"] = False
                    r["ustart"] = 1.0
                elif r["free"] and not r.get("_na") and not np.isnan(r["ustart"]):
                    # start() value given on the marker: lavaan still fixes it to 1
                    r["free"] = False
                    r["ustart"] = 1.0
    # residual variances of observed, then latent variables; lavaan's auto.fix.single: the indicator of a
    # single-indicator factor gets a residual variance fixed to 0
    n_ind: dict[str, list[str]] = {}
    for s_ in meas:
        n_ind.setdefault(s_.lhs, []).append(s_.rhs)
    single = {inds[0] for inds in n_ind.values() if len(inds) == 1}
    # lavaan with fixed.x = FALSE: a covariate's variance is a free parameter placed with the covariances among
    # the covariates, after the latent variances (checked against lavaan 0.6-14's parTable)
    late_var = set() if fixed_x or not auto_var else set(exo_x) - single
    for v in ov:
        if v in ovx_set or v in late_var:
            continue
        if key(v, "~~", v) not in seen_keys:
            if (v in single and auto_fix_single) or not auto_var:
                add(v, "~~", v, user=0, free=False, ustart=0.0)
            else:
                add(v, "~~", v, user=0)
            seen_keys.add(key(v, "~~", v))
    comp_set = set(composites)
    for f in lv:
        if key(f, "~~", f) not in seen_keys and (f in single or f in comp_set):
            # a latent single indicator, or a composite: residual variance 0 (a composite: 1 with std.lv,
            # as lavaan 0.6-14)
            add(f, "~~", f, user=0, free=False, ustart=1.0 if (std_lv and f in comp_set) else 0.0)
            seen_keys.add(key(f, "~~", f))
        elif key(f, "~~", f) not in seen_keys:
            if std_lv:
                add(f, "~~", f, user=0, free=False, ustart=1.0)
            elif auto_var:
                add(f, "~~", f, user=0)
            else:
                add(f, "~~", f, user=0, free=False, ustart=0.0)
            seen_keys.add(key(f, "~~", f))
        elif std_lv:
            for r in rows:
                if r["lhs"] == f and r["op"] == "~~" and r["rhs"] == f and r["free"] and not r.get("_na"):
                    r["free"], r["ustart"] = False, 1.0
    # covariances among exogenous latent variables (lavaan's auto.cov.lv.x; orthogonal: fixed to 0)
    for i, a in enumerate(lv_x if auto_cov_lv_x else []):
        for b in lv_x[i + 1:]:
            if key(a, "~~", b) not in seen_keys:
                if orthogonal:
                    add(a, "~~", b, user=0, free=False, ustart=0.0)
                else:
                    add(a, "~~", b, user=0)
                seen_keys.add(key(a, "~~", b))
    # auto.cov.y: residual covariances among endogenous variables that are not regressed on each other
    if auto_cov_y:
        # lavaan: every pair of "pure" dependent variables (on the left of ~, never on the right, and not an
        # indicator), latent ones first (checked against lavaan 0.6-14's parTable)
        pure = [f for f in lv if f in y_names and f not in x_names and f not in ind_set]
        pure += [v for v in ov if v in y_names and v not in x_names and v not in ind_set]
        for i, a in enumerate(pure):
            for b in pure[i + 1:]:
                if key(a, "~~", b) not in seen_keys:
                    if orthogonal and a in lvset and b in lvset:
                        # lavaan's orthogonal also fixes the residual covariances of latent outcomes to 0
                        add(a, "~~", b, user=0, free=False, ustart=0.0)
                    else:
                        add(a, "~~", b, user=0)
                    seen_keys.add(key(a, "~~", b))
    # fixed.x: variances and covariances of observed exogenous covariates
    for i, a in enumerate(ov_x):
        for b in ov_x[i:]:
            add(a, "~~", b, user=0, free=False, exo=1)
            seen_keys.add(key(a, "~~", b))
    if not fixed_x:
        # lavaan with fixed.x = FALSE: the covariances among the covariates are free parameters
        for i, a in enumerate(exo_x):
            for b in exo_x[i if a in late_var else i + 1:]:
                if key(a, "~~", b) not in seen_keys:
                    add(a, "~~", b, user=0)
                    seen_keys.add(key(a, "~~", b))
    if meanstructure:
        have = {r["lhs"] for r in rows if r["op"] == "~1"}
        for v in ov:
            if v not in have:
                if v in ovx_set:
                    add(v, "~1", "", user=0, free=False, exo=1)
                elif int_ov_free:
                    add(v, "~1", "", user=0)
                else:
                    add(v, "~1", "", user=0, free=False, ustart=0.0)
        for f in lv:
            if f not in have:
                if int_lv_free:
                    add(f, "~1", "", user=0)
                else:
                    add(f, "~1", "", user=0, free=False, ustart=0.0)

    pt = pd.DataFrame(rows)
    if "_na" in pt:
        pt = pt.drop(columns="_na")
    pt["group"] = 1
    partial = _partial_keys(pt, parse_group_partial(group_partial), set(ov) | lvset)
    if ngroups > 1:
        pt = _replicate_groups(pt, ngroups, tuple(group_equal), set(ov), lvset, partial)
    if "_gmods" in pt:
        pt = pt.drop(columns="_gmods")
    pt.insert(0, "id", np.arange(1, len(pt) + 1))
    # labels: a label on a fixed row fixes every row that shares it
    fixed_labels = {r.label: r.ustart for r in pt.itertuples() if r.label and not r.free}
    for i in pt.index:
        lab = pt.at[i, "label"]
        if lab and lab in fixed_labels and pt.at[i, "free"]:
            pt.at[i, "free"] = False
            pt.at[i, "ustart"] = fixed_labels[lab]
    free_idx = np.zeros(len(pt), dtype=int)
    lab_to_idx: dict[str, int] = {}
    k = 0
    eqs = pt["_eq"].tolist() if "_eq" in pt else [""] * len(pt)
    for i, r in enumerate(pt.itertuples()):
        if not r.free:
            continue
        if r.label and r.label in lab_to_idx:
            free_idx[i] = lab_to_idx[r.label]
            continue
        eq = eqs[i]
        if eq and eq in lab_to_idx:
            free_idx[i] = lab_to_idx[eq]
            continue
        if eq:
            lab_to_idx[eq] = k + 1
        k += 1
        free_idx[i] = k
        if r.label:
            lab_to_idx[r.label] = k
    pt["free"] = free_idx
    pt["plabel"] = [f".p{i}." for i in pt["id"]]
    if "_eq" in pt:
        # group.equal rows show the plabel of the group-1 row they equal, as lavaan's parameterEstimates
        first: dict[str, str] = {}
        for i in pt.index:
            eq = str(pt.at[i, "_eq"] or "")
            if eq:
                first.setdefault(eq, str(pt.at[i, "plabel"]))
                pt.at[i, "label"] = first[eq]
    cols = ["id", "lhs", "op", "rhs", "user", "group", "free", "ustart", "start", "exo", "label", "plabel", "line"]

    pt = pt[cols]
    # defined parameter names must not clash with variables, parameter labels or each other
    label_line: dict[str, int] = {}
    for s in stmts:
        if s.op in ("=~", "~", "~~", "~1") and s.mod.label:
            label_line.setdefault(s.mod.label, s.line)
    defined_line: dict[str, int] = {}
    for name, _expr, line in defined:
        if name in set(ov) | lvset:
            raise ModelSyntaxError(
                f"model syntax, line {line}: the defined parameter {name!r} has the name of a model variable"
            )
        if name in label_line:
            raise ModelSyntaxError(
                f"model syntax, line {line}: the defined parameter {name!r} has the name of the parameter label "
                f"{name!r} of line {label_line[name]}; a ':=' defines a new name, it cannot redefine a label "
                "(use '==' for a constraint, or choose another name)"
            )
        if name in defined_line:
            raise ModelSyntaxError(
                f"model syntax, line {line}: the defined parameter {name!r} is already defined on line "
                f"{defined_line[name]}"
            )
        defined_line[name] = line
    return ModelSpec(
        partable=pt,
        ov=tuple(ov),
        lv=tuple(lv),
        ov_x=tuple(ov_x),
        lv_x=tuple(lv_x),
        endogenous=tuple(v for v in list(ov) + list(lv) if v in endo),
        defined=defined,
        meanstructure=bool(meanstructure),
        fixed_x=fixed_x,
        std_lv=std_lv,
        exo_x=tuple(exo_x),
        constraints=explicit,
        products=tuple(products),
        composites=tuple(composites),
    )


def _products(ov: list[str], lvset: set[str], regs: list[Statement]) -> list[tuple[str, str, str]]:
    """The products ``a:b`` on the right of ``~``, checked as lavaan does: both observed variables of the
    model (named elsewhere on their own), no latent variable, no variable with itself."""
    plain = {v for v in ov if ":" not in v}
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for s in regs:
        if ":" not in s.rhs or s.rhs in seen:
            continue
        a, b = s.rhs.split(":")
        lat = [v for v in (a, b) if v in lvset]
        if lat:
            raise ModelSyntaxError(
                f"model syntax, line {s.line}: the product {s.rhs!r} involves the latent variable "
                f"{lat[0]!r}; ':' multiplies observed variables only (as in lavaan). For a latent interaction "
                "build product indicators with egovsem.sem.products.ind_prod (semTools' indProd) and define "
                f"the interaction factor with '=~': {s.text!r}"
            )
        if a == b:
            raise ModelSyntaxError(
                f"model syntax, line {s.line}: the product {s.rhs!r} multiplies {a!r} with itself, which "
                f"lavaan refuses too; compute the square as a column of the data: {s.text!r}"
            )
        absent = [v for v in (a, b) if v not in plain]
        if absent:
            raise ModelSyntaxError(
                f"model syntax, line {s.line}: the product {s.rhs!r} needs the variable {absent[0]!r} in the "
                f"model on its own as well (lavaan builds a product only from variables of the model; add "
                f"{absent[0]!r} as a predictor, or compute the product as a column of the data): {s.text!r}"
            )
        seen.add(s.rhs)
        out.append((s.rhs, a, b))
    return out


def add_product_columns(spec: ModelSpec, data: pd.DataFrame) -> pd.DataFrame:
    """Add the model's observed products ``a:b`` to ``data`` as lavaan does: the product of the columns as
    they are (no centring), unless ``data`` already has a column of that name. Returns ``data`` itself
    when the model has no products, a copy otherwise.

    >>> spec = specify("y ~ a + b + a:b")
    >>> add_product_columns(spec, pd.DataFrame({"y": [1.0, 2.0], "a": [2.0, 3.0], "b": [5.0, -1.0]}))["a:b"].tolist()
    [10.0, -3.0]
    """
    if not spec.products or not isinstance(data, pd.DataFrame):
        return data
    todo = [(n, a, b) for n, a, b in spec.products if n not in data.columns]
    if not todo:
        return data
    from .data import numeric_column

    out = data.copy()
    for name, a, b in todo:
        absent = [v for v in (a, b) if v not in data.columns]
        if absent:
            from .._errors import DataError

            raise DataError(f"The product {name!r} of the model needs the column {absent[0]!r}, which is not a "
                            "column of 'data'.")
        out[name] = numeric_column(data, a) * numeric_column(data, b)
    return out


GROUP_EQUAL = ("loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
               "lv.covariances", "regressions")


def _row_kind(lhs: str, op: str, rhs: str, ov: set, lv: set) -> str:
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if op == "~~":
        latent = lhs in lv
        if lhs == rhs:
            return "lv.variances" if latent else "residuals"
        return "lv.covariances" if latent else "residual.covariances"
    return ""


def _param_key(lhs: str, op: str, rhs: str) -> tuple[str, ...]:
    if op == "~~":
        return (op,) + tuple(sorted((lhs, rhs)))
    return (lhs, op, rhs)


_PARTIAL_RE = re.compile(r"^([^\s=~|]+)(=~|~~|~|\|)([^\s=~|]+)$")


def parse_group_partial(group_partial) -> tuple[str, ...]:
    """Check lavaan's ``group.partial`` strings and write them one way: ``"f =~ x2"``, ``"x3 ~ 1"``.

    A string may hold several, separated by commas. Each names one parameter ``lhs op rhs`` with
    ``op`` one of ``=~ ~ ~~``, or an intercept ``x ~ 1``.

    >>> parse_group_partial(["visual=~x2", " x3 ~ 1 "])
    ('visual =~ x2', 'x3 ~ 1')
    >>> parse_group_partial("f ~ ")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    egovsem._errors.EgovsemError: The 'group_partial' parameter: 'f ~ ' is not a parameter ...
    """
    if group_partial is None:
        return ()
    if isinstance(group_partial, str):
        items = [g for g in group_partial.split(",") if g.strip()]
    elif isinstance(group_partial, (list, tuple)):
        items = list(group_partial)
    else:
        raise EgovsemError(f"The 'group_partial' parameter must be a list of parameters such as ['f =~ x2', "
                           f"'x3 ~ 1']. Got {group_partial!r} instead.")
    out = []
    for item in items:
        if not isinstance(item, str):
            raise EgovsemError(f"The 'group_partial' parameter must hold strings such as 'f =~ x2'. Got {item!r} "
                               "instead.")
        m = _PARTIAL_RE.match(re.sub(r"\s+", "", item))
        if m is None:
            raise EgovsemError(f"The 'group_partial' parameter: {item!r} is not a parameter written 'lhs op rhs' "
                               "(e.g. 'f =~ x2', 'y ~ x', 'x1 ~~ x2' or the intercept 'x3 ~ 1').")
        lhs, op, rhs = m.groups()
        out.append(f"{lhs} ~ 1" if (op == "~" and rhs == "1") else f"{lhs} {op} {rhs}")
    return tuple(out)


def _partial_keys(pt: pd.DataFrame, partial: tuple[str, ...], names: set[str]) -> set[tuple[str, ...]]:
    """The parameter keys of ``group_partial``; a parameter that is not in the table is refused (an
    intercept ``x ~ 1`` of a model variable is accepted: a multi-group model has a mean structure)."""
    if not partial:
        return set()
    have = {_param_key(a, b, c): f"{a} {b} {c}".strip() if b != "~1" else f"{a} ~ 1"
            for a, b, c in zip(pt["lhs"], pt["op"], pt["rhs"])}
    have.update({_param_key(v, "~1", ""): f"{v} ~ 1" for v in sorted(names)})
    keys = set()
    for item in partial:
        lhs, op, rhs = item.split(" ")
        k = _param_key(lhs, "~1", "") if (op == "~" and rhs == "1") else _param_key(lhs, op, rhs)
        if k not in have:
            close = difflib.get_close_matches(item, list(have.values()), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise EgovsemError(f"The 'group_partial' parameter: {item!r} is not a parameter of the model{hint}.")
        keys.add(k)
    return keys


def _replicate_groups(pt: pd.DataFrame, G: int, group_equal: tuple, ov: set, lv: set,
                      partial: set | frozenset = frozenset()) -> pd.DataFrame:
    from .._errors import check_option

    for ge in group_equal:
        check_option("group_equal", ge, GROUP_EQUAL)
    parts = []
    for g in range(1, G + 1):
        part = pt.copy()
        part["group"] = g
        if "_gmods" in part:
            _apply_group_modifiers(part, g)
        kinds = [_row_kind(a, b, c, ov, lv) for a, b, c in zip(part["lhs"], part["op"], part["rhs"])]
        # group_partial: those parameters are left out of the group.equal constraints (lavaan's group.partial)
        part["_eq"] = [f"{a}{b}{c}" if (k in group_equal and f and _param_key(a, b, c) not in partial) else ""
                       for a, b, c, k, f in zip(part["lhs"], part["op"], part["rhs"], kinds, part["free"])]
        if g > 1 and "intercepts" in group_equal and "means" not in group_equal:
            # lavaan frees the latent means of the other groups when the intercepts are equal
            free_mean = (part["op"] == "~1") & part["lhs"].isin(lv) & (part["user"] == 0)
            part.loc[free_mean, "free"] = True
            part.loc[free_mean, "ustart"] = np.nan
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out


def _apply_group_modifiers(part: pd.DataFrame, g: int) -> None:
    """Rows written with ``c(...)*x``: group ``g`` takes the ``g``-th value (a label, a fixed value, ``NA`` or a
    start value), as lavaan's per-group modifiers."""
    for i in part.index:
        gm = part.at[i, "_gmods"]
        if not isinstance(gm, tuple) or not gm:
            continue
        m = gm[g - 1]
        if m.fixed is not None:
            part.at[i, "free"], part.at[i, "ustart"] = False, m.fixed
        elif m.free:
            part.at[i, "free"], part.at[i, "ustart"] = True, np.nan
        elif m.start is not None and part.at[i, "free"]:
            part.at[i, "ustart"] = m.start
        if m.label:
            part.at[i, "label"] = m.label


def check_data_names(spec: ModelSpec, columns) -> None:
    """Refuse latent variables named like a column of the data (lavaan: "some latent variable names
    collide with observed variable names"): the column would be silently ignored.

    >>> check_data_names(specify("f =~ x1 + x2 + x3"), ["x1", "x2", "x3", "f"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    egovsem._errors.ModelSyntaxError: model syntax, line 1: the latent variable 'f' has the name of a column of ...
    """
    cols = {str(c) for c in columns}
    clash = [f for f in spec.lv if f in cols]
    if clash:
        pt = spec.partable
        line = int(pt.loc[(pt["op"] == "=~") & (pt["lhs"] == clash[0]), "line"].min())
        names = ", ".join(repr(f) for f in clash)
        raise ModelSyntaxError(
            f"model syntax, line {line}: the latent variable{'s' if len(clash) > 1 else ''} {names} "
            f"{'have' if len(clash) > 1 else 'has'} the name of a column of the data; rename the latent "
            "variable (lavaan: some latent variable names collide with observed variable names)"
        )


def build_partable(model: str, **kwargs) -> pd.DataFrame:
    """Return only the parameter table of :func:`specify`."""
    return specify(model, **kwargs).partable
