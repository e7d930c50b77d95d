"""Sweeps on a real Dask cluster: a ``LocalCluster`` of 2 worker processes on loopback,
started and closed by the tests (no mocks). Bit-equality with ``n_jobs=1``, Cancel on the
cluster, a worker killed mid-sweep, a scheduler that goes away, and the Experiments page
pointed at the cluster (and at a closed port) through its environment variable."""

from __future__ import annotations

import os
import signal
import socket
import time
import warnings
from pathlib import Path

import distributed
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from scratchnet.presets import PRESETS, preset_data
from scratchnet.sweep import (
    Sweep,
    SweepInterrupted,
    SweepRunner,
    neuron_range,
    plan_sweep,
    run_sweep,
)
from ui import keys as K
from ui.settings import DASK_SCHEDULER_ENV

TIMEOUT = 120  # seconds to wait for a condition on a busy machine
PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "experiments.py")
BLOG = {k: v for k, v in PRESETS["moons-blog"]["params"].items() if k != "hidden_layer_sizes"}
FEW = {**BLOG, "epochs": 3}  # bit-equality does not need the blog's 100 epochs
# 36 networks in 36 one-network tasks: when the first finish, most are still to start
SMALL, ONE_EACH = neuron_range(3, 14), {**BLOG, "epochs": 10, "chunk_size": 1}


# (tests/conftest.py gives every test the test run's __main__: Dask's nanny spawns workers.)


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    """Poll ``condition()`` until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)
    return value


def start_cluster() -> tuple[distributed.LocalCluster, distributed.Client]:
    """2 worker processes on loopback, no dashboard (the scheduler's health routes take
    127.0.0.1:8787, or another port if a cluster has it: that warning is expected)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Port 8787 is already in use", UserWarning)
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=50,
        )  # fmt: skip
    return cluster, distributed.Client(cluster, set_as_default=False)


@pytest.fixture(scope="module")
def cluster():
    """A cluster shared by the tests that leave it as they found it."""
    cluster, client = start_cluster()
    yield cluster, client
    client.close()
    cluster.close()


@pytest.fixture
def own_cluster():
    """A cluster for one test that breaks it (kills a worker, closes the scheduler)."""
    cluster, client = start_cluster()
    yield cluster, client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def blog():
    return preset_data("moons-blog")  # X_train, X_test, y_train, y_test


def sweep_args(blog, sizes=None):
    X_train, X_test, y_train, y_test = blog
    return (X_train, y_train, X_test, y_test, sizes or neuron_range(3, 39), 3)


def scheduler_keys(client) -> list[str]:
    """Keys of every task the scheduler knows now."""
    return client.run_on_scheduler(lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks])


def worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def test_the_blog_sweep_on_the_cluster_equals_one_process_bit_for_bit(cluster, blog):
    _, client = cluster
    # small chunks: 28 tasks that finish in whatever order the 2 workers take them (the
    # chunks, not the workers, fix the bits: the same chunk_size in one process)
    one = run_sweep(*sweep_args(blog), n_jobs=1, chunk_size=4, **FEW)
    seen = []

    def report(done, total, part):
        seen.append((done, total, len(part)))

    on = run_sweep(*sweep_args(blog), executor=client, chunk_size=4, callback=report, **FEW)
    pd.testing.assert_frame_equal(on, one, check_exact=True)
    assert on.equals(one) and len(on) == 111
    # reports as chunks finish: rising counts of whole networks, with their rows
    assert seen[-1] == (111.0, 111, 111) and len(seen) > 1
    assert all(d == n for d, _, n in seen) and [d for d, _, _ in seen] == sorted(
        {d for d, _, _ in seen}
    )


def test_a_learning_rate_grid_on_the_cluster_equals_one_process(cluster, blog):
    _, client = cluster
    grid = {k: v for k, v in FEW.items() if k != "learning_rate"}
    args = sweep_args(blog, neuron_range(3, 12))
    rates = [1e-3, 0.01, 0.1, 1.0]
    one = run_sweep(*args, learning_rates=rates, chunk_size=8, **grid)
    on = run_sweep(*args, learning_rates=rates, executor=client, chunk_size=8, **grid)
    assert len(on) == 10 * 3 * 4 and on.equals(one)


