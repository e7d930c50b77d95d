"""A classroom on this machine: N students press Play at once, how live does each one stay?

    python benchmarks/bench_classroom.py [--students 1,5,10,...] [--seconds 10] [--repeat 1]
                                         [--targets single,replicas] [--memory] [--plot PATH]

Each student is one simulated browser tab (benchmarks/loadclient.py, frames mode): it
loads the Playground over Streamlit's websocket, presses Play, then fetches frames from
the chart's frame route as livechart/frontend/main.js does. An update is a frame that
carries a new boundary picture. The page runs with ``?epochs=100000`` so no run stops
within the window (a tick's work is the same as with the default 200).

Targets: ``single``, one ``streamlit run app.py``; ``replicas``, ``deploy/serve
--replicas 2`` (two processes behind HAProxy, cookie affinity). Every (target, students)
point gets a fresh server, warmed by one student who plays for a second and leaves (the
first page load imports the page's modules: that is not a student's memory). With
``--repeat R`` the points are measured R times in rounds, and the table shows medians.

Columns: updates/s per student (median, 10th percentile, minimum over students), the
server's CPU (process tree; 100 = one core), RSS before the students came and at the
end of the window, KB received per update (frame answers with their headers), RSS
growth per playing student, the frame latency (median of the students' p50 and p90),
this client's CPU, and the load average (other processes on this machine skew
everything; compare rows measured under similar load).

``--failover N``: N students on two replicas; replica s1 is killed (SIGKILL) a few seconds
into the window. Per run: how many of s1's students got live frames again, how fast, and
how many epochs behind the page's link they resumed; once with today's main.js (a 404
from the frame route is retried every 500 ms) and once with the proposed fix (reload the
page on a 404: ``LoadConfig.reload_on_404``).

``--memory``: one server, two waves of students. Wave 1 plays and leaves; RSS is
sampled every 30 s while Streamlit expires the disconnected sessions
(server.disconnectedSessionTTL, 120 s) and server/frames.py's sweeper thread releases their
runs (idle for IDLE_SECONDS, 150 s, and disconnected for longer than the TTL; swept every
10 s) and hands free pages back to the system (server/memory.py); then wave 2 plays. The
summary says how much of wave 1's growth came back, and whether wave 2 reused it (its
peak near wave 1's). ``--json`` writes the samples. Give ``--memory-wait`` at least 180 s.

Goals: 30 students each >= 10 updates/s (p10); 100 students each >= 3/s, none at 0;
a smooth fall-off past capacity; <= 12 KB per update; <= 1 MB RSS per playing student.

Like bench_playground.py, servers start without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unless
--keep-blas-env. The curve goes to docs/classroom.png (Plotly, drawn by Debian's
Chromium through Playwright; the HTML page instead when Chromium is missing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

import loadclient  # noqa: E402
import psutil  # noqa: E402
from browser_support import CHROMIUM, streamlit_server  # noqa: E402
from test_deploy import serve  # noqa: E402

STUDENTS = (1, 5, 10, 20, 30, 45, 60, 80, 100, 125, 150)
TARGETS = ("single", "replicas")
QUERY = "epochs=100000"
BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
GOALS = {
    "p10_at_30": 10.0,
    "p10_at_100": 3.0,
    "kb_per_update": 12.0,
    "mb_per_student": 1.0,
}
PLOT = ROOT / "docs" / "classroom.png"


@contextlib.contextmanager
def server(target: str):
    """(url, pid of the process tree to sample, the processes' own URLs) of a fresh server."""
    if target == "single":
        with streamlit_server("app.py") as running:
            yield running.url + "/", running.process.pid, [running.url + "/"]
    else:
        with serve(replicas=2, app="app.py") as running:
            yield running.url, running.process.pid, list(running.replica_urls.values())


async def warm_up(urls: list[str]) -> None:
    """In each process, one student plays for a second and leaves: the page's imports and
    caches are not a student's memory."""
    for url in urls:
        config = loadclient.LoadConfig(
            url=url, sessions=1, seconds=1, query=QUERY, ramp=0, warmup=0.5, settle=0
        )
        await loadclient.run_load(config)


def measure(target: str, students: int, seconds: float) -> dict:
    """One point: a fresh server, a warm-up student per process, then ``students`` playing."""
    with server(target) as (url, pid, processes):
        asyncio.run(warm_up(processes))
        time.sleep(1.0)
        config = loadclient.LoadConfig(
            url=url,
            sessions=students,
            seconds=seconds,
            query=QUERY,
            ramp=max(1.0, 0.08 * students),
            warmup=3.0,
            connect_timeout=300,
            pid=pid,
            settle=0,
        )
        report = asyncio.run(loadclient.run_load(config))
    u, r = report.server, report.rates
    errors = [s.error for s in report.stats if s.error]
    frame_errors = sum(s.errors for s in report.stats)
    if frame_errors:
        errors.append(f"{frame_errors} frame requests failed or not 200")
    ready = sum(s.ready for s in report.stats)
    return {
        "target": target,
        "students": students,
        "median": r["median"],
        "p10": r["p10"],
        "min": r["min"],
        "total": r["total"],
        "cpu": u.cpu_percent,
        "rss_before": u.rss_mb_before,
        "rss_end": u.rss_mb_end,
        "rss_peak": u.rss_mb_peak,
        "kb_per_update": r["bytes_per_update"] / 1000,
        "mb_per_student": (u.rss_mb_end - u.rss_mb_before) / students,
        "lat_p50": r["latency_ms_p50"],
        "lat_p90": r["latency_ms_p90"],
        "client_cpu": report.client_cpu_percent,
        "machine_cpu": report.machine_cpu_percent,
        "loadavg": report.loadavg_before[0],
        "ready": ready,
        "errors": errors[:3],
    }


def combine(points: list[dict]) -> dict:
    """The median of each number over repeats of one (target, students) point."""
    out = dict(points[0])
    for key, value in points[0].items():
        if isinstance(value, float):
            out[key] = statistics.median(p[key] for p in points)
    out["ready"] = min(p["ready"] for p in points)
    out["errors"] = [e for p in points for e in p["errors"]][:3]
    out["repeats"] = len(points)
    out["p10_each"] = [round(p["p10"], 1) for p in points]
    return out


def table(rows: list[dict]) -> str:
    head = (
        f"{'target':>8} {'students':>8} {'median':>7} {'p10':>6} {'min':>6} {'CPU %':>6} "
        f"{'RSS MB':>11} {'KB/upd':>6} {'MB/stud':>7} {'lat p50/p90 ms':>15} "
        f"{'client %':>8} {'load':>5}  p10 of each repeat"
    )
    lines = [head]
    for p in rows:
        lines.append(
            f"{p['target']:>8} {p['students']:>8} {p['median']:7.1f} {p['p10']:6.1f} "
            f"{p['min']:6.1f} {p['cpu']:6.0f} {p['rss_before']:5.0f}->{p['rss_end']:<5.0f} "
            f"{p['kb_per_update']:6.1f} {p['mb_per_student']:7.2f} "
            f"{p['lat_p50']:7.0f}/{p['lat_p90']:<7.0f} {p['client_cpu']:8.0f} "
            f"{p['loadavg']:5.1f}  {p['p10_each']}"
            + (f"  ready {p['ready']}/{p['students']}" if p["ready"] < p["students"] else "")
            + (f"  errors: {p['errors']}" if p["errors"] else "")
        )
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    """One line per goal and target: met or not, with the number."""
    out = []
    for target in sorted({p["target"] for p in rows}):
        by_n = {p["students"]: p for p in rows if p["target"] == target}
        if 30 in by_n:
            p10 = by_n[30]["p10"]
            out.append(f"{target}: 30 students p10 {p10:.1f}/s (goal >= 10): {ok(p10 >= 10)}")
        if 100 in by_n:
            p = by_n[100]
            met = p["p10"] >= GOALS["p10_at_100"] and p["min"] > 0
            out.append(
                f"{target}: 100 students p10 {p['p10']:.1f}/s, min {p['min']:.1f}/s "
                f"(goal >= 3, none at 0): {ok(met)}"
            )
        kb = max(p["kb_per_update"] for p in by_n.values())
        out.append(f"{target}: KB per update, worst {kb:.1f} (goal <= 12): {ok(kb <= 12)}")
        many = [p for n, p in by_n.items() if n >= 20]
        if many:
            mb = max(p["mb_per_student"] for p in many)
            out.append(
                f"{target}: RSS per playing student (>= 20 students), worst {mb:.2f} MB "
                f"(goal <= 1): {ok(mb <= 1)}"
            )
        counts = sorted(by_n)
        zero = [n for n in counts if by_n[n]["min"] == 0]
        # No collapse: past the knee, the total rate stays within 30% of its best.
        totals = [by_n[n]["total"] for n in counts]
        best = max(totals)
        collapse = [n for n, t in zip(counts, totals, strict=True) if n >= 30 and t < 0.7 * best]
        out.append(
            f"{target}: fall-off: total updates/s {', '.join(f'{t:.0f}' for t in totals)}; "
            f"students at 0: {zero or 'none'}; points below 70% of the best total: "
            f"{collapse or 'none'}: {ok(not zero and not collapse)}"
        )
    return out


def ok(met: bool) -> str:
    return "MET" if met else "NOT MET"


# -- memory: is it given back, or reused? -----------------------------------------------------
def memory_run(students: int, seconds: float, wait: float, every: float) -> list[tuple]:
    """Two waves on one server; RSS samples (t, phase, MB) in between."""
    samples: list[tuple] = []
    with streamlit_server("app.py") as running:
        url, pid = running.url + "/", running.process.pid
        sampler = loadclient.ServerSampler(pid)
        t0 = time.monotonic()

        def note(phase: str) -> None:
            mb = sampler.sample()[1] / 2**20
            samples.append((round(time.monotonic() - t0), phase, round(mb, 1)))
            print(f"  t={samples[-1][0]:4d} s  {phase:<22} RSS {mb:6.1f} MB", flush=True)

        asyncio.run(warm_up([url]))
        time.sleep(2)
        note("warm, no students")
        for wave in (1, 2):
            config = loadclient.LoadConfig(
                url=url, sessions=students, seconds=seconds, query=QUERY, ramp=0.08 * students,
                warmup=3.0, connect_timeout=300, pid=pid, settle=0,
            )  # fmt: skip
            report = asyncio.run(loadclient.run_load(config))
            u = report.server
            print(
                f"  wave {wave}: {students} students, median {report.rates['median']:.1f} "
                f"updates/s, RSS peak {u.rss_mb_peak:.1f} MB",
                flush=True,
            )
            samples.append((round(time.monotonic() - t0), f"wave {wave} peak", u.rss_mb_peak))
            note(f"wave {wave} left")
            if wave == 1:
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline:
                    time.sleep(every)
                    note("after wave 1")
        time.sleep(every)
        note("after wave 2")
    return samples


def memory_summary(samples: list[tuple], students: int) -> list[str]:
    """What the samples say: the growth per student, how much came back after the wait,
    and whether wave 2 reused it."""
    rss = {phase: mb for _, phase, mb in samples}  # the last sample of each phase
    warm, peak1, peak2 = rss["warm, no students"], rss["wave 1 peak"], rss["wave 2 peak"]
    waited = [mb for _, phase, mb in samples if phase == "after wave 1"] or [rss["wave 1 left"]]
    grown, kept = peak1 - warm, waited[-1] - warm
    return [
        f"wave 1: {warm:.0f} -> {peak1:.0f} MB playing, {grown / students:.2f} MB a student",
        f"after the wait: {waited[-1]:.0f} MB, {peak1 - waited[-1]:.0f} of the {grown:.0f} MB "
        f"given back ({kept / students:.2f} MB a student still held)",
        f"wave 2: {peak2:.0f} MB playing, {peak2 - peak1:+.0f} MB against wave 1's peak "
        f"(near 0: wave 1's memory was reused; near +{grown:.0f}: it was not)",
    ]


# -- failover: kill a replica under a class ---------------------------------------------------
def failover_run(students: int, seconds: float, reload_on_404: bool) -> dict:
    """``students`` on ``deploy/serve --replicas 2``; SIGKILL replica s1 a few seconds into
    the window; how many of its students get live frames again, how fast, at what epoch."""
    import signal

    with serve(replicas=2, app="app.py") as running:
        asyncio.run(warm_up(list(running.replica_urls.values())))
        config = loadclient.LoadConfig(
            url=running.url, sessions=students, seconds=seconds, query=QUERY,
            ramp=max(1.0, 0.08 * students), warmup=3.0, connect_timeout=300,
            reconnect=True, reload_on_404=reload_on_404,
        )  # fmt: skip

        async def load_and_kill():
            load = asyncio.create_task(loadclient.run_load(config))
            await asyncio.sleep(config.ramp + config.warmup + 4.0)  # into the window
            os.kill(running.replica_pids["s1"], signal.SIGKILL)
            return await load

        report = asyncio.run(load_and_kill())
    moved = [s for s in report.stats if s.replicas_seen[:1] == ["s1"]]
    back = [s for s in moved if s.failover_s]
    took = [max(s.failover_s) for s in back]
    resumes = [r for s in back for r in s.resumes]
    behind = [link - epoch for link, epoch in resumes if link is not None]
    return {
        "reload_on_404": reload_on_404,
        "students": students,
        "on_killed_replica": len(moved),
        "live_again": len(back),
        "failover_s_median": statistics.median(took) if took else float("nan"),
        "failover_s_max": max(took) if took else float("nan"),
        "epochs_lost_median": statistics.median(behind) if behind else float("nan"),
        "resumes": resumes[:5],
        "others_median": statistics.median(
            [s.updates_per_s for s in report.stats if s.replicas_seen[:1] == ["s2"]] or [0]
        ),
    }


# -- the curve ----------------------------------------------------------------------------------
def figure(rows: list[dict]):
    import plotly.graph_objects as go

    colors = {"single": "#F59322", "replicas": "#0877BD"}
    names = {"single": "1 process", "replicas": "2 replicas behind HAProxy"}
    fig = go.Figure()
    for target in [t for t in TARGETS if any(p["target"] == t for p in rows)]:
        pts = sorted((p for p in rows if p["target"] == target), key=lambda p: p["students"])
        x = [p["students"] for p in pts]
        fig.add_scatter(
            x=x + x[::-1],
            y=[p["median"] for p in pts] + [p["min"] for p in pts][::-1],
            fill="toself",
            fillcolor=colors[target],
            opacity=0.18,
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
        fig.add_scatter(
            x=x,
            y=[p["median"] for p in pts],
            mode="lines+markers",
            name=f"{names[target]}: median",
            line={"color": colors[target], "width": 3},
        )
        fig.add_scatter(
            x=x,
            y=[p["p10"] for p in pts],
            mode="lines",
            name=f"{names[target]}: 10th percentile",
            line={"color": colors[target], "width": 1.5, "dash": "dot"},
        )
    fig.add_scatter(
        x=[30, 100],
        y=[10, 3],
        mode="markers",
        name="goals (every student at least)",
        marker={"symbol": "triangle-up", "size": 13, "color": "#333"},
    )
    fig.update_layout(
        width=900,
        height=540,
        template="plotly_white",
        title="Boundary updates per second each student sees (shaded: median to slowest)",
        xaxis={"title": "students playing at once", "type": "log", "tickvals": STUDENTS},
        yaxis={
            "title": "updates/s per student",
            "type": "log",
            "tickvals": [1, 2, 3, 5, 10, 20, 30],
        },
        legend={"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        margin={"l": 70, "r": 20, "t": 60, "b": 130},
    )
    return fig


def write_plot(rows: list[dict], path: Path) -> Path:
    """A PNG drawn by Plotly in Chromium (offline); without Chromium, the HTML page."""
    fig = figure(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    plotly_js = (ROOT / "livechart" / "frontend" / "plotly.min.js").read_text()
    html = fig.to_html(include_plotlyjs=False, full_html=True, config={"staticPlot": True})
    html = html.replace("<head>", f"<head><script>{plotly_js}</script>", 1)
    if not Path(CHROMIUM).is_file():
        fallback = path.with_suffix(".html")
        fallback.write_text(html)
        return fallback
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 540})
            page.set_content(html)
            page.wait_for_selector(".main-svg")
            page.locator(".js-plotly-plot").screenshot(path=str(path))
        finally:
            browser.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default=",".join(map(str, STUDENTS)))
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the table shows medians")
    parser.add_argument("--memory", action="store_true", help="the two-wave memory run")
    parser.add_argument("--memory-students", type=int, default=60)
    parser.add_argument("--memory-wait", type=float, default=330.0, help="seconds between waves")
    parser.add_argument(
        "--failover", type=int, default=0, help="N students on 2 replicas; kill one mid-window"
    )
    parser.add_argument("--plot", type=Path, default=PLOT)
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument("--keep-blas-env", action="store_true")
    args = parser.parse_args()
    removed = [] if args.keep_blas_env else [v for v in BLAS_VARS if os.environ.pop(v, None)]
    print(
        f"{psutil.cpu_count()} cores; load average {os.getloadavg()}; "
        f"servers without {removed or 'nothing'}",
        flush=True,
    )

    if args.memory:
        samples = memory_run(args.memory_students, args.seconds, args.memory_wait, every=30.0)
        print("\n".join(memory_summary(samples, args.memory_students)))
        if args.json:
            args.json.write_text(json.dumps(samples, indent=1))
        return
    if args.failover:
        for fix in (False, True):
            result = failover_run(args.failover, max(args.seconds, 15.0), reload_on_404=fix)
            print(json.dumps(result), flush=True)
        return

    counts = [int(n) for n in args.students.split(",")]
    targets = [t for t in args.targets.split(",") if t]
    if unknown := set(targets) - set(TARGETS):
        parser.error(f"unknown targets {sorted(unknown)}; choose from {', '.join(TARGETS)}")
    points: dict[tuple[str, int], list[dict]] = {}
    started = time.monotonic()
    for round_ in range(args.repeat):
        for target in targets:
            for n in counts:
                p = measure(target, n, args.seconds)
                points.setdefault((target, n), []).append(p)
                print(
                    f"round {round_ + 1} {target:>8} {n:>4} students: median {p['median']:5.1f} "
                    f"p10 {p['p10']:5.1f} min {p['min']:5.1f} updates/s, CPU {p['cpu']:4.0f}%, "
                    f"{p['kb_per_update']:.1f} KB/update, {p['mb_per_student']:.2f} MB/student, "
                    f"load {p['loadavg']:.1f} ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
    rows = [combine(v) for v in points.values()]
    print()
    print(table(rows))
    print()
    print("\n".join(verdicts(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=float))
    if args.plot:
        print(f"\ncurve: {write_plot(rows, args.plot)}")


if __name__ == "__main__":
    main()
