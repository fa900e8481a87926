"""Make the SIMULATED raw survey export of the egovsem example: ``raw_export.csv`` and ``careless_truth.csv``.

THE DATA ARE SIMULATED. No real person answered; the phone numbers are fake (prefix 100, which is not a
Chinese mobile prefix); every id starts with ``SIM-`` and every row says ``data_source = simulated``.

What the export looks like (one row per submission, as a survey platform writes it):

- metadata ``id`` (SIM-0001 ...), ``submitted`` (time stamp), ``duration`` (seconds), ``data_source``;
- every item of the study questionnaire (``egovsem.instruments.load_instrument()``) in questionnaire
  order, notes left out: consent, respondent type, region, channels, the 5-point scale items, the
  attention check ATT1, age group, education, phone (an identifier item).

How it is made (``numpy.random.SeedSequence(SEED)``, one child stream per step, so the file is the same on
every machine):

1. Continuous responses of N_ATTENTIVE respondents are drawn from the population model
   ``data/example/population.lav`` with ``egovsem.simulate_data`` (standardised indicators) and cut into
   5 categories at the fixed thresholds ``THRESHOLDS`` (a little more agreement than disagreement).
   Reverse-keyed items (TG4, PV4, PI4) are stored as respondents answered them: ``6 - category``.
   Attentive respondents answer ATT1 with 4, except ``ATT_SLIP`` of them who slip.
2. About 3% of the scale answers (attention check not included) are set to the missing code -99,
   completely at random.
3. Careless respondents (about 8%) are added in three kinds (``N_CARELESS``): ``straightliner`` (the same
   answer to every scale item, ATT1 included), ``speeder`` (answers near the scale middle, 0.6-1.8
   seconds per question) and ``random`` (uniform answers, ATT1 anything but 4).
4. Duplicate submissions: ``N_DUP_COPY`` rows re-sent with a new id a minute later (identical answers and
   duration), and ``N_DUP_SAME_ID`` rows exported twice under the same id.
5. Non-scale answers: respondent type, region, channels used, age group, education drawn from fixed
   shares; durations log-normal around 9 seconds per question for attentive respondents.
6. The survey design (a child stream of its own, drawn after everything above, so no other column
   changes): ``city``, the city (service hall) where the respondent was recruited, and ``weight``, the
   design weight. The survey is imagined as recruited in ``CITIES`` cities (``E01``-``E14`` in the east,
   ``C01``-``C09`` in the centre, ``W01``-``W07`` in the west, nested in the ``region`` answer), with
   about the same number of respondents in every city of a region. Each city has a profile of its own
   (``u_c``, one standard-normal value per construct) and a respondent joins a city of their region with
   probability proportional to ``exp(CITY_TILT * z_i . u_c - CITY_TILT**2 |u_c|**2 / 2)``, where ``z_i``
   are the respondent's standardised construct means (reverse-keyed items recoded, missing codes left
   out). This exponential tilting gives people in the same city similar answers (a random intercept per
   city and construct) WITHOUT changing any answer: the items keep the values of steps 1-5, so every
   result computed before these columns existed is unchanged. ``CITY_TILT`` = 0.38 gives intraclass
   correlations of the analysed items of about .05-.10 (``egovsem run --example`` reports them, ICC(1) of
   a two-level random-intercept model estimated by ML, checked against lavaan in
   ``tests/reference/make_reference_icc.R``). A duplicate submission keeps its original's city.
   ``weight`` = (internet users of the city) / (respondents recruited there), the city sizes drawn
   log-normal (median 800,000, log-sd 0.6): respondents of large cities stand for more people. The
   weights are the raw expansion weights (people per respondent, whole numbers of at most 6 digits, so no
   weight looks like a phone number to the privacy checks); egovsem normalises them to sum to the
   sample size as lavaan does.
7. The marker scale (constructs with ``marker: true``, MK1-MK3): drawn last from a ninth child stream
   and put at its questionnaire position, so that adding it left every other column as it was; attentive
   respondents answer from a marker factor unrelated to every substantive construct.

``careless_truth.csv`` lists every id with its planted type: attentive, straightliner, speeder, random,
duplicate (the second row of a duplicate pair; the same-id copies share the id of their original, so
the truth has one row per *row* of the export: column ``row``).

Run from the repository root: ``python data/example/make_raw_export.py``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import egovsem
from egovsem.instruments import load_instrument

HERE = Path(__file__).resolve().parent
SEED = 20261125
N_ATTENTIVE = 552
N_CARELESS = {"straightliner": 16, "speeder": 16, "random": 16}
N_DUP_COPY = 5
N_DUP_SAME_ID = 3
THRESHOLDS = (-1.6, -0.8, 0.2, 1.2)   # on the standardised continuous response
P_MISSING = 0.03
ATT_SLIP = 0.01
MARKER_LOADING = 0.75   # standardised loading of each marker item on its (unrelated) marker factor
MISSING_CODE = -99
#: the recruitment cities (clusters) by region code: 14 east, 9 central, 7 west
CITIES = {1: [f"E{k:02d}" for k in range(1, 15)], 2: [f"C{k:02d}" for k in range(1, 10)],
          3: [f"W{k:02d}" for k in range(1, 8)]}
CITY_TILT = 0.38
CITY_SIZE = (800_000, 0.6)   # median and log-sd of a city's internet users
SHARES = {
    "resp_type": ((1, 2, 3), (0.70, 0.22, 0.08)),
    "region": ((1, 2, 3), (0.45, 0.30, 0.25)),
    "ch_portal": ((1, 0), (0.80, 0.20)),
    "ch_wechat": ((1, 0), (0.75, 0.25)),
    "ch_app": ((1, 0), (0.55, 0.45)),
    "ch_hall": ((1, 0), (0.40, 0.60)),
    "age_group": ((1, 2, 3, 4, 5), (0.30, 0.30, 0.20, 0.13, 0.07)),
    "education": ((1, 2, 3, 4, 5), (0.08, 0.17, 0.25, 0.38, 0.12)),
}


def make(seed: int = SEED, population: Path = HERE / "population.lav",
         n_attentive: int = N_ATTENTIVE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw export and the truth table (both marked simulated).

    ``n_attentive`` (default ``N_ATTENTIVE``, which makes the committed export) sets the number of attentive
    respondents of step 1: a larger derived export for tests that need more rows per group (the careless and
    duplicate rows stay as many as in the committed file)."""
    inst = load_instrument()
    markers = inst.marker_constructs()
    marker_items = [i for v in markers.values() for i in v]
    # the marker scale is simulated in step 6 from its own stream; steps 1-5 see the items they saw before it
    # was added, so every other column is unchanged (durations too: they count the other questions)
    items = [it for it in inst.items if it.type != "note" and it.name not in marker_items]
    scale = [it.name for it in items if it.scale is not None]
    att = {it.name: it.expected for it in items if it.expected is not None}
    content = [i for i in scale if i not in att]
    reverse = [it.name for it in items if it.reverse]
    # spawn(9): the first seven children are those of spawn(7), which made the file before the design columns
    # (the eighth) and the marker scale (the ninth) existed
    s_lat, s_cut, s_miss, s_care, s_meta, s_dup, s_time, s_design, s_mark = np.random.SeedSequence(seed).spawn(9)

    # 1. attentive respondents from the population model
    model = Path(population).read_text(encoding="utf-8")
    latent = egovsem.simulate_data(model, n_attentive, seed=s_lat)
    absent = [i for i in content if i not in latent.columns]
    if absent:
        raise SystemExit(f"population.lav has no indicator for the items {absent}")
    answers = pd.DataFrame({i: 1 + np.searchsorted(THRESHOLDS, latent[i].to_numpy()) for i in content})
    for i in reverse:
        answers[i] = 6 - answers[i]
    rng = np.random.default_rng(s_cut)
    for i, expected in att.items():
        slip = rng.random(n_attentive) < ATT_SLIP
        answers[i] = np.where(slip, rng.choice([3, 5], n_attentive), expected)
    kinds = ["attentive"] * n_attentive

    # 2. missing completely at random (content items of attentive respondents)
    rng = np.random.default_rng(s_miss)
    block = answers[content].to_numpy()
    block[rng.random(block.shape) < P_MISSING] = MISSING_CODE
    answers[content] = block

    # 3. careless respondents
    rng = np.random.default_rng(s_care)
    rows = []
    for kind, n in N_CARELESS.items():
        for _ in range(n):
            if kind == "straightliner":
                row = dict.fromkeys(scale, int(rng.choice([3, 4, 5], p=[0.3, 0.4, 0.3])))
            elif kind == "speeder":
                row = {i: int(rng.choice([2, 3, 4], p=[0.2, 0.5, 0.3])) for i in scale}
                row.update({i: (e if rng.random() < 0.5 else int(rng.integers(1, 6))) for i, e in att.items()})
            else:
                row = {i: int(rng.integers(1, 6)) for i in scale}
                row.update({i: int(rng.choice([v for v in range(1, 6) if v != e])) for i, e in att.items()})
            rows.append(row)
            kinds.append(kind)
    answers = pd.concat([answers, pd.DataFrame(rows)], ignore_index=True)
    n = len(answers)

    # 5. non-scale answers, durations, submission times, phones
    rng = np.random.default_rng(s_meta)
    out = pd.DataFrame(index=range(n))
    for it in items:
        if it.name in SHARES:
            values, p = SHARES[it.name]
            out[it.name] = rng.choice(values, n, p=p)
        elif it.name == "consent":
            out[it.name] = 1
        elif it.scale is not None:
            out[it.name] = answers[it.name].to_numpy()
        elif it.identifier:
            out[it.name] = [f"100{x:08d}" for x in rng.choice(10**8, n, replace=False)]
        else:
            out[it.name] = ""
    out = out[[it.name for it in items]]
    marks = _marker_answers(markers, kinds, answers[scale[0]].to_numpy(), s_mark)
    order = [it.name for it in inst.items if it.type != "note"]
    out = pd.concat([out, marks], axis=1)[order]
    per_q = np.exp(rng.normal(np.log(9.0), 0.35, n))
    speed = np.array([k == "speeder" for k in kinds])
    per_q[speed] = rng.uniform(0.6, 1.8, speed.sum())
    out.insert(0, "duration", np.round(per_q * len(items)).astype(int))
    out["kind"] = kinds
    rng_t = np.random.default_rng(s_time)
    out = out.iloc[rng_t.permutation(n)].reset_index(drop=True)  # careless respondents come at any time
    start = pd.Timestamp("2026-03-02 08:00:00")
    out.insert(0, "submitted", start + pd.to_timedelta(np.sort(rng_t.uniform(0, 14 * 86400, n)), unit="s"))

    # 4. duplicates: copies of attentive rows, placed after their original
    rng = np.random.default_rng(s_dup)
    pool = out.index[out["kind"] == "attentive"].to_numpy()
    picks = rng.choice(pool, N_DUP_COPY + N_DUP_SAME_ID, replace=False)
    copies = out.loc[picks].copy()
    copies["kind"] = "duplicate"
    copies["same_id_of"] = [-1] * N_DUP_COPY + list(picks[N_DUP_COPY:])
    copies.loc[copies.index[:N_DUP_COPY], "submitted"] += pd.Timedelta(seconds=60)
    out["same_id_of"] = -1
    out = pd.concat([out, copies]).sort_values("submitted", kind="stable").reset_index(drop=False)
    ids, by_original = [], {}
    counter = 0
    for orig, same in zip(out["index"], out["same_id_of"]):
        if same >= 0:
            ids.append(by_original[same])
            continue
        counter += 1
        ids.append(f"SIM-{counter:04d}")
        by_original.setdefault(orig, ids[-1])
    out.insert(0, "id", ids)
    out["submitted"] = out["submitted"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out["data_source"] = "simulated"

    # 6. the survey design: recruitment city (cluster) and design weight
    out["city"], out["weight"] = _design(out, inst, reverse, missing=MISSING_CODE, seed=s_design)
    truth = pd.DataFrame({"row": np.arange(1, len(out) + 1), "id": out["id"], "careless_type": out["kind"],
                          "data_source": "simulated"})
    raw = out.drop(columns=["index", "kind", "same_id_of"])
    return raw, truth


def _design(out: pd.DataFrame, inst, reverse: list[str], *, missing: int,
            seed: np.random.SeedSequence) -> tuple[pd.Series, pd.Series]:
    """The recruitment city and the design weight of every row of ``out`` (step 6 of the module docstring)."""
    rng = np.random.default_rng(seed)
    constructs: dict[str, list[str]] = {}
    markers = set(inst.marker_constructs())  # the marker scale is unrelated to the city (and came later)
    for it in inst.items:
        if it.construct and it.expected is None and it.construct not in markers:
            constructs.setdefault(it.construct, []).append(it.name)
    z = np.column_stack([_construct_mean(out, its, reverse, missing) for its in constructs.values()])
    z = (z - np.nanmean(z, axis=0)) / np.nanstd(z, axis=0)
    z = np.nan_to_num(z)  # a construct with no answer: the population mean
    profile = {c: rng.standard_normal(len(constructs)) for cs in CITIES.values() for c in cs}
    size = {c: round(CITY_SIZE[0] * float(np.exp(CITY_SIZE[1] * rng.standard_normal())), -3) for c in profile}
    city = np.empty(len(out), dtype=object)
    first: dict[int, str] = {}
    for r, (orig, region) in enumerate(zip(out["index"], out["region"])):
        if orig in first:  # a duplicate submission: the original's city
            city[r] = first[orig]
            continue
        cs = CITIES[int(region)]
        u = np.array([profile[c] for c in cs])
        logit = CITY_TILT * (u @ z[r]) - CITY_TILT ** 2 * (u ** 2).sum(axis=1) / 2
        p = np.exp(logit - logit.max())
        city[r] = first[orig] = cs[int(rng.choice(len(cs), p=p / p.sum()))]
    n_c = pd.Series(city).value_counts()
    weight = np.array([size[c] / n_c[c] for c in city])
    return pd.Series(city, index=out.index), pd.Series(np.round(weight).astype(int), index=out.index)


def _construct_mean(out: pd.DataFrame, items: list[str], reverse: list[str], missing: int) -> np.ndarray:
    x = out[items].astype(float).where(out[items] != missing)
    for i in items:
        if i in reverse:
            x[i] = 6 - x[i]
    return x.mean(axis=1, skipna=True).to_numpy()
def _marker_answers(markers: dict, kinds: list, straight: np.ndarray, seed) -> pd.DataFrame:
    """6. The marker scale(s): attentive respondents answer from one marker factor per scale (loadings
    MARKER_LOADING), independent of every substantive construct, cut at ``THRESHOLDS``, with MCAR missing
    answers at ``P_MISSING``; straightliners repeat their straight answer, speeders answer near the middle,
    random responders uniformly (as in step 3)."""
    rng = np.random.default_rng(seed)
    n = len(kinds)
    kind = np.asarray(kinds)
    out = {}
    for _code, its in markers.items():
        z = rng.standard_normal(n)
        for i in its:
            y = MARKER_LOADING * z + np.sqrt(1 - MARKER_LOADING**2) * rng.standard_normal(n)
            a = 1 + np.searchsorted(THRESHOLDS, y)
            a = np.where(rng.random(n) < P_MISSING, MISSING_CODE, a)
            a = np.where(kind == "straightliner", straight, a)
            a = np.where(kind == "speeder", rng.choice([2, 3, 4], n, p=[0.2, 0.5, 0.3]), a)
            a = np.where(kind == "random", rng.integers(1, 6, n), a)
            out[i] = a.astype(int)
    return pd.DataFrame(out)


def main() -> None:
    raw, truth = make()
    raw.to_csv(HERE / "raw_export.csv", index=False, encoding="utf-8")
    truth.to_csv(HERE / "careless_truth.csv", index=False, encoding="utf-8")
    print(f"wrote {len(raw)} simulated rows to {HERE / 'raw_export.csv'}; "
          f"planted: {truth['careless_type'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
