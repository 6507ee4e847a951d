"""The delivery paths of benchmarks/delivery_paths.py: each grades sample submissions as that path does.

Every ``run_<path>(samples, seed, work)`` takes {name: sample folder (holding ``assignments/``)}, the seed
and a scratch folder, and returns ``({name: total points}, [notes])``; a path that has a second total (the
Actions feedback: the reporter's console and notice) returns {name: (first, second)}.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

from autograder.authoring import classroom_grader, notebooks
from autograder.authoring.gradescope import write_autograder_zip
from autograder.authoring.release import build_student_repo
from autograder.grading.grade import grade_many
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from autograder.runtime.messages import catalogue

COURSE_CLI = [sys.executable, "-m", "autograder.authoring.cli"]


def _clean_env(**extra):
    """This environment without PYTHONPATH or RNN_COURSE_IMPL (nothing of this checkout leaks into a path)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    env.update(extra)
    return env


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


# 1. course grade ------------------------------------------------------------------------------------------
def run_local(samples, seed, work, jobs=2):
    reports = grade_many(list(samples.values()), seed=seed, jobs=jobs)
    return {name: report.points for name, report in zip(samples, reports)}, []


# 2. Gradescope --------------------------------------------------------------------------------------------
def printed_seed(message_key, text, lang="en"):
    """The seed that ``text`` names where the message ``message_key`` (with a ``{seed}`` field) was rendered in
    ``lang``, or None."""
    parts = re.split(r"(\{\w+\})", catalogue(lang)[message_key])
    pattern = "".join(r"(\d+)" if part == "{seed}" else ".*?" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
                      for part in parts)
    found = re.findall(pattern, text)
    return int(found[-1]) if found else None


def run_gradescope(samples, seed, work):
    """Gradescope's /autograder simulated per sample (AUTOGRADER_ROOT): the zip in source/, venv/bin/python
    running this interpreter (what setup.sh builds), the sample's files in submission/. run_autograder takes
    no seed: Gradescope grades every submission on a fresh one (printed in its output)."""
    archive = write_autograder_zip(work / "autograder.zip")
    totals, seeds = {}, {}
    for name, sample in samples.items():
        root = work / name
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(root / "source")
        for script in ("run_autograder", "setup.sh"):
            (root / "source" / script).chmod(0o755)
        python = root / "venv" / "bin" / "python"
        python.parent.mkdir(parents=True)
        python.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
        python.chmod(0o755)
        shutil.copytree(sample, root / "submission")  # the student's repository, uploaded as it is
        _run(["bash", str(root / "source" / "run_autograder")], timeout=1800,
             env=_clean_env(AUTOGRADER_ROOT=str(root), PATH="/usr/bin:/bin"))
        results = json.loads((root / "results" / "results.json").read_text())
        totals[name], seeds[name] = results["score"], printed_seed("report.gradescope_output", results.get("output", ""))
    return totals, ["Gradescope drew its own seeds (run_autograder takes none): "
                    + ", ".join(f"{name} {seeds[name]}" for name in samples)]


# 3. the student repository's workflow (feedback only) ------------------------------------------------------
def reporter_totals(results):
    """The two totals of classroom-resources/autograding-grading-reporter@v1 for report.py's runner results.

    Console (src/helpers/test-helpers.js getTestScore, summed by aggregate-results.js): per runner,
    (tests with status "pass" / number of tests) x max_score. Notice (src/notify-classroom.js): the sum
    of every test's score, over runners whose max_score is not 0.
    """
    console = sum(sum(t["status"] == "pass" for t in r["tests"]) / len(r["tests"]) * (r["max_score"] or 0)
                  for r in results.values())
    notice = sum(t["score"] for r in results.values() if r["max_score"] for t in r["tests"])
    return console, notice


