"""The catalogue of common student mistakes, each kept as a mutant of the reference.

A :class:`Mistake` names the task it belongs to and an edit of one reference
file (an exact snippet replaced once); its hint for the student is the message
``mistake.<id>`` of the message catalogue. The edit serves twice:

- **diagnosis**: when a student fails a task, the grader runs each mistake of
  that task on the same inputs and, when the student's outputs match the
  mutant's, shows that mistake's hint ("your output is what you get when ...");
- **mutation testing**: ``course check`` grades every mutant as a submission and
  requires that its task loses points and shows the hint (the mutation score).

For diagnosis the grader imports the mutants in its own process, so they are served
from memory (:class:`_MutantImporter`): the reference sources are read once, when
this module is imported (before any student code runs), and nothing is written to
disk that student code in the sandbox could replace before the grader imports it.

Sources: CS231n and deeplearning.ai forums, ``../shared/REFERENCE.md``.
"""

import importlib.abc
import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..runtime.messages import t

from ..runtime.manifest import REPO_ROOT

SOLUTIONS_DIR = REPO_ROOT / "solutions"


@dataclass(frozen=True)
class Mistake:
    id: str
    task_id: str
    file: str  # relative to solutions/
    old: str
    new: str

    @property
    def hint(self):
        """The hint shown to a student whose outputs match this mistake (from the message catalogue)."""
        return t(f"mistake.{self.id}")


CATALOGUE = (
    Mistake('rnn_missing_bias', '1.1', 'a1_vanilla_rnn/rnn.py',
            'h_next = np.tanh(x @ Wx + h_prev @ Wh + b)',
            'h_next = np.tanh(x @ Wx + h_prev @ Wh)'),
    Mistake('rnn_transposed_weight', '1.1', 'a1_vanilla_rnn/rnn.py',
            'h_next = np.tanh(x @ Wx + h_prev @ Wh + b)',
            'h_next = np.tanh(x @ Wx + h_prev @ Wh.T + b)'),
    Mistake('rnn_h0_ignored', '1.3', 'a1_vanilla_rnn/rnn.py',
            '    h_prev = h0\n    for t in range(T):\n        h_prev, step_cache = rnn_step_forward',
            '    h_prev = np.zeros_like(h0)\n    for t in range(T):\n        h_prev, step_cache = rnn_step_forward'),
    Mistake('bptt_no_future_gradient', '1.4', 'a1_vanilla_rnn/rnn.py',
            'rnn_step_backward(dh[:, t] + dh_future, step_caches[t])',
            'rnn_step_backward(dh[:, t], step_caches[t])'),
    Mistake('bptt_gradient_overwritten', '1.4', 'a1_vanilla_rnn/rnn.py',
            '        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n    return dx, dh_future, dWx, dWh, db',
            '        dWx = dWx_t\n        dWh = dWh_t\n        db = db_t\n    return dx, dh_future, dWx, dWh, db'),
    Mistake('bptt_mutates_upstream', '1.4', 'a1_vanilla_rnn/rnn.py',
            'rnn_step_backward(dh[:, t] + dh_future, step_caches[t])',
            'rnn_step_backward(np.add(dh[:, t], dh_future, out=dh[:, t]), step_caches[t])'),
    Mistake('softmax_loss_not_averaged', '1.7', 'a1_vanilla_rnn/output_layers.py',
            'loss = float(-np.sum(np.log(picked)) / N)',
            'loss = float(-np.sum(np.log(picked)))'),
    Mistake('clip_per_array', '2.2', 'a2_bptt_gradients/clipping.py',
            '    if coef < 1.0:\n        clipped = {k: g * coef for k, g in arrays.items()}',
            '    if coef < 1.0:\n        clipped = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in arrays.items()}'),
    Mistake('clip_by_value_instead_of_norm', '2.2', 'a2_bptt_gradients/clipping.py',
            '    if coef < 1.0:\n        clipped = {k: g * coef for k, g in arrays.items()}',
            '    if coef < 1.0:\n        clipped = {k: np.clip(g, -max_norm, max_norm) for k, g in arrays.items()}'),
    Mistake('lstm_input_gate_tanh', '3.1', 'a3_lstm/gates.py',
            'return sigmoid(a[:, 0:H])',
            'return np.tanh(a[:, 0:H])'),
    Mistake('lstm_candidate_sigmoid', '3.3', 'a3_lstm/gates.py',
            'return np.tanh(a[:, 2 * H : 3 * H])',
            'return sigmoid(a[:, 2 * H : 3 * H])'),
    Mistake('lstm_gate_order_cs231n', '3.3', 'a3_lstm/gates.py',
            'return np.tanh(a[:, 2 * H : 3 * H])',
            'return np.tanh(a[:, 3 * H : 4 * H])'),
    Mistake('lstm_dc_prev_without_forget', '3.8', 'a3_lstm/gates_backward.py',
            'dc_prev = dc * f  # (N, H)',
            'dc_prev = dc  # (N, H)'),
    Mistake('lstm_h0_ignored', '3.12', 'a3_lstm/lstm.py',
            '    h_prev = h0\n',
            '    h_prev = np.zeros_like(h0)\n'),
    Mistake('lstm_dc_not_carried', '3.13', 'a3_lstm/lstm.py',
            'dh[:, t] + dh_future, dc_future, step_caches[t]',
            'dh[:, t] + dh_future, np.zeros_like(dc_future), step_caches[t]'),
    Mistake('gru_z_reversed', '4.4', 'a4_gru/gates.py',
            'return (1.0 - z) * n + z * h_prev',
            'return z * n + (1.0 - z) * h_prev'),
    Mistake('gru_reset_before_matmul', '4.7', 'a4_gru/gru.py',
            '    n = candidate_hidden(ax, ah, r)  # (N, H)',
            '    H = h_prev.shape[1]\n    n = np.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + bh[2 * H:])  # (N, H)'),
)

