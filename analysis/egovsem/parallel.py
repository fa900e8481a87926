"""Run independent chunks of work on local processes or on a dask.distributed cluster.

Bootstrap resamples and Monte Carlo replications are split into chunks; each chunk is one call of a
module-level function. The same seed gives bit-identical numbers whatever the backend or the number of
workers, because nothing a chunk computes depends on where or beside what it runs:

* every resample or replication draws from its own ``numpy.random.SeedSequence(seed, spawn_key=(i,))``
  (the i-th child of ``SeedSequence(seed)``);
* the partition into chunks is a function of the number of resamples alone (:func:`chunk_bounds` with a
  fixed chunk size per caller, never derived from ``n_jobs`` or the cluster): a batched fit of many
  problems at once rounds differently from the same problems fitted in another grouping (the optimiser's
  active set and the stacked BLAS calls change with the batch), so the grouping itself is fixed;
* each chunk runs with BLAS (OpenBLAS, MKL) limited to one thread in every backend, in this process too
  (:func:`run_chunks` calls every chunk through the same wrapper), so no chunk's sums are split
  differently by a multi-threaded kernel on one machine and not on another;
* results are put back in chunk order, not in the order the workers finish.

Bit-identity holds on one machine (one BLAS library and CPU kernel); another CPU family can select other
BLAS kernels and round differently (at the optimiser's tolerance, about 1e-8 here).

Backends
--------
* ``n_jobs=1``: in this process.
* default: a pool of local processes, one per core (``os.cpu_count()``); BLAS is limited to one thread in
  each worker so that the processes do not compete for the cores.
* ``scheduler="tcp://host:port"`` (or a ``distributed.Client``): the chunks run on that dask.distributed
  cluster; the shared payload is scattered to the workers once.

A progress bar (rich) is shown when standard error is a terminal.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._errors import EgovsemError

__all__ = ["run_chunks", "seed_sequence", "child_seed", "check_n_jobs", "chunk_bounds", "resolve_entropy",
           "blas_threads", "single_blas_thread", "blas_one_thread"]


def resolve_entropy(seed: int | None) -> int:
    """The root entropy for ``seed`` (a fresh random one, to be recorded, when ``seed`` is None)."""
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)
        return entropy
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise EgovsemError(f"The 'seed' parameter must be a non-negative integer or None. Got {seed!r} instead.")
    return int(seed)


def seed_sequence(entropy: int, *key: int) -> np.random.SeedSequence:
    """``SeedSequence(entropy).spawn(...)``'s child with spawn key ``key``, built without spawning."""
    return np.random.SeedSequence(entropy, spawn_key=tuple(int(k) for k in key))


def child_seed(entropy: int, *key: int) -> np.random.Generator:
    """A generator for the replication/resample with spawn key ``key``."""
    return np.random.Generator(np.random.PCG64(seed_sequence(entropy, *key)))


def check_n_jobs(n_jobs: int | None) -> int:
    """Validate ``n_jobs`` (None: all local cores)."""
    if n_jobs is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise EgovsemError(f"The 'n_jobs' parameter must be a positive integer or None. Got {n_jobs!r} instead.")
    return int(n_jobs)


def chunk_bounds(total: int, chunk: int) -> list[tuple[int, int]]:
    """``[(0, chunk), (chunk, 2 chunk), ...]`` covering ``range(total)``.

    The partition depends on ``total`` and ``chunk`` only; callers pass a fixed ``chunk`` (never one
    derived from the number of workers) so that the same seed fits the same groups of problems together.

    >>> chunk_bounds(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    """
    return [(lo, min(total, lo + chunk)) for lo in range(0, total, chunk)]


def blas_threads(*_ignored: Any) -> int:
    """The largest number of threads any loaded BLAS library would use now (1 inside every chunk of
    :func:`run_chunks`); arguments are ignored, so that it can itself be run as a chunk."""
    from threadpoolctl import threadpool_info

    counts = [int(d.get("num_threads", 1)) for d in threadpool_info() if d.get("user_api") == "blas"]
    return max(counts, default=1)


