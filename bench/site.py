"""Build time of the published site with 1,000 consultants (goal: under 60 s).

Runs the real `mkdocs build --strict` (as `make site` does) on a generated directory
export, three times, and prints each wall-clock time and the best.

    .venv/bin/python bench/site.py [--consultants 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.site.fixtures import directory
from tests.site.helpers import build

GOAL_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = directory(args.consultants)
    times = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = build(Path(tmp), data)
            elapsed = time.perf_counter() - start
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            pages = sum(1 for _ in (Path(tmp) / "out").rglob("index.html"))
        times.append(elapsed)
        print(f"run {run + 1}: {elapsed:.1f} s ({pages} pages)")
    best = min(times)
    verdict = "meets" if best < GOAL_SECONDS else "MISSES"
    print(f"site build, {args.consultants} consultants: best {best:.1f} s ({verdict} < 60 s goal)")
    return 0 if best < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
