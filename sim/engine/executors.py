"""Where chunks of worlds run: in this process, in local processes, or on a Dask cluster.

Every executor is a :class:`concurrent.futures.Executor`, so the engine
submits chunks the same way to each, and the numbers never depend on which
one runs them (each world draws from streams keyed by its own index).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any


class SerialExecutor(cf.Executor):
    """Runs each task at submission, in this process: the one-worker executor."""

    def submit(self, fn: Callable, /, *args: object, **kwargs: object) -> cf.Future:  # type: ignore[override]
        """Run ``fn`` now and return its completed future."""
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # recorded by the caller like a worker's failure
            future.set_exception(exc)
        return future


def local_executor(workers: int) -> cf.Executor:
    """In-process for one worker; otherwise a pool of ``workers`` spawned processes."""
    if workers <= 1:
        return SerialExecutor()
    # A context object, not set_start_method: library code leaves the global default alone.
    return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def dask_executor(scheduler: str, workers: int) -> tuple[Any, Callable[[], None], int]:
    """A Dask executor (``local`` starts a LocalCluster), a closer, and the cluster's workers."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler == "local":
        # distributed sets MALLOC_TRIM_THRESHOLD_ in its workers, which turns off glibc's
        # adaptive mmap threshold: every numpy temporary is then freshly mapped, doubling
        # the time of a chunk (benchmarks/README.md). Leave glibc's default.
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

    else:
        client = Client(scheduler)
        close = client.close
    size = max(1, len(client.scheduler_info().get("workers", {})))
    return client.get_executor(pure=False), close, size


@contextlib.contextmanager
def executor_for(workers: int, scheduler: str | None = None) -> Iterator[tuple[Any, int]]:
    """The executor of ``workers`` local processes or of a Dask ``scheduler``, shut down after.

    Yields ``(executor, workers)``: ``(None, 1)`` for one local worker (run in
    this process), a pool of spawned processes for more, a Dask executor and
    the cluster's worker count with ``scheduler`` (``local``: a LocalCluster).
    """
    if scheduler:
        executor, close, size = dask_executor(scheduler, workers)
    elif workers > 1:
        executor = local_executor(workers)
        size = workers

        def close() -> None:
            executor.shutdown(wait=True, cancel_futures=True)

    else:
        yield None, 1
        return
    try:
        yield executor, size
    finally:
        close()