def test_cancel_cancels_the_tasks_not_started_and_keeps_the_finished(cluster, blog):
    _, client = cluster
    plan = plan_sweep(*sweep_args(blog, SMALL), **ONE_EACH)
    sweep = Sweep(plan, client)
    wait_for(  # the first chunks finish, most are still to run
        lambda: sweep.advance(max_seconds=1.0) or len(sweep.results()), "a finished chunk"
    )
    assert sweep.error is None
    assert any(k.startswith(sweep.name) for k in scheduler_keys(client))
    sweep.cancel()
    wait_for(
        lambda: not any(k.startswith(sweep.name) for k in scheduler_keys(client)),
        "the scheduler to drop the sweep's tasks",
    )
    kept = sweep.results()
    assert len(kept) >= 1 and len(kept) < 36 and sweep.stopped and not sweep.done
    full = run_sweep(*sweep_args(blog, SMALL), **ONE_EACH)
    same = full.merge(kept[["hidden_size", "trial"]], on=["hidden_size", "trial"])
    pd.testing.assert_frame_equal(kept, same, check_exact=True)


def test_run_sweep_should_stop_returns_the_finished_networks(cluster, blog):
    _, client = cluster
    seen: list = []
    df = run_sweep(*sweep_args(blog), executor=client, chunk_size=2, **FEW,
                   should_stop=lambda: bool(seen), callback=lambda *a: seen.append(a))  # fmt: skip
    assert 0 < len(df) < 111
    one = run_sweep(*sweep_args(blog), chunk_size=2, **FEW)
    pd.testing.assert_frame_equal(
        df, one.merge(df[["hidden_size", "trial"]], on=["hidden_size", "trial"]), check_exact=True
    )


def test_a_worker_killed_mid_sweep_changes_nothing(own_cluster, blog):
    _, client = own_cluster
    pids = worker_pids(client)
    assert len(pids) == 2
    killed = []

    def kill_one(done, total, part):
        if not killed:  # after the first finished chunk: the other chunks still to come
            victim = max(pids.values())
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    on = run_sweep(*sweep_args(blog, SMALL), executor=client, callback=kill_one, **ONE_EACH)
    one = run_sweep(*sweep_args(blog, SMALL), **ONE_EACH)
    assert killed and killed[0] not in worker_pids(client).values()  # it did die
    pd.testing.assert_frame_equal(on, one, check_exact=True)


def test_a_scheduler_that_goes_away_is_reported_and_the_rest_finishes_here(own_cluster, blog):
    cluster, client = own_cluster
    plan = plan_sweep(*sweep_args(blog, SMALL), **ONE_EACH)
    sweep = Sweep(plan, client)
    wait_for(lambda: sweep.advance(max_seconds=1.0) or len(sweep.results()), "a finished chunk")
    cluster.close()  # scheduler and workers gone, mid-sweep

    def reported():
        started = time.monotonic()
        sweep.advance(max_seconds=1.0)  # never hangs: returns within about its limit
        assert time.monotonic() - started < 30
        return sweep.error

    message = wait_for(reported, "the sweep to report the lost cluster")
    kept = len(sweep.results())
    assert "Dask cluster was lost" in message and f"{kept} of 36 networks" in message
    assert kept >= 1 and kept < 36
    sweep.resume()  # on this machine, in this process
    sweep.advance()
    assert sweep.done and sweep.error is None
    one = run_sweep(*sweep_args(blog, SMALL), **ONE_EACH)
    pd.testing.assert_frame_equal(sweep.results(), one, check_exact=True)


def test_run_sweep_raises_sweep_interrupted_with_the_finished_rows(own_cluster, blog):
    cluster, client = own_cluster

    def close_once(done, total, part):
        if cluster.status.name != "closed":
            cluster.close()

    with pytest.raises(SweepInterrupted, match="Dask cluster was lost") as caught:
        run_sweep(*sweep_args(blog, SMALL), executor=client, callback=close_once, **ONE_EACH)
    assert len(caught.value.partial) >= 1 and len(caught.value.partial) < 36


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_runner_with_an_unreachable_scheduler_says_so_and_runs_here(blog):
    started = time.monotonic()
    runner = SweepRunner(f"tcp://127.0.0.1:{closed_port()}", workers=1, connect_seconds=2)
    try:
        assert time.monotonic() - started < 60  # a few seconds; generous on a busy machine
        assert not runner.on_cluster and "could not be reached" in runner.problem
        sweep = runner.sweep(plan_sweep(*sweep_args(blog, [3, 4]), **FEW))
        wait_for(lambda: sweep.advance(max_seconds=1.0) or sweep.done, "the local sweep")
        assert sweep.results().equals(run_sweep(*sweep_args(blog, [3, 4]), **FEW))
    finally:
        runner.close()


