"""``course classroom-grader --out DIR``: class grading on GitHub Actions, the grade of record of a GitHub course.

It writes ``DIR/.github/workflows/grade-<assignment>.yml`` for the instructor's PRIVATE repository (this
course repository: grader and solutions). Run by hand (workflow_dispatch) after the deadline, it

1. lists the students' repositories of the assignment: a roster file in the repository (one
   ``owner/name`` a line) or the GitHub API (the organisation's repositories whose names start with a
   prefix, as GitHub Classroom-style templates name them);
2. grades them sharded over a matrix of N runners: each shard clones its repositories (``i % N == k`` of
   the sorted roster) with a read-only token and runs ``course grade`` on them, in the sandbox
   (bubblewrap), with ONE seed for the whole class;
3. merges the shards' JSON reports into one CSV gradebook (the columns of ``course grade --format csv``)
   and uploads it with every student's Markdown feedback as artifacts.

The student repositories' own workflow stays feedback only. The helpers behind the workflow's steps are
the subcommands of ``python -m autograder.authoring.classroom_grader {roster,shard,merge}``.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from ..grading.reports import csv_from_dicts

WORKFLOW_TEMPLATE = Path(__file__).resolve().parent / "delivery_templates" / "classroom_grader.yml"
PLACEHOLDER_ORGS = {"your-org", "YOUR-ORG", "example-org"}
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")


class ClassroomGraderError(ValueError):
    """Options that do not describe a class to grade (placeholder organisation, bad roster line...)."""


# the workflow ---------------------------------------------------------------------------------------------
def write_workflow(out, manifest, assignment_id, shards=4, org=None, prefix=None, roster=None,
                   allow_placeholder=False):
    """Write the class-grading workflow of one assignment into ``out/.github/workflows/``; returns its path."""
    assignment = manifest.assignment(assignment_id)
    if (org is None) == (roster is None):
        raise ClassroomGraderError("give either --roster FILE (owner/name lines) or --org ORG (with --prefix)")
    if org is not None and org in PLACEHOLDER_ORGS and not allow_placeholder:
        raise ClassroomGraderError(f"--org {org} is a placeholder: name your organisation "
                                   "(or pass --allow-placeholder to write the workflow anyway)")
    if not 1 <= shards <= 64:
        raise ClassroomGraderError("--shards must be between 1 and 64")
    source = f"--roster {roster}" if roster else f"--org {org} --prefix {prefix or assignment.id + '-'}"
    text = WORKFLOW_TEMPLATE.read_text(encoding="utf-8")
    for key, value in (("ASSIGNMENT", assignment.id), ("PACKAGE", assignment.package), ("SOURCE", source),
                       ("SHARDS", json.dumps(list(range(shards)))), ("SHARD_COUNT", str(shards))):
        text = text.replace("{{" + key + "}}", value)
    path = Path(out) / ".github" / "workflows" / f"grade-{assignment.id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# step 1: the roster -------------------------------------------------------------------------------------
def read_roster(path):
    """The ``owner/name`` lines of a roster file (blank lines and ``#`` comments skipped), sorted, unique."""
    repos = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        if not REPOSITORY.match(line):
            raise ClassroomGraderError(f"{path}:{number}: {line!r} is not a repository (owner/name)")
        repos.append(line)
    return sorted(set(repos))


def list_org_repositories(org, prefix, token):
    """The organisation's repositories whose names start with ``prefix`` (GitHub API, every page)."""
    repos, page = [], 1
    while True:
        request = urllib.request.Request(f"https://api.github.com/orgs/{org}/repos?per_page=100&page={page}",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Accept": "application/vnd.github+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            batch = json.load(response)
        repos += [item["full_name"] for item in batch if item["name"].startswith(prefix)]
        if len(batch) < 100:
            return sorted(repos)
        page += 1


def shard(repos, index, count):
    """The repositories of shard ``index`` of ``count``: every count-th of the sorted list."""
    return [repo for i, repo in enumerate(sorted(repos)) if i % count == index]


# step 2: one shard ----------------------------------------------------------------------------------------
def clone(repos, out, token):
    """Shallow-clone each repository into ``out/<name>`` (the token in one request header, never on disk)."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    header = []
    if token:
        import base64

        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        header = ["-c", f"http.https://github.com/.extraheader=AUTHORIZATION: basic {basic}"]
    missing = []
    for repo in repos:
        result = subprocess.run(["git", *header, "clone", "--quiet", "--depth", "1",
                                 f"https://github.com/{repo}.git", str(out / repo.split("/")[1])],
                                env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            missing.append(repo)
    return missing


# step 3: merge --------------------------------------------------------------------------------------------
def merge_reports(json_texts):
    """One CSV gradebook from the JSON reports of the shards (``course grade --format json``), by student: the
    rows of ``course grade --format csv`` (the same writer, ``reports.csv_from_dicts``)."""
    reports = sorted((report for text in json_texts for report in json.loads(text)), key=lambda r: r["id"])
    ids = [report["id"] for report in reports]
    if len(set(ids)) != len(ids):
        raise ClassroomGraderError(f"a student is in two shards: {sorted({i for i in ids if ids.count(i) > 1})}")
    return csv_from_dicts(reports)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="classroom_grader", description="steps of the class-grading workflow")
    sub = parser.add_subparsers(dest="step", required=True)
    roster = sub.add_parser("roster", help="print the students' repositories, one a line")
    roster.add_argument("--roster", type=Path)
    roster.add_argument("--org")
    roster.add_argument("--prefix", default="")
    one = sub.add_parser("shard", help="clone one shard's repositories into OUT/<name>")
    one.add_argument("repos", type=Path, help="the roster step's output")
    one.add_argument("--index", type=int, required=True)
    one.add_argument("--count", type=int, required=True)
    one.add_argument("--out", type=Path, required=True)
    merge = sub.add_parser("merge", help="merge the shards' JSON reports into one CSV gradebook")
    merge.add_argument("reports", nargs="+", type=Path)
    merge.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    token = os.environ.get("GH_TOKEN", "")
    if args.step == "roster":
        repos = read_roster(args.roster) if args.roster else list_org_repositories(args.org, args.prefix, token)
        print("\n".join(repos))
    elif args.step == "shard":
        repos = shard(read_roster(args.repos), args.index, args.count)
        missing = clone(repos, args.out, token)
        print(f"shard {args.index}/{args.count}: cloned {len(repos) - len(missing)} of {len(repos)} repositories")
        for repo in missing:
            print(f"::warning title=Not cloned::{repo} (no access, or it does not exist)")
    else:
        args.out.write_text(merge_reports([path.read_text(encoding="utf-8") for path in args.reports]),
                            encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
