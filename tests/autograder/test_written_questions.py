"""Written questions: declared once in course.yml, answered in answers.md or notebook cells, graded by hand.

- course.yml: at least three questions per assignment, text in every language; a rubric in course.yml is
  refused (the student release copies course.yml); rubrics/ has one per question, criteria adding up;
- the release's answers.md and handouts list every question; no rubric text reaches the student release,
  the nbgrader notebooks, the grader bundle or Gradescope's zip and results;
- ``course grade`` reads answers.md through the intake (size cap, no links) and reports every question as
  pending in every format, never in the automatic total;
- the notebooks get one manually graded answer cell per question, with the question's points.
"""

import csv
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder.authoring import notebooks
from autograder.authoring.question_cells import answer_cells
from autograder.authoring.release import build_assignments, build_student_repo
from autograder.authoring.samples import copy_as_submission
from autograder.grading import mistakes, reports, written_answers
from autograder.grading.grade import grade_submission, zero_report
from autograder.grading.sandbox import Limits
from autograder.runtime.manifest import REPO_ROOT, ManifestError, load_manifest
from autograder.runtime.problems import problem

MANIFEST = load_manifest()
RUBRICS = yaml.safe_load((REPO_ROOT / "rubrics" / "written_questions.yml").read_text(encoding="utf-8"))
FAST = Limits(cpu_seconds=20, wall_seconds_per_request=10)


def rubric_needles():
    """Pieces of rubric text that must never reach a student: every criterion, and each model answer's start."""
    needles = set()
    for entry in RUBRICS.values():
        needles.add(" ".join(entry["answer"].split())[:80])
        needles.update(" ".join(criterion["text"].split()) for criterion in entry["criteria"])
    return needles


def leaked_rubric(texts):
    """[(where, needle)] of rubric pieces found in {where: text}."""
    return [(where, needle) for where, text in texts.items() for needle in rubric_needles()
            if needle in " ".join(text.split())]


def test_every_assignment_has_at_least_three_questions_in_every_language():
    for assignment in MANIFEST.assignments:
        assert len(assignment.questions) >= 3, assignment.id
        for question in assignment.questions:
            assert question.id.startswith(f"Q{assignment.number}.") and question.points > 0
            assert all(question.text(lang).strip() for lang in ("en", "ko")), question.id
        assert assignment.written_points == sum(q.points for q in assignment.questions)
        # the automatic total is the tasks' alone
        assert assignment.points == sum(task.points for task in assignment.tasks)


@pytest.mark.parametrize("edit,message", [
    (lambda q: q.update(rubric="the answer is ..."), "a rubric belongs in rubrics/"),
    (lambda q: q.update(id="Q9.1"), "must start with Q and the assignment number 1"),
    (lambda q: q.update(points=0), "points must be > 0"),
    (lambda q: q["text"].pop("ko"), "text has no 'ko' text"),
])
def test_malformed_questions_are_refused(tmp_path, edit, message):
    raw = yaml.safe_load((REPO_ROOT / "course.yml").read_text(encoding="utf-8"))
    edit(raw["assignments"][0]["questions"][0])
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_manifest(path, solutions_dir=REPO_ROOT / "solutions")


def test_every_question_has_a_rubric_whose_criteria_add_up():
    ids = {question.id for question in MANIFEST.questions}
    assert set(RUBRICS) == ids
    for question in MANIFEST.questions:
        entry = RUBRICS[question.id]
        assert entry["answer"].strip() and entry["criteria"], question.id
        assert sum(criterion["points"] for criterion in entry["criteria"]) == question.points, question.id


def test_answer_sheets_and_handouts_list_every_question(tmp_path):
    for lang in ("en", "ko"):
        build_assignments(tmp_path / lang, MANIFEST, lang)
        for assignment in MANIFEST.assignments:
            sheet = (tmp_path / lang / assignment.package / "answers.md").read_text(encoding="utf-8")
            readme = (REPO_ROOT / "assignments" / assignment.package /
                      ("README.md" if lang == "en" else f"README.{lang}.md")).read_text(encoding="utf-8")
            parsed = written_answers.parse_answers(sheet, [q.id for q in assignment.questions])
            assert all(status == "blank" for status, _ in parsed.values()), parsed  # room for every answer
            for question in assignment.questions:
                assert question.text(lang) in sheet and question.text(lang) in readme, (lang, question.id)
    assert (REPO_ROOT / "assignments" / "a1_vanilla_rnn" / "answers.md").read_text(encoding="utf-8") == \
        written_answers.answer_sheet(MANIFEST.assignment("a1"), "en")