_LOADED = {}  # mistake id -> import name of its mutant package


def _edit(mistake, text):
    count = text.count(mistake.old)
    if count != 1:
        raise ValueError(f"mistake {mistake.id}: snippet found {count} times in solutions/{mistake.file}")
    return text.replace(mistake.old, mistake.new)


def apply(mistake, solutions_dir=SOLUTIONS_DIR):
    """The text of the mutated file; the snippet must occur exactly once."""
    return _edit(mistake, (Path(solutions_dir) / mistake.file).read_text(encoding="utf-8"))


def write_mutant_tree(mistake, destination):
    """Copy the reference package to ``destination`` with the mistake applied."""
    destination = Path(destination)
    shutil.copytree(SOLUTIONS_DIR, destination, ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    (destination / mistake.file).write_text(apply(mistake), encoding="utf-8")
    return destination


def _read_reference():
    """{path relative to solutions/ (POSIX): source} of every module of the reference."""
    return {path.relative_to(SOLUTIONS_DIR).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(SOLUTIONS_DIR.rglob("*.py")) if "__pycache__" not in path.parts}


class _MutantImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``mutant_<id>`` packages from sources held in memory (the reference read at import time)."""

    def __init__(self, reference):
        self.reference = reference
        self.modules = {}  # import name -> (source, is_package, file name shown in tracebacks)

    def add(self, mistake, name):
        for relative, text in self.reference.items():
            parts = relative[:-len(".py")].split("/")
            is_package = parts[-1] == "__init__"
            module = ".".join([name, *(parts[:-1] if is_package else parts)])
            source = _edit(mistake, text) if relative == mistake.file else text
            self.modules[module] = (source, is_package, f"<{name}>/{relative}")

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.modules:
            return None
        _, is_package, origin = self.modules[fullname]
        return importlib.util.spec_from_loader(fullname, self, origin=origin, is_package=is_package)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source, _, origin = self.modules[module.__spec__.name]
        exec(compile(source, origin, "exec"), module.__dict__)  # noqa: S102 - the instructor's reference


_IMPORTER = _MutantImporter(_read_reference())


def mutant_package(mistake):
    """Import name of the mutant as a package of this process (served from memory, never from disk)."""
    if mistake.id not in _LOADED:
        name = f"mutant_{mistake.id}"
        _IMPORTER.add(mistake, name)
        if _IMPORTER not in sys.meta_path:
            sys.meta_path.insert(0, _IMPORTER)
        _LOADED[mistake.id] = name
    return _LOADED[mistake.id]
