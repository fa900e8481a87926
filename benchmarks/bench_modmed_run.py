"""Benchmark: the moderated mediation of `egovsem run --example` (issue 14; egovsem.study.modmed_run), the
seconds it adds to the run.

Data: the bundled SIMULATED example (data/example/raw_export.csv) cleaned as the run cleans it (545
respondents). Model: the example's ``moderated_mediation: {x: SG, m: PV, y: PI, w: TI, stage: second}``, the
product factor PVxTI of 4 double-mean-centred matched product indicators, FIML; the point fit and the
bootstrap (B = 1000, the example's seed, every resample refitted by FIML as one batched problem). Prints wall
and CPU seconds (this process and its finished worker processes; the machine is shared: CPU seconds are the
steadier figure) and the load
average before and after. lavaan's se = "bootstrap" of the same model and data (B = 1000, missing = "ml") is
timed by tests/reference/make_reference_modmed_run.R (it prints its seconds).

Run: ``python benchmarks/bench_modmed_run.py``.
"""
from __future__ import annotations

import os
import resource
import time
import warnings


def main() -> None:
    from egovsem.clean import clean
    from egovsem.instruments import load_instrument
    from egovsem.study.config import example_config
    from egovsem.study.modmed_run import run_moderated_mediation
    from egovsem.study.pipeline import RunResult, all_blocks

    cfg = example_config("unused")
    texts = {cfg.model_name(m): cfg.model_text(m) for m in cfg.models}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cl = clean(cfg.raw, load_instrument(), id=cfg.id, duration=cfg.duration, exclude=cfg.exclude,
                   invalid=cfg.invalid, weights=cfg.design_columns.get("weights"),
                   cluster=cfg.design_columns.get("cluster"))
    res = RunResult(config=cfg, clean=cl)
    load0 = os.getloadavg()[0]
    t, c, k = time.perf_counter(), time.process_time(), _children_cpu()
    run_moderated_mediation(res, cfg.moderated_mediation, all_blocks(texts), dict(estimator="ML", missing="fiml"),
                            _Say())
    wall, cpu, kids = time.perf_counter() - t, time.process_time() - c, _children_cpu() - k
    rec = res.modmed
    assert rec is not None
    print(f"moderated mediation on the example (N = {rec['nobs']}, FIML, B = {rec['bootstrap']['draws']}): wall "
          f"{wall:.1f} s (point fit {rec['seconds_fit']:.1f} s, bootstrap {rec['bootstrap']['seconds']:.1f} s), "
          f"CPU {cpu:.1f} s in this process + {kids:.1f} s in worker processes; load average {load0:.2f} -> "
          f"{os.getloadavg()[0]:.2f}")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class _Say:
    def info(self, msg: str) -> None:
        print(msg)


if __name__ == "__main__":
    main()
