"""No student-visible text prints a backward formula past A1's worked example (issue 13, fading scaffolds).

Task 1.2 (``rnn_step_backward``) is the course's one worked example: its derivation is shown in the A1 handout,
between the markers ``<!-- worked-example: begin Task 1.2 -->`` and ``<!-- worked-example: end -->``. Everywhere
else a student sees the forward equations, the shapes and the method (chain rule, sum at forks, what to cache),
and derives the backward pass; the gradient check and the reference do the rest.

How the scan works
------------------
1. It builds the student release in each language into a temporary directory with the release's own steps
   (``write_assignments``, ``write_public_tests``, ``write_project_files``): stubs with their TODO lines and
   docstrings, README.md / README.ko.md of every assignment with the task table of hints, the public tests,
   the vendored runtime with its message catalogues, course.yml with every hint in every language, the
   student README. The hidden suite's precomputed data (reference outputs and fingerprints, about 9 s to
   compute) is numbers, so its text is read from its templates instead, as is the workflow's. It adds the
   notebooks' sources (jupytext, Markdown cells as comments; code cells) and their translations, without the
   ``### BEGIN SOLUTION`` blocks that nbgrader clears from the student's copy.
2. Every line of that text (JSON fixtures and the feedback suite's fingerprints excepted: data, not text) is
   matched against the patterns of ``FORMULA_PATTERNS``, which describe a backward formula in the three ways the
   course writes maths (Python, LaTeX, plain Unicode):
   - an assignment to a gradient, ``dh_prev = ...``, ``dW_x = ...``, ``dh_{t-1} = ...``, ``\\frac{\\partial
     L}{\\partial s} = ...``, ``∂L/∂h = ...``, whose right-hand side is more than a call of a named function
     (``dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)`` only uses a backward pass, it does not give one);
   - a gradient multiplied by something (``dh * z``, ``dc \\odot f``), or a product with a transposed matrix next
     to a gradient (``da @ Wx.T``, ``x.T @ da``, ``h^T dout``, ``da_{t+1} W_h^\\top``);
   - a local derivative written out: ``(1 - h**2)``, ``1 - g^2``, ``1 − h²``, ``1 - h_t \\odot h_t``,
     ``s(1-s)``, ``σ(a)(1 − σ(a))``, ``sigmoid' = ...``, ``tanh'(a) = ...``, a ReLU mask ``* (a > 0)``;
   the names of a gradient are the ``d``-prefixed names the solutions use (``dx``, ``dh_prev``, ``dWx``, ``dc``,
   ``do``, ``dz``, ``dpre``, ``dax_n``, ``dscores``, ...) and their LaTeX spellings (``dh_t``, ``dW_x``, ``da_{t+1}``).
3. Lines between the worked-example markers of the A1 handout (README.md and README.ko.md) are skipped; the
   markers must be there, exactly once per handout, so the allowance cannot silently widen to a whole file.
4. The grader's mistake-specific messages (``mistake.*`` keys of the message catalogues) are scanned by
   ``test_mistake_messages_print_no_backward_formula`` (rewritten as concepts for issue 12; its xfail marker is gone).

Attack first: run on main at 90e987e (before issue 13), the scan listed 328 lines (both release languages
and the notebooks): every backward task's hint and TODO, the A3/A4 docstrings and handouts, the softmax
gradient, the A2 notebook's hand-written many-to-one backward. ``test_the_scan_catches_main_texts`` keeps a
sample of them, one per notation, so a scan that stopped matching would fail there; ``BENIGN_TEXTS`` are the
lines it must let through (forward equations, the method, calls of backward functions, loss definitions of a
gradient check).

What it cannot catch: a formula in words ("multiply the upstream gradient by one minus the square of the
output"), a backward pass given through an analogy precise enough to copy, a formula split across lines, an
image, a gradient under a name outside the ``d``-convention (``grad_h = ...``), or a formula in a language
whose notation the patterns do not know. It also cannot judge whether a nudge is too strong; people review that.
"""

import re
import tempfile
from pathlib import Path

import pytest

from autograder.authoring import notebooks
from autograder.authoring import release
from autograder.runtime.manifest import LANGUAGES, load_manifest

WORKED_BEGIN = "<!-- worked-example: begin Task 1.2 -->"
WORKED_END = "<!-- worked-example: end -->"
WORKED_EXAMPLE_FILES = ("assignments/a1_vanilla_rnn/README.md", "assignments/a1_vanilla_rnn/README.ko.md")
SKIPPED_SUFFIXES = (".json",)

