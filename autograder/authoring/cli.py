"""The one entry point of the instructor tooling: ``course VERB ...``.

Verbs (one module each):
  manifest   validate course.yml and print the task table      (manifest.py)
  stubs      regenerate assignments/ from solutions/           (release.py)
  release    write a standalone student repository             (release.py)
  fixtures   regenerate the public tests' expected values      (public_fixtures.py)
  samples    write sample submissions into --out DIR           (samples.py)
  grade      grade submissions (directories or zips)           (grade.py, reports.py)
  check      the graders grade the reference, stubs and mutants (check.py)
  bundle     pack the hidden grader for CI                      (bundle.py)
  gradescope build Gradescope's autograder.zip                  (gradescope.py)
  experiment run the experiments and write their figures       (experiments/)
  nbgrader   write the nbgrader course (notebooks, config)      (notebooks.py, graded_cells.py)
  nbgrader-grade  grade collected nbgrader submissions into the gradebook (nbgrader_grade.py)
  demo       the main job on generated sample submissions      (demo.py)

``--manifest`` (before the verb) is read by every verb. An error prints one line, ``course VERB: message``:
exit code 2 for what the user fixes (a malformed manifest, handout or notebook, a missing file, options that
do not fit), 1 for a run that fails (``course check`` finding a problem).
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


# Errors the user fixes (bad input or options, a missing file, a build that cannot go on): ``course`` prints
# their message, without a traceback, and exits with code 2.
USER_ERRORS = (ManifestError, MarkerError, UsageError, KeyError, OSError)
# The same for modules imported only by some verbs (a grader bundle holds only some of them): (module, class).
VERB_USER_ERRORS = (("autograder.authoring.handouts", "HandoutError"), ("autograder.authoring.release", "BuildError"),
                    ("autograder.authoring.notebooks", "NotebookBuildError"),
                    ("autograder.authoring.notebook_translations", "TranslationError"),
                    ("autograder.authoring.nbgrader_grade", "NbgraderGradeError"),
                    ("autograder.authoring.bundle", "BundleError"), ("autograder.grading.grade", "SubmissionError"),
                    ("autograder.authoring.classroom_grader", "ClassroomGraderError"),
                    ("autograder.authoring.upload_shapes", "UploadError"), ("autograder.authoring.staging", "StagingError"))


def is_user_error(error):
    """Whether ``error`` is one of USER_ERRORS or VERB_USER_ERRORS (a module not imported raised none of them)."""
    if isinstance(error, USER_ERRORS):
        return True
    return any(isinstance(error, getattr(sys.modules[module], name))
               for module, name in VERB_USER_ERRORS if module in sys.modules)


def _manifest(args):
    """The manifest of ``--manifest`` (default: the repository's course.yml), loaded and validated."""
    return load_manifest(args.manifest) if args.manifest else load_manifest()


def cmd_manifest(args):
    manifest = _manifest(args)
    for assignment in manifest.assignments:
        print(f"{assignment.id}  {assignment.title}  ({assignment.points:g} points)")
        for task in assignment.tasks:
            print(f"  {task.id:<5} {task.points:>4g}  {task.package}/{task.file}:{task.function}")
    print(f"{len(manifest.tasks)} tasks, {sum(t.points for t in manifest.tasks):g} points: OK")


def cmd_stubs(args):
    from .release import build_assignments

    build = build_assignments(args.out, _manifest(args))
    print(f"wrote {len(build.written)} files to {args.out}")


def cmd_release(args):
    from .release import build_student_repo

    build = build_student_repo(args.out, _manifest(args), args.lang, assignments=args.assignment)
    graded = ", ".join(build.graded) if build.graded else "every assignment"
    print(f"wrote the student repository ({len(build.written)} files) to {args.out}: grades {graded}, ships "
          f"{', '.join(build.packages)}; no solution line found")
    for line in build.withheld:
        print(f"  withheld (it would reveal a graded solution; the student writes it): {line}")


def cmd_fixtures(args):
    from .public_fixtures import write_fixtures

    results = write_fixtures(manifest=_manifest(args))
    for result in results:
        if result.status != "unchanged":
            print(f"{result.status} {result.path}" + "".join(f"\n  {reason}" for reason in result.reasons))
    unchanged = sum(result.status == "unchanged" for result in results)
    print(f"{unchanged} of {len(results)} fixture files unchanged (no value moved by more than tolerance * 1e-4)")


def cmd_samples(args):
    from .samples import write_samples

    for path in write_samples(args.out, manifest=_manifest(args)):
        print(f"wrote {path}")


def _progress(done, total, report):
    line = f"[{done}/{total}] {report.id}: {report.points:g}/{report.max_points:g}"
    if sys.stderr.isatty():
        print("\r" + line.ljust(70), end="" if done < total else "\n", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def cmd_grade(args):
    from ..grading import reports
    from ..grading.sandbox import Limits

    _check_grade_options(args)
    if args.bundle:
        from .bundle import grade_with_bundle

        if args.manifest:
            raise UsageError("--manifest does not apply to grade --bundle: the bundle grades with the course.yml "
                             "packed in it (pass --manifest to `course bundle` instead)")

        passed = [str(path.resolve()) for path in args.submissions]
        for option in ("assignment", "jobs", "format", "out", "feedback_dir", "seed", "timeout", "cpu_seconds",
                       "memory_mb", "sandbox", "sandbox_user", "summary", "lang"):
            values = getattr(args, option)
            for value in values if isinstance(values, list) else [values]:
                if value is not None:
                    value = value.resolve() if isinstance(value, Path) else value
                    passed += [f"--{option.replace('_', '-')}", str(value)]
        passed += ["--unsafe-same-user"] if args.unsafe_same_user else []
        passed += ["--any-upload"] if args.any_upload else []
        code = grade_with_bundle(args.bundle, passed)
        if code:
            raise RuntimeError(f"grading with {args.bundle} failed (exit code {code})")
        return
    manifest = _manifest(args)
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
    submissions, preface = args.submissions, []
    work = None
    if args.any_upload:
        import tempfile

        from .upload_shapes import normalize_upload

        work = Path(tempfile.mkdtemp(prefix="rnn-upload-"))
        normalized = normalize_upload(args.submissions[0], work, manifest)
        submissions, preface = [normalized.path], normalized.lines
    submissions, names = _nbgrader_layout(submissions, manifest, args.assignment)
    started = time.monotonic()
    try:
        results = _grade(submissions, manifest, args, limits)
        for report, name in zip(results, names):
            if name is not None:
                report.id = report.student = name
    finally:
        if work is not None:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    if args.summary:
        with Path(args.summary).open("a", encoding="utf-8") as handle:
            handle.write(reports.summary_markdown(results[0]))
    if args.feedback_dir:
        args.feedback_dir.mkdir(parents=True, exist_ok=True)
        for report, name in zip(results, reports.file_names(results)):  # unique names: nothing overwritten
            (args.feedback_dir / name).write_text(reports.markdown(report), encoding="utf-8")
        print(f"wrote {len(results)} feedback files to {args.feedback_dir}", file=sys.stderr)
    _emit(_report_text(args.format, results, elapsed, preface), args.out)


def _nbgrader_layout(paths, manifest, wanted):
    """The folders to grade and the students' names, for paths in nbgrader's submitted/<student>/<package>/."""
    from ..grading.submission import LayoutError, nbgrader_submission

    packages = {a.package: a.id for a in manifest.assignments}
    try:
        found = [nbgrader_submission(path, packages, wanted) for path in paths]
    except LayoutError as error:
        raise UsageError(str(error)) from None
    names = [name for name, _ in found]
    named = [name for name in names if name is not None]
    if len(set(named)) != len(named):
        raise UsageError("two nbgrader submissions of the same student: " + ", ".join(sorted(
            {name for name in named if named.count(name) > 1})))
    return [folder for _, folder in found], names


def _grade(submissions, manifest, args, limits):
    from ..grading.grade import grade_many

    return grade_many(submissions, manifest, args.assignment, args.seed, args.jobs, limits,
                      progress=_progress if len(submissions) > 1 else None)


def _check_grade_options(args):
    """Refuse, before grading anything, options of ``course grade`` that do not fit together."""
    if args.format in ("gradescope", "classroom") and len(args.submissions) != 1:
        raise UsageError(f"--format {args.format} grades exactly one submission")
    if args.summary and len(args.submissions) != 1:
        raise UsageError("--summary needs exactly one submission")
    if args.any_upload and (len(args.submissions) != 1 or not args.submissions[0].is_dir()):
        raise UsageError("--any-upload grades exactly one upload directory (Gradescope's /autograder/submission)")
    if args.out is not None and args.out.is_dir():
        raise UsageError(f"--out is the report file, and {args.out} is a directory "
                         "(one Markdown feedback file per student: --feedback-dir DIR)")


def _report_text(kind, results, elapsed, preface=()):
    """The one report of ``course grade`` in the format ``kind`` (text, json, csv, gradescope, classroom).

    ``preface``: lines said before the report (what ``--any-upload`` found where)."""
    from ..grading import reports

    if preface and kind == "gradescope":
        return json.dumps(reports.gradescope(results[0], elapsed, preface=preface), indent=2) + "\n"
    if preface and kind == "text":
        return "\n".join(preface) + "\n" + _report_text(kind, results, elapsed)

    if kind == "text":
        text = "\n\n".join(reports.text(report) for report in results)
        return text + ("\n\n" + reports.score_table(results) if len(results) > 1 else "") + "\n"
    if kind == "json":
        return reports.to_json(results) + "\n"
    if kind == "csv":
        return reports.csv_rows(results)
    if kind == "gradescope":
        return json.dumps(reports.gradescope(results[0], elapsed), indent=2) + "\n"
    return json.dumps(reports.classroom(results[0])) + "\n"


def _emit(text, out):
    """Write ``text`` to the file ``out`` (its folder created), or to stdout when ``out`` is None."""
    if out is None:
        sys.stdout.write(text)
    else:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


def cmd_bundle(args):
    from .bundle import write_bundle

    print(f"wrote {write_bundle(args.out, manifest=args.manifest)}")


def cmd_gradescope(args):
    from .gradescope import write_autograder_zip

    print(f"wrote {write_autograder_zip(args.out, manifest=args.manifest)}")


def cmd_classroom_grader(args):
    from .classroom_grader import write_workflow

    path = write_workflow(args.out, _manifest(args), args.assignment, args.shards, args.org, args.prefix,
                          args.roster, args.allow_placeholder)
    print(f"wrote {path}: commit it to the course's private repository and add the CLASSROOM_TOKEN secret")


def cmd_check(args):
    from .check import run_check

    manifest = _manifest(args)
    unknown = sorted(set(args.assignment or ()) - {a.id for a in manifest.assignments})
    if unknown:
        raise UsageError(f"no assignment {', '.join(unknown)} in {manifest.path}")
    result = run_check(seed=args.seed, jobs=args.jobs, manifest=manifest, assignment_ids=args.assignment)
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

    run_demo(manifest=_manifest(args))


# The module of autograder/authoring/ each verb needs (manifest and grade need none). A grader bundle holds
# only cli, bundle and solution_markers there, so its ``course --help`` lists only the verbs it can run.
VERB_MODULES = {"stubs": "release", "release": "release", "fixtures": "public_fixtures", "samples": "samples",
                "bundle": "bundle", "gradescope": "gradescope", "check": "check", "experiment": "experiments",
                "nbgrader": "notebooks", "nbgrader-grade": "nbgrader_grade", "demo": "demo",
                "classroom-grader": "classroom_grader"}


def available_verbs():
    """The verbs whose module this installation holds (all of them in the repository)."""
    verbs = ["manifest", "stubs", "release", "fixtures", "samples", "grade", "bundle", "gradescope", "check",
             "experiment", "nbgrader", "nbgrader-grade", "demo", "classroom-grader"]
    return [verb for verb in verbs
            if verb not in VERB_MODULES or importlib.util.find_spec(f"{__package__}.{VERB_MODULES[verb]}")]


def cmd_nbgrader(args):
    from .notebooks import run

    run(args)


def cmd_nbgrader_grade(args):
    from .nbgrader_grade import run

    run(args)


def build_parser():
    parser = argparse.ArgumentParser(prog="course", description="Instructor tooling of the RNN course.")
    parser.add_argument("--manifest", type=Path,
                        help="the course manifest every verb reads (default: the repository's course.yml)")
    subparsers = parser.add_subparsers(dest="verb", required=True)
    available = available_verbs()

    def verb(name, help, func):
        """Add the verb ``name``; None (nothing added) when this installation lacks its module."""
        if name not in available:
            return None
        sub = subparsers.add_parser(name, help=help)
        sub.set_defaults(func=func)
        return sub

    verb("manifest", "validate course.yml", cmd_manifest)
    if stubs := verb("stubs", "regenerate assignments/ from solutions/", cmd_stubs):
        stubs.add_argument("--out", type=Path, default=REPO_ROOT / "assignments")
    if release := verb("release", "write a standalone student repository", cmd_release):
        release.add_argument("--out", type=Path, required=True, help="a new or empty directory")
        release.add_argument("--assignment", action="append", metavar="ID",
                             help="release only this assignment (repeatable), e.g. a2: a staged release ships "
                                  "the earlier packages it needs as stubs for the student's own code")
        release.add_argument("--lang", choices=LANGUAGES, help="language of hints, README and messages "
                                                              "(default: course.yml's course.language)")
    verb("fixtures", "regenerate tests/public/fixtures", cmd_fixtures)
    if samples := verb("samples", "write the sample submissions (complete, empty, partial, mistakes)", cmd_samples):
        samples.add_argument("--out", type=Path, required=True, help="a new or empty directory")
    grade = verb("grade", "grade submissions (directories or zips)", cmd_grade)
    grade.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION")
    grade.add_argument("--assignment", action="append", help="grade only this assignment (repeatable), e.g. a3")
    grade.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    grade.add_argument("--format", choices=["text", "json", "csv", "gradescope", "classroom"], default="text",
                       help="the report written to --out: text (with a class score table), json, csv (one "
                            "gradebook row per student), gradescope (results.json), classroom (the result JSON of "
                            "GitHub's grading reporter); gradescope and classroom grade one submission")
    grade.add_argument("--out", type=Path, metavar="FILE", help="the report file (default: stdout)")
    grade.add_argument("--feedback-dir", type=Path, metavar="DIR",
                       help="also write one Markdown feedback file per student, DIR/<student>.md")
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
    grade.add_argument("--summary", type=Path, metavar="FILE",
                       help="also append a Markdown table of the one submission to FILE (a job summary)")
    grade.add_argument("--any-upload", action="store_true",
                       help="accept any upload shape (Gradescope): the repository, a zip of it, the assignments/ "
                            "folder, its contents or single module files matched by the functions they define")
    grade.add_argument("--bundle", type=Path, help="grade with the code of this grader bundle (course bundle)")
    if bundle := verb("bundle", "pack the hidden grader (graders, reference, manifest)", cmd_bundle):
        bundle.add_argument("--out", type=Path, default=Path("grader.tar.gz"))
    if gradescope := verb("gradescope", "build Gradescope's autograder.zip", cmd_gradescope):
        gradescope.add_argument("--out", type=Path, default=Path("autograder.zip"))
    if check := verb("check", "self-check of the graders (reference, stubs, mutants)", cmd_check):
        check.add_argument("--seed", type=int)
        check.add_argument("--jobs", type=int, default=2)
        check.add_argument("--assignment", action="append", metavar="ID",
                           help="check only this assignment's tasks and mistakes (repeatable; default: all)")
    if experiment := verb("experiment", "run experiments of the reference solutions, write figures", cmd_experiment):
        experiment.add_argument("names", nargs="*", metavar="NAME", help="char_lm, vanishing, clipping, "
                                                                         "truncated_bptt, adding, gates (default: all)")
        experiment.add_argument("--out", type=Path, default=Path("out/experiments"))
        experiment.add_argument("--quick", action="store_true", help="the shortened versions used by the tests")
        experiment.add_argument("--seed", type=int, default=0)
    if nbgrader := verb("nbgrader", "write the nbgrader course directory (source/, release/)", cmd_nbgrader):
        from .notebooks import add_arguments

        add_arguments(nbgrader)
    if nbgrader_grade := verb("nbgrader-grade", "after nbgrader autograde: grade the collected submissions in the "
                              "sandbox and write the graded cells' points into the gradebook", cmd_nbgrader_grade):
        from .nbgrader_grade import add_arguments as add_nbgrader_grade_arguments

        add_nbgrader_grade_arguments(nbgrader_grade)
    verb("demo", "build the release, then grade generated sample submissions", cmd_demo)
    if grader := verb("classroom-grader", "write the class-grading workflow (grade of record on GitHub Actions)",
                      cmd_classroom_grader):
        grader.add_argument("--out", type=Path, required=True, help="the course repository (or any folder)")
        grader.add_argument("--assignment", required=True, help="the assignment to grade, e.g. a2")
        grader.add_argument("--shards", type=int, default=4, help="runners of the matrix")
        grader.add_argument("--org", help="the organisation whose repositories are listed through the API")
        grader.add_argument("--prefix", help="with --org: the repositories' name prefix (default: '<assignment>-')")
        grader.add_argument("--roster", help="a roster file in the course repository: owner/name a line")
        grader.add_argument("--allow-placeholder", action="store_true",
                            help="write the workflow even with a placeholder organisation (your-org)")
    return parser


def main(argv=None):
    """Run ``course ARGV``; returns the exit code: 0 done, 2 a user error (see :func:`is_user_error`), 1 a
    failed run (``course check`` finding a problem, a bundle's grading failing). Both print one message."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except Exception as error:  # noqa: BLE001 - sorted below; anything else is a bug and keeps its traceback
        if not is_user_error(error) and not isinstance(error, RuntimeError):
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"course {args.verb}: {message}", file=sys.stderr)
        return 2 if is_user_error(error) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