# -------------------------------------------------------------------------- the page


@pytest.fixture
def page_env(monkeypatch):
    """Run the page with the environment variable set; close the runners it made."""

    def at_with(address: str) -> AppTest:
        monkeypatch.setenv(DASK_SCHEDULER_ENV, address)
        at = AppTest.from_file(PAGE, default_timeout=60).run()
        made.append(at.session_state[K.EX_RUNNER])
        return at

    made: list[SweepRunner] = []
    yield at_with
    for runner in made:
        runner.close()
    st.cache_resource.clear()


TINY = {K.EX_MIN_NEURONS: 3, K.EX_MAX_NEURONS: 8, K.EX_TRIALS: 2, K.EX_EPOCHS: 3,
        K.EX_SAMPLES: 300}  # fmt: skip


def run_page(at: AppTest) -> AppTest:
    for key, value in TINY.items():
        at.session_state[key] = value
    at.run()
    (button,) = [b for b in at.button if b.label == "Run"]
    at = button.click().run()
    deadline = time.monotonic() + TIMEOUT
    while at.session_state[K.EX_RUN] is not None:
        assert not at.exception and time.monotonic() < deadline
        at.run()
    assert not at.exception and not at.error
    return at


def test_the_page_runs_on_the_cluster_of_its_environment(cluster, page_env):
    scheduler, _ = cluster
    at = page_env(scheduler.scheduler_address)
    assert any("Running on a Dask cluster of 2 workers" in c.value for c in at.caption)
    on = run_page(at).session_state[K.EX_RESULTS]["neurons"]["df"]
    here = page_env("")
    assert not any("Dask" in c.value for c in here.caption)
    local = run_page(here).session_state[K.EX_RESULTS]["neurons"]["df"]
    assert len(on) == 12 and on.equals(local)


def test_the_page_with_a_closed_port_says_so_and_runs_here(page_env):
    started = time.monotonic()
    at = page_env(f"tcp://127.0.0.1:{closed_port()}")
    assert time.monotonic() - started < 60  # within a few seconds; generous under load
    (warning,) = at.warning
    assert "could not be reached" in warning.value and "run on this machine" in warning.value
    df = run_page(at).session_state[K.EX_RESULTS]["neurons"]["df"]
    assert sorted(set(df.hidden_size)) == [3, 4, 5, 6, 7, 8]


def test_the_page_says_when_its_cluster_goes_away_and_finishes_here(own_cluster, page_env):
    cluster, _ = own_cluster
    at = page_env(cluster.scheduler_address)
    many = {K.EX_MIN_NEURONS: 1, K.EX_MAX_NEURONS: 128, K.EX_TRIALS: 3, K.EX_EPOCHS: 5,
            K.EX_SAMPLES: 1000}  # 384 networks in 12 chunks  # fmt: skip
    for key, value in many.items():
        at.session_state[key] = value
    at.run()
    (button,) = [b for b in at.button if b.label == "Run"]
    at = button.click().run()
    sweep = at.session_state[K.EX_RUN]["sweep"]
    deadline = time.monotonic() + TIMEOUT
    while not len(sweep.results()):
        assert not at.exception and time.monotonic() < deadline
        at.run()
    cluster.close()  # mid-sweep
    while not at.error:
        assert not at.exception and time.monotonic() < deadline
        at.run()
    assert "Dask cluster was lost" in at.error[0].value and "are kept" in at.error[0].value
    kept = len(sweep.results())
    assert kept >= 1 and kept < 384, kept
    (here,) = [b for b in at.button if b.label == "Finish on this machine"]
    at = here.click().run()
    while at.session_state[K.EX_RUN] is not None:
        assert not at.exception and time.monotonic() < deadline
        at.run()
    assert not at.error
    df = at.session_state[K.EX_RESULTS]["neurons"]["df"]
    assert len(df) == 384 and (df.epochs_run == 5).all()