# The stem of a gradient's name: d + the name of what it is the gradient of.
_STEM = r"(?:W[xhy]?|b[xhy]?|a[xhfigozr]?|ah_n|ax_n|h0|h|x|c|v|z|r|n|o|i|f|g|s|y|pre|scores|out|layers|param)"
# dh_prev, dWx_t, dh_{t-1}, dW_x, dc_total, dh_t(total), dx[:, t], dW^{(l)}
GRAD = (r"(?<![\w\\])d" + _STEM + r"(?![a-z])(?:_[A-Za-z0-9]+|_\{[^}]*\})*(?:\^\{?\(?[^\s=]*?\)?\}?)?"
        r"(?:\[[^\]]*\])?(?:\((?:total|t)\))?")
PARTIAL = r"(?:\\frac\{\\partial L\}\{\\partial [^{}]*(?:\{[^{}]*\}[^{}]*)*\}|∂L\s*/\s*∂\S+|dL\s*/\s*d\S+|\\partial L\s*/\s*\\partial\s*\S+)"
TRANSPOSE = r"(?:\.T\b|\^\s*\\top|\^\{\\top\}|\^T\b|ᵀ|\\top)"
_ASSIGN = r"\s*(?<![<>!=≤≥])=(?!=)\s*(?P<rhs>.*)"
ASSIGNMENT = re.compile(r"(?P<lhs>" + GRAD + "|" + PARTIAL + r")" + _ASSIGN)
# A right-hand side that gives no formula: a call of a named function, a zero, nothing.
BENIGN_RHS = re.compile(r"\s*(?:(?:[A-Za-z_][A-Za-z0-9_]*|rng\.\w+|np\.random\.\w+|np\.zeros(?:_like)?)\(.*"
                        r"|(?:0|0\.0|None)\s*[`,;.)$]*\s*(?:#.*)?)?$")
# sum(dy * y): the loss whose gradient a check or a task takes (a vector-Jacobian product), not a backward formula
LOSS_OF_A_CHECK = re.compile(r"(?:np\.)?sum\(\s*" + GRAD + r"\s*\*[^)]*\)")

FORMULA_PATTERNS = {
    # (not Markdown emphasis: "do *not*")
    "gradient times something": re.compile(GRAD + r"\s*(?:\*(?![*\s]*\w+\*)|\\odot|⊙|\\circ)\s*[\w(\\]"),
    "transposed product next to a gradient": re.compile(
        TRANSPOSE + r"\s*(?:@|\\cdot)?\s*" + GRAD + "|" + GRAD + r"\s*(?:@|\\cdot)?\s*\(?[A-Za-z_\\{}]+" + TRANSPOSE),
    "local derivative (1 - y^2)": re.compile(
        r"1\s*[-−]\s*\\?[A-Za-z_][\w{}\[\]:,.\\]*(?:\([^)]*\))?\s*(?:\*\*\s*2|\^\s*\{?2\}?|²|\s*\\odot\s*\w+)"),
    "local derivative s(1 - s)": re.compile(r"(\\?[A-Za-z]+(?:\([^)]*\))?)\s*\*?\s*\(\s*1\s*[-−]\s*\1\s*\)"),
    "derivative of an activation, written out": re.compile(
        r"(?:sigmoid|tanh|relu|ReLU|σ|\\sigma|\\tanh|\\operatorname\{relu\})\s*['’′](?:\([^)]*\))?" + _ASSIGN),
    "ReLU mask": re.compile(r"(?:\*|\\odot|⊙)\s*\(?\s*(?:\[)?[\w-]*(?:pre-?activation|a|a_t|pre|\w+)\s*>\s*0\s*\)"),
}


def formula_hits(line):
    """The names of the patterns that ``line`` matches (empty: no backward formula found)."""
    line = LOSS_OF_A_CHECK.sub("L", line)
    hits = [name for name, pattern in FORMULA_PATTERNS.items() if pattern.search(line)]
    for match in ASSIGNMENT.finditer(line):
        if not BENIGN_RHS.fullmatch(match.group("rhs")):
            hits.append("assignment to a gradient")
            break
    return hits


