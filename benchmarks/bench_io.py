"""Two small costs the tests used to time, against a peer measured in the same run.

    python benchmarks/bench_io.py [--rounds 30]

* A boundary frame: ``boundary_rgba`` (100 x 100 grid, two classes) then ``encode_png``
  (zlib alone, level 6), against Pillow's PNG encoder on the same image (compress_level 6).
  Every frame the chart fetches pays both. Goal: well under a millisecond each.
* A CSV upload at the row limit (MAX_CSV_ROWS = 100,000 rows, two features and a label):
  ``load_csv``, against ``pandas.read_csv`` on the same bytes (which only parses; load_csv
  also checks every value and the labels). Goal: a few tenths of a second.

The best of ``--rounds`` runs of each, the peers interleaved round by round so that machine
noise hits all alike; printed in milliseconds with the ratio to the peer and the machine's
load average. It asserts nothing (the tests check what these functions return).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scratchnet.datasets import MAX_CSV_ROWS, load_csv
from scratchnet.plots import boundary_rgba, encode_png, grid

EXTENT = (-2.0, 2.0, -1.0, 3.0)
GRID = 100


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    import pandas as pd
    from PIL import Image

    _, _, points = grid(EXTENT, GRID)
    p1 = 1 / (1 + np.exp(-3 * points[:, 1]))
    proba = np.column_stack([1 - p1, p1])
    image = boundary_rgba(proba, GRID)
    csv = b"x1,x2,label\n" + b"".join(
        b"%d,%d,%d\n" % (i, 2 * i, i % 2) for i in range(MAX_CSV_ROWS)
    )

    def pillow_png() -> None:
        Image.fromarray(image, "RGBA").save(io.BytesIO(), format="PNG", compress_level=6)

    work = {
        "boundary_rgba": lambda: boundary_rgba(proba, GRID),
        "encode_png": lambda: encode_png(image),
        "Pillow PNG": pillow_png,
        "load_csv": lambda: load_csv(csv),
        "pandas.read_csv": lambda: pd.read_csv(io.BytesIO(csv)),
    }
    best = dict.fromkeys(work, float("inf"))
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, fn in work.items():
            best[name] = min(best[name], _timed(fn))
    ms = {name: 1000 * t for name, t in best.items()}
    print(f"best of {args.rounds} rounds (load average {load_before:.1f} -> "
          f"{os.getloadavg()[0]:.1f}):")  # fmt: skip
    print(f"  boundary_rgba {GRID}x{GRID}: {ms['boundary_rgba']:.3f} ms (goal < 1 ms)")
    print(
        f"  encode_png: {ms['encode_png']:.3f} ms, Pillow PNG {ms['Pillow PNG']:.3f} ms: "
        f"{ms['encode_png'] / ms['Pillow PNG']:.2f} x Pillow (goal < 1 ms)"
    )
    print(
        f"  load_csv {MAX_CSV_ROWS:,} rows: {ms['load_csv']:.0f} ms, pandas.read_csv "
        f"{ms['pandas.read_csv']:.0f} ms: {ms['load_csv'] / ms['pandas.read_csv']:.1f} x pandas"
    )


if __name__ == "__main__":
    main()