def test_no_rubric_text_in_the_release_the_notebooks_the_bundle_or_gradescope(tmp_path):
    assert leaked_rubric({"self-test": RUBRICS["Q3.1"]["criteria"][0]["text"]})  # the scan finds a rubric
    out = tmp_path / "student"
    build_student_repo(out, MANIFEST)
    texts = {str(path.relative_to(out)): path.read_text(encoding="utf-8", errors="replace")
             for path in out.rglob("*") if path.is_file()}
    assert "assignments/a2_bptt_gradients/answers.md" in texts
    assert not any("rubric" in name for name in texts)
    for assignment in MANIFEST.assignments:
        for lang in ("en", "ko"):
            nb = notebooks.load_notebook(assignment, lang=lang)
            texts[f"{assignment.id}.{lang}.ipynb"] = "\n".join(cell.source for cell in nb.cells)
    from autograder.authoring.gradescope import write_autograder_zip

    archive = write_autograder_zip(tmp_path / "autograder.zip", MANIFEST.path)
    with zipfile.ZipFile(archive) as zf:
        assert not any("rubric" in name for name in zf.namelist())
        texts.update({f"zip:{name}": zf.read(name).decode("utf-8", "replace") for name in zf.namelist()})
    assert leaked_rubric(texts) == []


# grading -------------------------------------------------------------------------------------------------
def _package(tmp_path, sheet_text):
    package = tmp_path / "assignments"
    (package / "a3_lstm").mkdir(parents=True)
    if sheet_text is not None:
        (package / "a3_lstm" / "answers.md").write_bytes(sheet_text if isinstance(sheet_text, bytes)
                                                         else sheet_text.encode("utf-8"))
    return package


def _answered(assignment, answers):
    sheet = written_answers.answer_sheet(assignment, "en")
    for question_id, text in answers.items():
        marker = written_answers.BEGIN.format(id=question_id)
        sheet = sheet.replace(marker + "\n", marker + "\n" + text + "\n")
    return sheet


def test_collect_reads_each_answer_and_says_what_it_found(tmp_path):
    a3 = MANIFEST.assignment("a3")
    sheet = _answered(a3, {"Q3.1": "The cell path multiplies by diag(f).", "Q3.3": "   "})
    sheet = sheet.replace(written_answers.END.format(id="Q3.2"), "")  # a damaged marker
    found = {a.question_id: a for a in written_answers.collect(_package(tmp_path, sheet), [a3])}
    assert found["Q3.1"].status == "answered" and found["Q3.1"].text == "The cell path multiplies by diag(f)."
    assert found["Q3.2"].status == "no_markers" and found["Q3.3"].status == "blank"
    assert all(a.max_points == MANIFEST.assignment("a3").questions[0].points for a in found.values())


@pytest.mark.parametrize("content,status", [
    (None, "no_sheet"),
    (b"\xff\xfe not utf-8", "not_utf8"),
    ("x" * (written_answers.MAX_SHEET_BYTES + 1), "too_large"),
])
def test_collect_refuses_what_it_cannot_read(tmp_path, content, status):
    a3 = MANIFEST.assignment("a3")
    answers = written_answers.collect(_package(tmp_path, content), [a3])
    assert [a.status for a in answers] == [status] * len(a3.questions)
    assert all(a.text == "" for a in answers)


