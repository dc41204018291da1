"""One pass of the report worker (`smartexpo reports run-jobs`, which `serve` starts): recover
abandoned jobs, delete expired ones, claim the daily emails that are due, then build queued
jobs until none is left or a stop is asked for."""

from __future__ import annotations

from collections.abc import Callable

from smartexpo.reports.services import jobs, schedules


def worker_pass(*, stop: Callable[[], bool] | None = None, now=None) -> int:
    """Do what is due now; how many jobs were built (done or failed)."""
    jobs.jobs_recover(now=now)
    jobs.jobs_expire(now=now)
    schedules.schedules_claim_due(now=now)
    built = 0
    while not (stop is not None and stop()):
        job = jobs.job_claim()
        if job is None:
            break
        jobs.job_run(job, stop=stop)
        built += 1
    return built