def run_actions_feedback(samples, seed, work):
    """The release's .github/workflows/classroom.yml, its run steps, in a copy of the release holding the
    sample's assignments/: Install (pip install -e . into one fresh venv), Hidden checks, Points. The public
    tests step changes no point and is skipped. Takes no seed: the hidden cases are precomputed at release."""

    template = work / "release"
    build_student_repo(template)
    venv = work / "student-venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    steps = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text())["jobs"]["grade"]["steps"]
    run_steps = [step for step in steps if "run" in step and not step["name"].startswith("Public tests")]
    totals = {}
    for name, sample in samples.items():
        clone = work / name
        shutil.copytree(template, clone)
        shutil.rmtree(clone / "assignments")
        shutil.copytree(sample / "assignments", clone / "assignments")
        runner_temp = work / f"{name}-runner-temp"
        runner_temp.mkdir()
        env = _clean_env(PATH=f"{venv / 'bin'}:{os.environ['PATH']}", RUNNER_TEMP=str(runner_temp),
                         GITHUB_STEP_SUMMARY=str(work / f"{name}-summary.md"), GITHUB_WORKSPACE=str(clone),
                         CI="true")
        for step in run_steps:
            result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=env, capture_output=True,
                                    text=True, timeout=60 * step["timeout-minutes"])
            if step["name"] == "Install" and result.returncode != 0:
                raise RuntimeError(f"Install failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        results = json.loads((runner_temp / "results.json").read_text())
        totals[name] = reporter_totals(results)
    return totals, ["Actions feedback: the release's precomputed hidden cases (no seed); a task that calls a "
                    "buggy task, or takes its inputs from one (OutputOf), fails with it (no reference on the "
                    "student's runner); pass/fail per task (no partial credit)"]


# 4. class grading on Actions (grade of record of a GitHub course) --------------------------------------------
def run_classroom(samples, seed, work, shards=2):
    """Per assignment, as its grade-<assignment>.yml does: the roster sorted, split over ``shards`` matrix
    runners, each ``course grade REPOS --assignment ID --seed SEED --sandbox bubblewrap --format json``,
    then the merge job's CSV gradebook; a sample's total is the sum of its 'total' over the assignments."""
    totals = dict.fromkeys(samples, 0.0)
    for assignment in load_manifest().assignments:
        class_dir = work / assignment.id / "submissions"
        repos = {f"rnn-2026/{assignment.id}-{name}": name for name in samples}
        for repo, name in repos.items():
            shutil.copytree(samples[name], class_dir / repo.split("/")[1])  # the shard step's clones
        texts = []
        for index in range(shards):
            names = [repo.split("/")[1] for repo in classroom_grader.shard(list(repos), index, shards)]
            out = work / assignment.id / f"shard-{index}.json"
            if not names:
                out.write_text("[]")
            else:
                _run([*COURSE_CLI, "grade", *[str(class_dir / n) for n in names], "--assignment", assignment.id,
                      "--seed", str(seed), "--sandbox", "bubblewrap", "--format", "json", "--out", str(out),
                      "--feedback-dir", str(work / assignment.id / "feedback")],
                     cwd=REPO_ROOT, env=_clean_env(), timeout=3600)
            texts.append(out.read_text())
        gradebook = classroom_grader.merge_reports(texts)
        (work / f"gradebook-{assignment.id}.csv").write_text(gradebook)
        for row in csv.DictReader(io.StringIO(gradebook)):
            totals[repos["rnn-2026/" + row["student"]]] += float(row["total"])
    return totals, []


# 5. nbgrader -----------------------------------------------------------------------------------------------
def run_nbgrader(samples, seed, work):
    """``course nbgrader`` (build_course), then per assignment every sample submits the release folder with its
    own ``assignments/`` package (the notebook as released: glue and written answers unanswered);
    ``nbgrader autograde``, ``course nbgrader-grade --seed SEED``; the total is the sum of the students'
    submission scores in gradebook.db over the assignments (written questions: graded by hand, 0 here)."""
    from nbgrader.api import Gradebook

    manifest = load_manifest()
    course = work / "course"
    notebooks.build_course(course, manifest)
    for assignment in manifest.assignments:
        for name, sample in samples.items():
            destination = course / "submitted" / name / assignment.package
            shutil.copytree(course / "release" / assignment.package, destination)
            shutil.rmtree(destination / "assignments")
            shutil.copytree(sample / "assignments", destination / "assignments")
        notebooks.nbgrader(["autograde", assignment.package, "--force"], course)
        _run([*COURSE_CLI, "nbgrader-grade", str(course), "--assignment", assignment.id, "--seed", str(seed)],
             cwd=REPO_ROOT, env=_clean_env(), timeout=3600)
    totals = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name in samples:
            totals[name] = sum(gradebook.find_submission(a.package, name).score for a in manifest.assignments)
    return totals, []


PATHS = {"local": run_local, "gradescope": run_gradescope, "actions": run_actions_feedback,
         "classroom": run_classroom, "nbgrader": run_nbgrader}
