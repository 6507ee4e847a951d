"""The catalogue of common student mistakes, each kept as a mutant of the reference.

A :class:`Mistake` names the task it belongs to and an edit of one reference
file (an exact snippet replaced once); its hint for the student is the message
``mistake.<id>`` of the message catalogue. The edit serves twice:

- **diagnosis**: when a student fails a task, the grader runs each mistake of
  that task on the same inputs and, when the student's outputs match the
  mutant's, shows that mistake's hint ("your output is what you get when ...");
- **mutation testing**: ``course check`` grades every mutant as a submission and
  requires that its task loses points and shows the hint (the mutation score).

Sources: the CS231n and deeplearning.ai course forums.
"""

import atexit
import importlib
import shutil
import sys
import tempfile
import threading
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


def apply(mistake, solutions_dir=SOLUTIONS_DIR):
    """The text of the mutated file; the snippet must occur exactly once."""
    path = Path(solutions_dir) / mistake.file
    text = path.read_text(encoding="utf-8")
    count = text.count(mistake.old)
    if count != 1:
        raise ValueError(f"mistake {mistake.id}: snippet found {count} times in solutions/{mistake.file}")
    return text.replace(mistake.old, mistake.new)


def write_mutant_tree(mistake, destination):
    """Copy the reference package to ``destination`` with the mistake applied."""
    destination = Path(destination)
    shutil.copytree(SOLUTIONS_DIR, destination, ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    (destination / mistake.file).write_text(apply(mistake), encoding="utf-8")
    return destination


_MUTANTS = {"root": None, "loaded": {}}  # this process's mutant packages: their one directory, id -> name
_MUTANTS_LOCK = threading.RLock()


def mutants_root():
    """The one temporary directory that holds this process's mutant packages; on ``sys.path`` once.

    Created on first use and removed when the process exits (:func:`remove_mutants`)."""
    with _MUTANTS_LOCK:
        if _MUTANTS["root"] is None:
            root = Path(tempfile.mkdtemp(prefix="rnn-mutants-"))
            sys.path.insert(0, str(root))
            _MUTANTS["root"] = root
            atexit.register(remove_mutants)
        return _MUTANTS["root"]


def mutant_package(mistake):
    """Import name (``mutant_<id>``) of the mistake's mutant as a package of this process, built once in
    :func:`mutants_root`."""
    with _MUTANTS_LOCK:
        if mistake.id not in _MUTANTS["loaded"]:
            name = f"mutant_{mistake.id}"
            write_mutant_tree(mistake, mutants_root() / name)
            importlib.invalidate_caches()  # the import system may have listed the directory before this package
            _MUTANTS["loaded"][mistake.id] = name
        return _MUTANTS["loaded"][mistake.id]


def remove_mutants():
    """Delete the mutants' directory and take it off ``sys.path`` (registered to run at exit); the next
    :func:`mutant_package` starts a new one."""
    with _MUTANTS_LOCK:
        root, _MUTANTS["root"] = _MUTANTS["root"], None
        loaded, _MUTANTS["loaded"] = _MUTANTS["loaded"], {}
        if root is None:
            return
        while str(root) in sys.path:
            sys.path.remove(str(root))
        for name in loaded.values():
            for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                del sys.modules[module]
        shutil.rmtree(root, ignore_errors=True)
        atexit.unregister(remove_mutants)
