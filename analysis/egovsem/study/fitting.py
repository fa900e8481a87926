"""The run's fits: a model fitted, or a fit bootstrapped, with the engine's warnings collected (each a one-line
message, for the run's notes and results.json) instead of printed; a fit that does not converge stops the run,
naming the model and what to try (its results would be used by every later step)."""
from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

__all__ = ["fit_collecting", "bootstrap_collecting", "BackgroundBootstraps"]


def _messages(caught) -> list[str]:
    return list(dict.fromkeys(str(w.message) for w in caught))


def fit_collecting(model: str, data: pd.DataFrame, *, title: str, **kw: Any):
    """``egovsem.sem(model, data, **kw)`` and its warnings; stops (``require_converged``) naming ``title``."""
    from ..sem import sem
    from ..sem.checks import require_converged

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sem(model, data, **kw)
    require_converged(fit, "egovsem run", title=title)
    return fit, _messages(caught)


def bootstrap_collecting(fit, B: int, seed: int, *, progress: bool | None = None):
    """The percentile bootstrap of a fitted model (the same numbers as ``sem(..., se="bootstrap")``, which fits
    the model again first) and its warnings."""
    from ..sem.bootstrap import bootstrap

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boot = bootstrap(fit, B, seed=seed, ci="perc", progress=progress)
    return boot, _messages(caught)


def _bootstrap_worker(conn, fits: dict, B: int, seed: int) -> None:
    """The background process of :class:`BackgroundBootstraps`: bootstrap each fit (inherited by the fork, not
    pickled), send ``(name, boot, messages, seconds)`` or ``(name, None, error, 0)`` per fit, then close."""
    import time

    try:
        for name, fit in fits.items():
            t = time.perf_counter()
            try:
                boot, msgs = bootstrap_collecting(fit, B, seed, progress=False)
            except Exception as exc:  # re-raised in the run's process (BackgroundBootstraps.result)
                conn.send((name, None, exc, 0.0))
                continue
            conn.send((name, boot, msgs, time.perf_counter() - t))
    finally:
        conn.close()


class BackgroundBootstraps:
    """The run's bootstraps of its fitted models, started in a forked process as soon as the fits exist, so
    that they run on the idle core while the run's process fits the measurement model; collected with
    :meth:`result` (in the order of ``fits``).

    The resamples, seeds and refits are those of :func:`bootstrap_collecting` in the run's process: the
    numbers depend on the fit, ``B`` and ``seed`` only (:func:`egovsem.parallel.run_chunks` gives the same
    numbers for any number of workers). Where the platform cannot fork, or the background process dies,
    :meth:`result` bootstraps the fit in the run's process instead.
    """

    def __init__(self, fits: dict, B: int, seed: int) -> None:
        import multiprocessing as mp

        self.fits, self.B, self.seed = dict(fits), B, seed
        self._got: dict[str, tuple] = {}
        self._proc = self._conn = None
        if "fork" not in mp.get_all_start_methods() or not self.fits:
            return
        ctx = mp.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_bootstrap_worker, args=(child, self.fits, B, seed),
                                 name="egovsem-bootstrap")
        self._proc.start()
        child.close()

    def result(self, name: str):
        """``(boot, messages, seconds)`` of the fit ``name``: the background process's, else computed here."""
        import time

        while name not in self._got and self._conn is not None:
            try:
                got = self._conn.recv()
            except (EOFError, OSError):  # the background process ended early: what is missing is done here
                self.close()
                break
            self._got[got[0]] = got[1:]
        if name in self._got:
            boot, msgs, secs = self._got.pop(name)
            if boot is None:
                raise msgs
            return boot, msgs, secs
        t = time.perf_counter()
        boot, msgs = bootstrap_collecting(self.fits[name], self.B, self.seed)
        return boot, msgs, time.perf_counter() - t

    def close(self) -> None:
        """Stop the background process (if it still runs) and release the pipe."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None
