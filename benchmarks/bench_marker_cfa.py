"""Benchmark: the CFA marker technique (issue 14) on the example, as `egovsem run --example` runs it.

Data: the bundled SIMULATED example (data/example/raw_export.csv) cleaned as the run cleans it (545
respondents); the 12 constructs of the three bundled models and the marker scale MK (MK1-MK3); FIML. Times
``egovsem.measure.marker_cfa`` (CFA, Baseline, Method-C, Method-U, Method-R with every fit measure and the
standard errors): wall and CPU seconds of this process (the machine is shared: CPU seconds are the steadier
figure), the iterations of each model, and the Baseline vs Method-C test. To time an older checkout, put its
``analysis`` folder first: ``PYTHONPATH=/path/to/checkout/analysis python benchmarks/bench_marker_cfa.py``.

Run: ``python benchmarks/bench_marker_cfa.py``.
"""
from __future__ import annotations

import os
import time
import warnings


def main() -> None:
    from egovsem.clean import clean
    from egovsem.instruments import load_instrument
    from egovsem.instruments.draft import model_blocks
    from egovsem.measure import marker_cfa
    from egovsem.study.config import example_config

    cfg = example_config("unused")
    inst = load_instrument()  # the bundled study questionnaire (the example's)
    blocks = model_blocks([cfg.model_text(m) for m in cfg.models])
    data = clean(cfg.raw, inst, id=cfg.id, duration=cfg.duration, exclude=cfg.exclude, invalid=cfg.invalid).data
    markers = inst.marker_constructs()
    load0 = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = marker_cfa(data, blocks, markers, missing="fiml")
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    bc = res.tests.set_index("comparison").loc["baseline_vs_method_c"]
    print(f"marker_cfa on the example (N = {len(data)}, {len(blocks)} constructs + MK, FIML): wall {wall:.1f} s, "
          f"CPU {cpu:.1f} s; load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")
    print("iterations:", {k: int(m.iterations) for k, m in res.models.items()})
    print(f"Baseline vs Method-C: delta chisq = {bc['chisq_diff']:.6f} on {int(bc['df_diff'])} df")


if __name__ == "__main__":
    main()
