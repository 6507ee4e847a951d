"""Command line: ``python -m experiments [NAME ...|all] [--out DIR] [--quick] [--seed N]``.

Runs the named experiments (all of them by default, or with ``all``) on your
implementation, prints each one's wall time and measurements, and writes its
figures into ``--out`` (default ``figures/``). When your code still raises
``NotImplementedError`` for a task an experiment needs, it says which task to
implement first and exits with status 1 (the other experiments still run).
``char_project`` takes ``--corpus en|ko`` and ``--cell lstm|gru``.
"""

import argparse
import inspect
import json
import sys
import time
from pathlib import Path

from . import EXPERIMENTS


def _scalars(measured):
    """The short entries of a result: numbers, strings, and lists of at most 12 numbers (one per seed)."""
    return {k: v for k, v in measured.items()
            if k == "figures" or not isinstance(v, (list, dict, str)) or (isinstance(v, str) and len(v) < 200)
            or (isinstance(v, list) and len(v) <= 12 and all(not isinstance(e, (list, dict)) for e in v))}


def run_one(name, args):
    """Run one experiment; returns None on success, or the message of the task to implement first."""
    function = EXPERIMENTS[name]
    options = {"quick": args.quick, "seed": args.seed}
    accepted = inspect.signature(function).parameters
    options.update({k: v for k, v in (("corpus", args.corpus), ("cell", args.cell)) if k in accepted})
    start = time.perf_counter()
    try:
        measured = function(args.out, **options)
    except NotImplementedError as error:
        task = str(error) or "the task this experiment calls"
        return f"{name}: implement {task} first (your code raised NotImplementedError)"
    except ModuleNotFoundError as error:  # a staged release ships only the assignments released so far
        if not (error.name or "").startswith("assignments."):
            raise
        return f"{name}: needs {error.name}, which is not released yet (it comes with a later assignment)"
    print(f"== {name} ({time.perf_counter() - start:.1f} s): figures in {args.out}/")
    print(json.dumps(_scalars(measured), indent=1, default=str, ensure_ascii=False))
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m experiments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"experiments to run: all (the default) or any of {', '.join(EXPERIMENTS)}")
    parser.add_argument("--out", type=Path, default=Path("figures"), help="directory of the figures")
    parser.add_argument("--quick", action="store_true", help="shortened runs (the settings of the tests)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (each experiment runs at least 3)")
    parser.add_argument("--corpus", choices=("en", "ko"), default="en", help="char_project: the bundled text")
    parser.add_argument("--cell", choices=("lstm", "gru"), default="lstm", help="char_project: your cell")
    args = parser.parse_args(argv)
    names = [n for n in args.names if n != "all"] or list(EXPERIMENTS)
    unknown = [name for name in names if name not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment(s) {', '.join(unknown)}; choose from all, {', '.join(EXPERIMENTS)}")
    missing = [message for message in (run_one(name, args) for name in names) if message]
    for message in missing:
        print(message, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
