"""The one entry point of the instructor tooling: ``course VERB ...``.

Verbs (one module each):
  manifest   validate course.yml and print the task table      (manifest.py)
  stubs      regenerate assignments/ from solutions/           (release.py)
  release    write a standalone student repository             (release.py)
  fixtures   regenerate the public tests' expected values      (public_fixtures.py)
  samples    regenerate the bundled sample submissions         (samples.py)
  grade      grade submissions (directories or zips)           (grade.py, reports.py)
  check      the graders grade the reference, stubs and mutants (check.py)
  bundle     pack the hidden grader for CI                      (bundle.py)
  gradescope build Gradescope's autograder.zip                  (gradescope.py)
  experiment run the experiments and write their figures       (experiments/)
  nbgrader   write the nbgrader course (notebooks, config)      (notebooks.py, notebook_checks.py)
  demo       the main job on bundled data                      (demo.py)
"""

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

from ..runtime.messages import LANG_ENV

from ..runtime.manifest import LANGUAGES, REPO_ROOT, ManifestError, load_manifest
from .solution_markers import MarkerError


class UsageError(ValueError):
    """The options do not fit together."""


def cmd_manifest(args):
    manifest = load_manifest(args.manifest)
    for assignment in manifest.assignments:
        print(f"{assignment.id}  {assignment.title}  ({assignment.points:g} points)")
        for task in assignment.tasks:
            print(f"  {task.id:<5} {task.points:>4g}  {task.package}/{task.file}:{task.function}")
    print(f"{len(manifest.tasks)} tasks, {sum(t.points for t in manifest.tasks):g} points: OK")


def cmd_stubs(args):
    from .release import build_assignments

    build = build_assignments(args.out, load_manifest(args.manifest))
    print(f"wrote {len(build.written)} files to {args.out}")


def cmd_release(args):
    from .release import build_student_repo

    build = build_student_repo(args.out, load_manifest(args.manifest), args.lang)
    print(f"wrote the student repository ({len(build.written)} files) to {args.out}; no solution line found")


def cmd_fixtures(args):
    from .public_fixtures import write_fixtures

    for path in write_fixtures(manifest=load_manifest(args.manifest)):
        print(f"wrote {path}")


def cmd_samples(args):
    from .samples import write_samples

    for path in write_samples(manifest=load_manifest(args.manifest)):
        print(f"wrote {path}")


