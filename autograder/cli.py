"""The one entry point of the instructor tooling: ``course VERB ...``.

Verbs (one module each):
  manifest   validate course.yml and print the task table      (manifest.py)
  stubs      regenerate assignments/ from solutions/           (release.py)
  release    write a standalone student repository             (release.py)
  fixtures   regenerate the public tests' expected values      (public_fixtures.py)
  demo       the main job on bundled data                      (demo.py)
"""

import argparse
import sys
from pathlib import Path

from .manifest import REPO_ROOT, ManifestError, load_manifest
from .solution_markers import MarkerError


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

    build = build_student_repo(args.out, load_manifest(args.manifest))
    print(f"wrote the student repository ({len(build.written)} files) to {args.out}; no solution line found")


def cmd_fixtures(args):
    from .public_fixtures import write_fixtures

    for path in write_fixtures(manifest=load_manifest(args.manifest)):
        print(f"wrote {path}")


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
    release.set_defaults(func=cmd_release)
    verbs.add_parser("fixtures", help="regenerate tests/public/fixtures").set_defaults(func=cmd_fixtures)
    verbs.add_parser("demo", help="run the main job on bundled data").set_defaults(func=cmd_demo)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (ManifestError, MarkerError) as error:
        print(f"course {args.verb}: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"course {args.verb}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