def scan_lines(label, text):
    """[(label:line, pattern names, text)] of every line of ``text`` that holds a backward formula."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        hits = formula_hits(line)
        if hits:
            found.append((f"{label}:{number}", hits, line.strip()))
    return found


def without_worked_example(relative, text):
    """The A1 handout without its worked example (checked to be marked exactly once); other files unchanged."""
    if not relative.endswith(WORKED_EXAMPLE_FILES) or (WORKED_BEGIN not in text and WORKED_END not in text):
        return text  # unmarked: nothing is allowed (test_the_worked_example_is_marked_in_both_languages fails)
    assert text.count(WORKED_BEGIN) == 1 and text.count(WORKED_END) == 1, \
        f"{relative}: the worked example of Task 1.2 must be marked exactly once ({WORKED_BEGIN} ... {WORKED_END})"
    before, rest = text.split(WORKED_BEGIN)
    example, after = rest.split(WORKED_END)
    return before + "\n" * example.count("\n") + after  # keep the line numbers of the rest


def without_mistake_messages(relative, text):
    """A message catalogue without its ``mistake.*`` keys (scanned by their own test)."""
    if not relative.endswith(".yml") or "/messages/" not in "/" + relative:
        return text
    return "\n".join("" if line.startswith("mistake.") else line for line in text.splitlines())


def release_texts(out, lang):
    """{relative path: text} of every text file the student release in ``lang`` holds, written into ``out``.

    Runs the release's own steps, except the hidden suite's precomputed data (fingerprints of the reference's
    outputs: numbers, about 9 s to compute); the hidden suite's text comes from its templates."""
    build = release.Build(load_manifest(), Path(out), lang=lang)
    release.run_steps(build, (release.write_assignments, release.write_public_tests, release.write_project_files))
    texts = {}
    for path in sorted(Path(out).rglob("*")):
        if path.is_file() and path.suffix not in SKIPPED_SUFFIXES:
            texts[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
    for path in sorted(release.HIDDEN_SUITE_DIR.glob("*.py")) + [release.WORKFLOW_TEMPLATE]:
        texts[f"{release.HIDDEN_DIR.as_posix()}/{path.name}"] = path.read_text(encoding="utf-8")
    return texts


def notebook_texts():
    """{file: text} of the notebooks' sources (jupytext, Markdown cells as comments) and their translations,
    without the ``### BEGIN SOLUTION`` blocks that nbgrader clears from the student's copy."""
    texts = {}
    for path in sorted(notebooks.NOTEBOOKS_DIR.glob("*.py")) + sorted(notebooks.NOTEBOOKS_DIR.glob("translations/*.md")):
        lines, inside = [], False
        for line in path.read_text(encoding="utf-8").splitlines():
            if notebooks.BEGIN_SOLUTION in line:
                inside = True
            lines.append("" if inside else line)  # keep the line numbers
            if notebooks.END_SOLUTION in line:
                inside = False
        texts[path.relative_to(notebooks.REPO_ROOT).as_posix()] = "\n".join(lines)
    return texts


@pytest.fixture(scope="module")
def student_texts():
    texts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lang in LANGUAGES:
            texts.update({f"release-{lang}/{path}": text for path, text in release_texts(Path(tmp) / lang, lang).items()})
    texts.update(notebook_texts())
    return texts


def _report(found):
    return "\n".join(f"  {where}: [{', '.join(hits)}] {line}" for where, hits, line in found)


def test_no_student_visible_text_prints_a_backward_formula(student_texts):
    found = []
    for relative, text in student_texts.items():
        text = without_mistake_messages(relative, without_worked_example(relative, text))
        found += scan_lines(relative, text)
    assert not found, (f"{len(found)} student-visible line(s) print a backward formula (past the worked example "
                       f"of Task 1.2); give the method, not the formula:\n{_report(found)}")


def test_the_worked_example_is_marked_in_both_languages(student_texts):
    for relative in [f"release-en/{name}" for name in WORKED_EXAMPLE_FILES]:
        assert WORKED_BEGIN in student_texts[relative], f"{relative}: the worked example of Task 1.2 is not marked"
        example = student_texts[relative].split(WORKED_BEGIN)[1].split(WORKED_END)[0]
        assert scan_lines(relative, example), f"{relative}: the marked worked example shows no derivation"


def test_mistake_messages_print_no_backward_formula(student_texts):
    found = []
    for relative, text in student_texts.items():
        if relative.endswith(".yml") and "/messages/" in "/" + relative:
            lines = [line if line.startswith("mistake.") else "" for line in text.splitlines()]
            found += scan_lines(relative, "\n".join(lines))
    assert not found, _report(found)


# --- the scan can fail: today's texts (main before issue 13) and each notation -------------------------------

MAIN_TEXTS = [  # lines main printed to students, one per pattern family and source
    "# TODO: Task 1.2 — da = dh_next * (1 - h_next**2); dx = da @ Wx.T, dh_prev = da @ Wh.T, dWx = x.T @ da",
    "dc = dh * o * (1 - tanh(c)**2); do = dh * tanh(c)",
    "dc_prev = dc * f (do not forget f); df = dc * c_prev; di = dc * g; dg = dc * i",
    "sigmoid' = s(1-s) for i, f, o and tanh' = 1-g^2 for g; concatenate in the order i, f, g, o",
    "dn = dh * (1 - z); dz = dh * (h_prev - n); dh_prev = dh * z",
    "dpre = dn * (1 - n**2); dax_n = dpre; dah_n = dpre * r; dr = dpre * ah_n",
    "da = dh_next * (pre-activation > 0); the rest is as in the tanh step",
    "dh = dout @ W.T; dW sums h^T dout over batch and time; db sums dout over batch and time",
    "sum over time, mean over the batch; dscores = (softmax - onehot) / N; subtract the row max first",
    "    dh_t(total) = dh[:, t] + dh_prev from step t+1",
    "    dWx += x_t^T da_t,  dWh += h_{t-1}^T da_t,  db += sum_n da_t",
    r"$$\frac{\partial L}{\partial s_{n,t}} = \frac{1}{N} \left( p_{n,t} - \operatorname{onehot}(y_{n,t}) \right)$$",
    r"$$dx_t = da_t W_x^\top, \qquad dh_{t-1} = da_t W_h^\top$$",
    r"Its backward pass: $dh_t = ds_t W_y^\top$, $dW_y = \sum_t h_t^\top ds_t$",
    r"$$dc_t = dh_t \odot o_t \odot (1 - \tanh^2(c_t))$$",
    r"$\sigma'(a) = \sigma(a)(1 - \sigma(a))$",
    "∂L/∂c_{t-1} = ∂L/∂c_t ⊙ f_t",
    "derivative: 1 − h²",
    "The zero inputs are constants, so $dv = dx_1$.",
]
BENIGN_TEXTS = [  # the method, the forward pass and calls of backward functions are fine
    "dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)",
    "dh_future = np.zeros((N, H))",
    "h = (1 - z) * n + z * h_prev (z keeps the old state)",
    r"$$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t)$$",
    "walk t backwards; at a fork (h_t feeds the loss and step t+1) the gradients add",
    "tanh' <= 1 and σ' <= 1/4, so an explosion needs ||W_h|| > 1",
    "data = np.zeros((N, T)); done = True; dtype = np.float64",
    "compute the local derivative of tanh in terms of its output",
    "dh_next = rng.standard_normal((N, H))",
    "    return (np.sum(dh_next * h_out) + np.sum(dc_next * c_out),)",
    "Take a loss that only sees the last hidden state, L = sum(dh_last * h_{T-1})",
    "dx = np.zeros((N, T, D), dtype=np.float64)",
    "Code or fixtures written for CS231n do *not* pass",
]


@pytest.mark.parametrize("line", MAIN_TEXTS)
def test_the_scan_catches_main_texts(line):
    assert formula_hits(line), f"the scan misses a backward formula main printed: {line}"


@pytest.mark.parametrize("line", BENIGN_TEXTS)
def test_the_scan_lets_the_method_through(line):
    assert not formula_hits(line), f"the scan flags a line that gives no backward formula: {line}"


def test_the_worked_example_markers_cannot_hide_a_whole_file():
    text = f"intro\n{WORKED_BEGIN}\n$$da_t = dh_t \\odot (1 - h_t \\odot h_t)$$\n{WORKED_END}\n$$dc = dh * o$$\n"
    kept = without_worked_example(WORKED_EXAMPLE_FILES[0], text)
    assert [where for where, _, _ in scan_lines("x", kept)] == ["x:5"]
    with pytest.raises(AssertionError, match="exactly once"):
        without_worked_example(WORKED_EXAMPLE_FILES[0], text + WORKED_BEGIN)