def blas_one_thread() -> Any:
    """A context in which BLAS uses one thread (threadpoolctl; restored on exit); see :func:`single_blas_thread`."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def single_blas_thread(func: Callable) -> Callable:
    """Run ``func`` with BLAS limited to one thread (restored afterwards).

    The matrices of an SEM fit are small (tens to a few hundred rows): a multi-threaded OpenBLAS spends
    more time starting and spinning its threads than computing, and on a machine with other work running
    the same fit became 10-60 times slower (a 25-variable information matrix: 0.5 ms with one thread,
    30 ms with two on a busy 2-core machine). Parallel work comes from processes over independent fits
    (:func:`run_chunks`), never from threads inside one small matrix product. A lower limit set by the user
    (``OMP_NUM_THREADS=1``) is unaffected; one thread is never more than any limit.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


def _limit_blas() -> None:
    """Limit BLAS to one thread in this (worker) process for good."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _call(func, payload, args):
    """One chunk in a worker process (local pool or dask): BLAS pinned to one thread first. The limit is
    set for the worker process and not restored, so chunks running in parallel threads of one dask worker
    cannot undo it for each other."""
    _limit_blas()
    return func(payload, *args)


def _call_here(func, payload, args):
    """One chunk in this process, with BLAS pinned to one thread while it runs (restored afterwards)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return func(payload, *args)


def _progress_bar(enabled: bool | None, total: int, desc: str):
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=True)
    prog.start()
    task = prog.add_task(desc, total=total)
    return prog, task


def run_chunks(
    func: Callable[..., Any],
    payload: Any,
    chunks: Sequence[tuple],
    *,
    n_jobs: int | None = None,
    scheduler: Any = None,
    progress: bool | None = None,
    desc: str = "working",
    weights: Sequence[int] | None = None,
) -> list:
    """Return ``[func(payload, *chunk) for chunk in chunks]``, computed in parallel.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled to the workers).
    payload : object
        Data shared by every chunk (the model, the data); sent to each worker once where possible.
    chunks : sequence of tuples
        The arguments of each call after ``payload``.
    n_jobs : int, optional
        Local processes (default: all cores; 1 runs in this process). Ignored with ``scheduler``.
    scheduler : str or distributed.Client, optional
        A dask.distributed scheduler address (``"tcp://host:port"``) or a connected client.
    progress : bool, optional
        Show a progress bar; default: only when standard error is a terminal.
    desc : str
        Label of the progress bar.
    weights : sequence of int, optional
        Units of work per chunk for the progress bar (default 1 each).
    """
    chunks = list(chunks)
    weights = list(weights) if weights is not None else [1] * len(chunks)
    bar = _progress_bar(progress, sum(weights), desc)

    def advance(i):
        if bar is not None:
            bar[0].update(bar[1], advance=weights[i])

    try:
        if scheduler is not None:
            return _run_dask(func, payload, chunks, scheduler, advance)
        n = check_n_jobs(n_jobs)
        if n == 1 or len(chunks) <= 1:
            out = []
            for i, c in enumerate(chunks):
                out.append(_call_here(func, payload, c))
                advance(i)
            return out
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed  # here: the fit path needs no pool

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        results: list = [None] * len(chunks)
        with ProcessPoolExecutor(max_workers=min(n, len(chunks)), mp_context=ctx, initializer=_limit_blas) as ex:
            futs = {ex.submit(_call, func, payload, c): i for i, c in enumerate(chunks)}
            for fut in as_completed(futs):
                i = futs[fut]
                results[i] = fut.result()
                advance(i)
        return results
    finally:
        if bar is not None:
            bar[0].stop()


def _run_dask(func, payload, chunks, scheduler, advance) -> list:
    try:
        from distributed import Client
        from distributed import as_completed as dask_as_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise EgovsemError(
            "The 'scheduler' parameter needs dask.distributed; install it with pip install 'dask[distributed]'."
        ) from None
    own = False
    if isinstance(scheduler, str):
        if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
            raise EgovsemError(
                f"The 'scheduler' parameter must be a dask scheduler address such as 'tcp://host:8786'. "
                f"Got {scheduler!r} instead."
            )
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise EgovsemError(f"Cannot reach the dask scheduler at {scheduler!r}: {exc}") from None
        own = True
    elif isinstance(scheduler, Client):
        client = scheduler
    else:
        raise EgovsemError(
            "The 'scheduler' parameter must be a dask scheduler address ('tcp://host:port') or a "
            f"distributed.Client. Got {type(scheduler).__name__} instead."
        )
    try:
        shared = client.scatter(payload, broadcast=True)
        futures = [client.submit(_call, func, shared, c, pure=False) for c in chunks]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(chunks)
        for fut in dask_as_completed(futures):
            i = index[fut.key]
            results[i] = fut.result()
            advance(i)
        return results
    finally:
        if own:
            client.close()