def _progress(done, total, report):
    line = f"[{done}/{total}] {report.student}: {report.points:g}/{report.max_points:g}"
    if sys.stderr.isatty():
        print("\r" + line.ljust(70), end="" if done < total else "\n", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def cmd_grade(args):
    from ..grading import reports
    from ..grading.grade import grade_many
    from ..grading.sandbox import Limits

    if args.bundle:
        from .bundle import grade_with_bundle

        passed = [str(path.resolve()) for path in args.submissions]
        for option in ("assignment", "jobs", "format", "out", "seed", "timeout", "cpu_seconds", "memory_mb",
                       "sandbox", "sandbox_user", "summary", "lang"):
            values = getattr(args, option)
            for value in values if isinstance(values, list) else [values]:
                if value is not None:
                    value = value.resolve() if isinstance(value, Path) else value
                    passed += [f"--{option.replace('_', '-')}", str(value)]
        passed += ["--unsafe-same-user"] if args.unsafe_same_user else []
        code = grade_with_bundle(args.bundle, passed)
        if code:
            raise RuntimeError(f"grading with {args.bundle} failed (exit code {code})")
        return
    manifest = load_manifest(args.manifest)
    os.environ[LANG_ENV] = args.lang or manifest.language
    if args.assignment:
        for assignment_id in args.assignment:
            manifest.assignment(assignment_id)  # unknown IDs fail here, with the known ones listed
    user = None
    if args.sandbox_user:
        import pwd

        user = pwd.getpwnam(args.sandbox_user).pw_uid
    if args.unsafe_same_user and args.sandbox not in (None, "auto"):
        raise UsageError(f"--unsafe-same-user and --sandbox {args.sandbox} contradict each other")
    limits = Limits(cpu_seconds=args.cpu_seconds, memory_bytes=args.memory_mb * 1024**2,
                    wall_seconds_per_request=args.timeout, user=user,
                    backend="unsafe-same-user" if args.unsafe_same_user else args.sandbox or "auto")
    started = time.monotonic()
    results = grade_many(args.submissions, manifest, args.assignment, args.seed, args.jobs, limits,
                         progress=_progress if len(args.submissions) > 1 else None)
    elapsed = time.monotonic() - started
    if args.summary:
        if len(results) != 1:
            raise UsageError("--summary needs exactly one submission")
        with Path(args.summary).open("a", encoding="utf-8") as handle:
            handle.write(reports.summary_markdown(results[0]))
    if args.format == "text":
        text = "\n\n".join(reports.text(report) for report in results)
        if len(results) > 1:
            text += "\n\n" + reports.score_table(results)
        _emit(text + "\n", args.out)
    elif args.format == "json":
        _emit(reports.to_json(results) + "\n", args.out)
    elif args.format == "csv":
        _emit(reports.csv_rows(results), args.out)
    elif args.format in ("gradescope", "classroom", "summary"):
        if len(results) != 1:
            raise UsageError(f"--format {args.format} grades exactly one submission")
        if args.format == "gradescope":
            _emit(json.dumps(reports.gradescope(results[0], elapsed), indent=2) + "\n", args.out)
        elif args.format == "classroom":
            _emit(json.dumps(reports.classroom(results[0])) + "\n", args.out)
        else:
            _emit(reports.summary_markdown(results[0]), args.out)
    elif args.format == "markdown":
        if args.out is None:
            raise UsageError("--format markdown needs --out DIR (one feedback file per student)")
        args.out.mkdir(parents=True, exist_ok=True)
        for report in results:
            (args.out / f"{report.student}.md").write_text(reports.markdown(report), encoding="utf-8")
        print(f"wrote {len(results)} feedback files to {args.out}")


def _emit(text, out):
    if out is None:
        sys.stdout.write(text)
    else:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


def cmd_bundle(args):
    from .bundle import write_bundle

    print(f"wrote {write_bundle(args.out)}")


def cmd_gradescope(args):
    from .gradescope import write_autograder_zip

    print(f"wrote {write_autograder_zip(args.out)}")


def cmd_check(args):
    from .check import run_check

    result = run_check(seed=args.seed, jobs=args.jobs)
    for mistake_id in result.caught:
        print(f"caught   {mistake_id}")
    for text in result.missed:
        print(f"MISSED   {text}")
    for problem in result.problems:
        print(f"PROBLEM  {problem}")
    print(f"mutation score: {len(result.caught)}/{len(result.caught) + len(result.missed)} "
          f"({100 * result.mutation_score:.0f}%)")
    if result.problems or result.missed:
        raise RuntimeError("self-check failed")
    print("self-check passed: reference full marks, stubs zero, every mistake caught")


def cmd_experiment(args):
    from .experiments.__main__ import main as run_experiments

    run_experiments([*args.names, "--out", str(args.out), "--seed", str(args.seed)] + (["--quick"] if args.quick else []))


def cmd_demo(args):
    from .demo import run_demo

    run_demo()


def build_parser():
    parser = argparse.ArgumentParser(prog="course", description="Instructor tooling of the RNN course.")
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / "course.yml", help="course manifest")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("manifest", help="validate course.yml").set_defaults(func=cmd_manifest)
    stubs = verbs.add_parser("stubs", help="regenerate assignments/ from solutions/")
    stubs.add_argument("--out", type=Path, default=REPO_ROOT / "assignments")
    stubs.set_defaults(func=cmd_stubs)
    release = verbs.add_parser("release", help="write a standalone student repository")
    release.add_argument("--out", type=Path, required=True, help="a new or empty directory")
    release.add_argument("--lang", choices=LANGUAGES, help="language of hints, README and messages "
                                                          "(default: course.yml's course.language)")
    release.set_defaults(func=cmd_release)
    verbs.add_parser("fixtures", help="regenerate tests/public/fixtures").set_defaults(func=cmd_fixtures)
    verbs.add_parser("samples", help="regenerate examples/submissions").set_defaults(func=cmd_samples)
    grade = verbs.add_parser("grade", help="grade submissions (directories or zips)")
    grade.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION")
    grade.add_argument("--assignment", action="append", help="grade only this assignment (repeatable), e.g. a3")
    grade.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    grade.add_argument("--format", choices=["text", "json", "gradescope", "csv", "markdown", "classroom", "summary"],
                       default="text", help="classroom: the result JSON of GitHub's grading reporter; "
                                            "summary: a Markdown table for a job summary")
    grade.add_argument("--out", type=Path, help="output file (directory for markdown)")
    grade.add_argument("--seed", type=int, help="input seed (default: fresh per run, recorded in the report)")
    grade.add_argument("--timeout", type=float, default=10.0, help="wall seconds per check")
    grade.add_argument("--cpu-seconds", type=int, default=120, help="CPU seconds per sandbox process")
    grade.add_argument("--memory-mb", type=int, default=3072, help="address-space limit of the sandbox")
    grade.add_argument("--sandbox", choices=["auto", "bubblewrap", "privilege-drop"],
                       help="how student code is isolated (default auto: bubblewrap if it works here, else "
                            "privilege-drop if running as root, else refuse)")
    grade.add_argument("--unsafe-same-user", action="store_true",
                       help="no isolation available: run student code as the grader's own user anyway "
                            "(every report says so)")
    grade.add_argument("--sandbox-user", help="privilege-drop: run student code as this user (default nobody)")
    grade.add_argument("--lang", choices=LANGUAGES, help="language of the reports (default: course.yml's)")
    grade.add_argument("--summary", type=Path, help="also append a Markdown table to this file (job summary)")
    grade.add_argument("--bundle", type=Path, help="grade with the code of this grader bundle (course bundle)")
    grade.set_defaults(func=cmd_grade)
    bundle = verbs.add_parser("bundle", help="pack the hidden grader (graders, reference, manifest)")
    bundle.add_argument("--out", type=Path, default=Path("grader.tar.gz"))
    bundle.set_defaults(func=cmd_bundle)
    gradescope = verbs.add_parser("gradescope", help="build Gradescope's autograder.zip")
    gradescope.add_argument("--out", type=Path, default=Path("autograder.zip"))
    gradescope.set_defaults(func=cmd_gradescope)
    check = verbs.add_parser("check", help="self-check of the graders (reference, stubs, mutants)")
    check.add_argument("--seed", type=int)
    check.add_argument("--jobs", type=int, default=2)
    check.set_defaults(func=cmd_check)
    experiment = verbs.add_parser("experiment", help="run experiments of the reference solutions, write figures")
    experiment.add_argument("names", nargs="*", metavar="NAME", help="char_lm, vanishing, clipping, "
                                                                     "truncated_bptt, adding, gates (default: all)")
    experiment.add_argument("--out", type=Path, default=Path("out/experiments"))
    experiment.add_argument("--quick", action="store_true", help="the shortened versions used by the tests")
    experiment.add_argument("--seed", type=int, default=0)
    experiment.set_defaults(func=cmd_experiment)
    if importlib.util.find_spec("autograder.authoring.notebooks") is not None:  # not part of a grader bundle
        from . import notebooks

        nbgrader = verbs.add_parser("nbgrader", help="write the nbgrader course directory (source/, release/)")
        notebooks.add_arguments(nbgrader)
        nbgrader.set_defaults(func=notebooks.run)
    verbs.add_parser("demo", help="run the main job on bundled data").set_defaults(func=cmd_demo)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (ManifestError, MarkerError, UsageError, KeyError) as error:
        print(f"course {args.verb}: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"course {args.verb}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