def test_collect_does_not_follow_a_link(tmp_path):
    a3 = MANIFEST.assignment("a3")
    secret = tmp_path / "secret.md"
    secret.write_text(_answered(a3, {"Q3.1": "a secret outside the submission"}), encoding="utf-8")
    package = _package(tmp_path, None)
    os.symlink(secret, package / "a3_lstm" / "answers.md")
    assert {a.status for a in written_answers.collect(package, [a3])} == {"no_sheet"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The reference with answers.md of A4 partly filled in, graded on A4: the report."""
    root = tmp_path_factory.mktemp("answered")
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    a4 = MANIFEST.assignment("a4")
    (root / "assignments" / "a4_gru" / "answers.md").write_text(
        _answered(a4, {"Q4.1": "z is the fraction of the old state that is kept."}), encoding="utf-8")
    return grade_submission(root, MANIFEST, ["a4"], seed=5, limits=FAST)


def test_course_grade_reports_written_answers_as_pending_never_scored(graded):
    a4 = MANIFEST.assignment("a4")
    assert [a.question_id for a in graded.written] == [q.id for q in a4.questions]
    assert [a.status for a in graded.written] == ["answered", "blank", "blank"]
    assert graded.points == graded.max_points == a4.points  # the automatic total, written points not in it
    assert graded.written_points == a4.written_points
    data = reports.to_dict(graded, "en")
    assert data["points"] == data["max_points"] == a4.points and data["written_points"] == a4.written_points
    assert data["written"][0] == {"id": "Q4.1", "assignment": "a4", "points": None, "pending": True,
                                  "max_points": 2.0, "status": "answered",
                                  "status_text": "answer found (48 characters)",
                                  "answer": "z is the fraction of the old state that is kept."}
    text = reports.text(graded, "en")
    assert f"written questions, graded by hand (not in the total above): {a4.written_points:g} points" in text
    assert "Q4.2  pending / 2  no answer written yet" in text
    markdown = reports.markdown(graded, "ko")
    assert "## 서술형 문항 (손으로 채점)" in markdown and "| Q4.1 | 대기 / 2 | 답을 찾았습니다 (48자) |" in markdown
    header, row = csv.reader(io.StringIO(reports.csv_rows([graded])))
    written = header.index("written Q4.1 (by hand, max 2)")
    assert header[written:] == ["written Q4.1 (by hand, max 2)", "written Q4.2 (by hand, max 2)",
                                "written Q4.3 (by hand, max 2)", "a4", "total", "max"]
    assert row[written:] == ["pending: answered", "pending: blank", "pending: blank", *[f"{a4.points:g}"] * 3]


def test_gradescope_shows_written_questions_as_pending_lines_outside_the_score(graded):
    result = reports.gradescope(graded, lang="en")
    assert [test["number"] for test in result["tests"]] == [task.id for task in MANIFEST.assignment("a4").tasks]
    assert result["score"] == sum(test["max_score"] for test in result["tests"]) == MANIFEST.assignment("a4").points
    assert "written questions, graded by hand (not in the total above): 6 points" in result["output"]
    assert "Q4.1  pending / 2  answer found (48 characters)" in result["output"]
    assert leaked_rubric({"results.json": json.dumps(result, ensure_ascii=False)}) == []


def test_an_unreadable_submission_reports_its_questions_as_not_read():
    report = zero_report(Path("gone.zip"), MANIFEST, ["a1"], problem("grade.failed"))
    assert [(a.question_id, a.status) for a in report.written] == [(q.id, "not_read")
                                                                   for q in MANIFEST.assignment("a1").questions]
    assert report.max_points == MANIFEST.assignment("a1").points


# notebooks -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", MANIFEST.assignments, ids=[a.id for a in MANIFEST.assignments])
def test_notebook_has_one_manual_answer_cell_per_question(assignment):
    from nbgrader.preprocessors import ClearSolutions

    for lang in ("en", "ko"):
        nb = notebooks.load_notebook(assignment, lang=lang)
        assert answer_cells(nb) == [(q.grade_id, q.points) for q in assignment.questions]
        for question in assignment.questions:
            assert any(question.text(lang) in cell.source for cell in nb.cells), (lang, question.id)
        # autograded cells carry the tasks' points, answer cells the questions'
        assert sum(points for _, points, _ in notebooks.graded_cells(nb)) == assignment.points
        assert sum(points for _, points in answer_cells(nb)) == assignment.written_points
        student, _ = ClearSolutions().preprocess(nb, {})
        answers = [cell for cell in student.cells if cell.metadata.get("nbgrader", {}).get("grade_id", "")
                   .startswith("answer_")]
        assert [cell.source for cell in answers] == ["YOUR ANSWER HERE"] * len(assignment.questions)
        assert all(not cell.metadata["nbgrader"]["locked"] and cell.cell_type == "markdown" for cell in answers)


def test_a_notebook_whose_answer_cell_does_not_fit_course_yml_is_refused():
    assignment = MANIFEST.assignment("a2")
    nb = notebooks.load_notebook(assignment)
    cell = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer_q2_2")
    cell.metadata["nbgrader"]["points"] = 5
    nb.cells.remove(next(cell for cell in nb.cells
                         if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer_q2_3"))
    problems = notebooks.notebook_problems(nb, assignment)
    assert "answer cell 'answer_q2_2' has 5 points, question Q2.2 has 2 in course.yml" in problems
    assert "question Q2.3 has no answer cell (answer_q2_3)" in problems


def test_the_bundle_holds_no_rubric(tmp_path):
    from autograder.authoring.bundle import write_bundle

    with tarfile.open(write_bundle(tmp_path / "grader.tar.gz")) as archive:
        names = archive.getnames()
    assert "grader/autograder/grading/written_answers.py" in names
    assert not any("rubric" in name for name in names)  # instructor-only all the same: the rubric stays here
