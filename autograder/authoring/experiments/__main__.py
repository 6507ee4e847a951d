"""Command line: ``python -m autograder.authoring.experiments [NAME ...] [--out DIR] [--quick] [--seed N]``.

Runs the named experiments (all of them by default), prints each one's wall
time and scalar measurements, and writes its figures into ``--out``.
"""

import argparse
import json
import time
from pathlib import Path

from . import EXPERIMENTS


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.authoring.experiments", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"experiments to run (default: all of {', '.join(EXPERIMENTS)})")
    parser.add_argument("--out", type=Path, default=Path("experiments_out"), help="directory of the figures")
    parser.add_argument("--quick", action="store_true", help="the shortened versions used by the tests")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment(s) {', '.join(unknown)}; choose from {', '.join(EXPERIMENTS)}")
    for name in args.names or list(EXPERIMENTS):
        start = time.perf_counter()
        measured = EXPERIMENTS[name](args.out, quick=args.quick, seed=args.seed)
        scalars = {k: v for k, v in measured.items() if not isinstance(v, (list, dict)) or k == "figures"}
        print(f"== {name} ({time.perf_counter() - start:.1f} s)")
        print(json.dumps(scalars, indent=1, default=str))


if __name__ == "__main__":
    main()
