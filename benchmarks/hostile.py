"""Benchmark: the most hostile submission (every task's function hangs) graded on half a CPU.

Gradescope's default limits are 10 minutes per submission with half a CPU; the course's target is under 2
minutes for a submission whose every task runs ``while True: pass``. The submission is the stubs with each
``raise NotImplementedError(...)`` replaced by that loop. Each is graded by ``course grade`` (all assignments,
default limits, the sandbox this machine picks) in a CPU cgroup limited to half a CPU when this process may make
one (root, cgroup v1 ``cpu`` or v2 ``cpu.max``), else on the whole machine (said in the output). The baseline,
measured the same way in the same run, is the reference solutions (a correct submission).

    python benchmarks/hostile.py [--repeats 1] [--quota 0.5]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANG = "while True: pass"


def hanging_submission(out):
    """The stubs, every ``raise NotImplementedError(...)`` line replaced by an endless loop; returns ``out``."""
    shutil.copytree(ROOT / "assignments", out / "assignments", ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    count = 0
    for path in (out / "assignments").rglob("*.py"):
        text, n = re.subn(r"^(\s*)raise NotImplementedError\(.*\)\s*$", rf"\g<1>{HANG}", path.read_text(),
                          flags=re.MULTILINE)
        path.write_text(text)
        count += n
    return out, count


def cpu_cgroup(quota):
    """A cgroup directory limiting its processes to ``quota`` CPUs, or (None, why not)."""
    name = f"rnn-bench-{os.getpid()}"
    v1 = Path("/sys/fs/cgroup/cpu")
    v2 = Path("/sys/fs/cgroup")
    try:
        if (v1 / "cpu.cfs_quota_us").exists():
            group = v1 / name
            group.mkdir()
            (group / "cpu.cfs_period_us").write_text("100000")
            (group / "cpu.cfs_quota_us").write_text(str(int(quota * 100000)))
            return group, None
        if "cpu" in (v2 / "cgroup.controllers").read_text().split():
            group = v2 / name
            group.mkdir()
            (group / "cpu.max").write_text(f"{int(quota * 100000)} 100000")
            return group, None
        return None, "no cgroup cpu controller"
    except OSError as error:
        return None, f"cannot make a CPU cgroup here ({error.strerror})"


def graded_seconds(submission, group):
    """Wall seconds of ``course grade SUBMISSION`` (run in ``group`` if any) and its points."""
    command = [sys.executable, "-m", "autograder.authoring.cli", "grade", str(submission), "--format", "json",
               "--seed", "5"]
    join = (lambda: (group / "cgroup.procs").write_text(str(os.getpid()))) if group else None
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, preexec_fn=join)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"course grade failed ({done.returncode}):\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)[0]
    return seconds, f"{report['points']:g}/{report['max_points']:g} ({report['sandbox']})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--quota", type=float, default=0.5, help="CPUs the grading may use (default 0.5)")
    args = parser.parse_args()
    group, why = cpu_cgroup(args.quota)
    try:
        with tempfile.TemporaryDirectory(prefix="rnn-hostile-") as tmp:
            hanging, loops = hanging_submission(Path(tmp) / "hanging")
            reference = Path(tmp) / "reference"
            shutil.copytree(ROOT / "solutions", reference / "assignments",
                            ignore=shutil.ignore_patterns("__pycache__", "*.md"))
            rows = {}
            for name, path in (("reference (baseline)", reference), (f"every task hangs ({loops} loops)", hanging)):
                runs = [graded_seconds(path, group) for _ in range(args.repeats)]
                rows[name] = (statistics.median(s for s, _ in runs), runs[0][1])
    finally:
        if group:
            group.rmdir()
    print(f"course grade on {args.quota:g} CPU" if group else f"course grade on the whole machine ({why})")
    base = next(iter(rows.values()))[0]
    for name, (seconds, points) in rows.items():
        print(f"{name:38s} {seconds:8.1f} s  {seconds / base:6.1f}x baseline  {points}")


if __name__ == "__main__":
    main()
