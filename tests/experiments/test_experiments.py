"""Every experiment's claims, asserted on the data of its figure, on every one of its (>= 3) seeds.

Each experiment runs with ``quick=True`` and seed 0 (several seconds each: marked slow, run by ``make test``);
the assertions compare quantities the run measured with each other or with the task's own baselines
(chance level, MSE 1/6, ln rho, the unigram perplexity), never with stored numbers. The fast tests check
the exactness of the gradient-flow measurement against torch's autograd and the release's rewrite.
"""

import math

import numpy as np
import pytest

from autograder.authoring.experiments import EXPERIMENTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_quick(name, tmp_path, **options):
    """Run one experiment in quick mode and check its figures: listed, written, non-empty PNGs."""
    measured = EXPERIMENTS[name](tmp_path, quick=True, seed=0, **options)
    assert measured["figures"], f"{name} wrote no figure"
    for file_name in measured["figures"]:
        data = (tmp_path / file_name).read_bytes()
        assert len(data) > 1000 and data.startswith(PNG_SIGNATURE), f"{name}: {file_name} is not a PNG"
    return measured


def test_registry_lists_every_experiment():
    assert set(EXPERIMENTS) == {"char_lm", "vanishing", "clipping", "truncated_bptt", "gradient_flow", "adding",
                                "gates", "char_project", "diagrams"}


def test_lstm_hidden_gradient_norms_match_torch_autograd():
    """The input-augmentation trick gives exactly ||dL/dh_t|| of an LSTM (checked against torch.autograd)."""
    torch = pytest.importorskip("torch")
    from autograder.authoring.experiments.gradient_flow import lstm_hidden_gradient_norms
    from autograder.authoring.experiments.seq_models import init_model

    rng = np.random.default_rng(3)
    N, T, D, H = 3, 7, 2, 5
    params = init_model("lstm", D, H, rng)
    x, dh_last = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    ours = lstm_hidden_gradient_norms(x, params, dh_last)
    Wx, Wh, b = (torch.tensor(params[k], requires_grad=False) for k in ("Wx", "Wh", "b"))
    h = torch.zeros(N, H, dtype=torch.float64, requires_grad=True)
    c, states = torch.zeros(N, H, dtype=torch.float64), []
    for t in range(T):
        a = torch.tensor(x[:, t]) @ Wx + h @ Wh + b
        i, f, g, o = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H]), torch.tanh(a[:, 2 * H:3 * H]), \
            torch.sigmoid(a[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        h.retain_grad()
        states.append(h)
    (states[-1] * torch.tensor(dh_last)).sum().backward()
    expected = [float(s.grad.norm()) for s in states]
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_release_rewrites_imports_to_the_students_package():
    from autograder.authoring.release_experiments import ReleaseExperimentsError, student_experiment_source

    text = student_experiment_source("from solutions.a3_lstm.lstm import lstm_forward\n", "x.py")
    assert text == "from assignments.a3_lstm.lstm import lstm_forward\n"
    for bad in ("from autograder.grading import grade\n", "import solutions\n"):
        with pytest.raises(ReleaseExperimentsError):
            student_experiment_source(bad, "x.py")


def test_diagrams(tmp_path):
    assert run_quick("diagrams", tmp_path)["figures"] == ["unrolled_rnn.png", "lstm_cell.png", "gru_cell.png"]


@pytest.mark.slow
def test_char_lm(tmp_path):
    m = run_quick("char_lm", tmp_path)
    assert len(m["seeds"]) >= 3
    assert all(loss < 0.1 for loss in m["char_lm_final_loss"])
    assert m["char_lm_sample"] == ["ello"] * len(m["seeds"])
    assert all(a > 0.85 for a in m["many_to_one_accuracy"])  # chance is 0.5
    assert all(f < 0.1 * m["many_to_many_chance_loss"] for f in m["many_to_many_final_loss"])


@pytest.mark.slow
def test_vanishing(tmp_path):
    m = run_quick("vanishing", tmp_path)
    assert m["seeds"] >= 3
    s05, s10, s15, irnn = (m[k] for k in ("slope_tanh_r0.5", "slope_tanh_r1.0", "slope_tanh_r1.5", "slope_irnn"))
    assert s05 < s10 < s15 and s05 < 0 < s15
    assert s15 < 0.5 * math.log(1.5)  # saturation: far below the linear theory, as the handout says
    assert abs(s05 - math.log(0.5)) < 0.1  # near-linear regime: the norm scales like 0.5 ** distance
    assert all(abs(s) < 0.01 for s in m["seed_slopes_irnn"])  # ReLU + identity: carried back unchanged


@pytest.mark.slow
def test_gradient_flow(tmp_path):
    m = run_quick("gradient_flow", tmp_path)
    assert len(m["seeds"]) >= 3
    for k in range(len(m["seeds"])):  # on every seed, at the same distance
        rnn, irnn, lstm, gru = (m[f"ratio_{model}"][k] for model in ("rnn", "irnn", "lstm", "gru"))
        assert rnn < gru < lstm < irnn
        assert rnn < 1e-6 and irnn > 0.1


@pytest.mark.slow
def test_clipping(tmp_path):
    m = run_quick("clipping", tmp_path)
    lr = m["curves_lr"]
    clipped, unclipped = m[f"clipped_lr{lr:g}_final_loss"], m[f"unclipped_lr{lr:g}_final_loss"]
    assert len(clipped) >= 3
    for c, u in zip(clipped, unclipped):  # same learning rate, every seed: clipping trains, no clipping does not
        assert math.isfinite(c) and c < 1.0 < u
    assert all(n > 10 * m["max_norm"] for n in m[f"unclipped_lr{lr:g}_max_grad_norm"])


@pytest.mark.slow
def test_truncated_bptt(tmp_path):
    m = run_quick("truncated_bptt", tmp_path)
    short, long = m["recall_loss_k5"], m["recall_loss_k25"]
    assert len(short) >= 3
    for s, l in zip(short, long):  # every seed: chunks of 5 stay near chance, chunks of 25 recall the cue
        assert s > 0.85 * m["chance"]
        assert l < 0.3 * m["chance"]


@pytest.mark.slow
def test_adding_and_gates(tmp_path):
    m = run_quick("adding", tmp_path)
    baseline = m["baseline_mse"]
    assert baseline == pytest.approx(1 / 6) and len(m["seeds"]) >= 3
    assert max(m["parameters_" + k] for k in ("rnn", "irnn", "lstm", "gru")) < 1.1 * min(
        m["parameters_" + k] for k in ("rnn", "irnn", "lstm", "gru"))  # equal-parameter comparison
    assert all(v < baseline for v in m["test_mse_irnn"])  # the IRNN learns the adding problem
    assert all(v < baseline / 4 for v in m["test_mse_gru"])
    assert "Chung et al. (2014)" in (tmp_path / "adding_table.md").read_text(encoding="utf-8")
    g = run_quick("gates", tmp_path)  # reuses the trained LSTMs and GRUs
    for model_gate in ("lstm_i", "gru_z"):
        for best, mean in zip(g[f"{model_gate}_max_unit_difference"], g[f"{model_gate}_mean_over_units_difference"]):
            assert best > 2 * mean and best > g["threshold"]  # one unit acts where the average hides it


@pytest.mark.slow
@pytest.mark.parametrize("corpus, cell", [("en", "lstm"), ("ko", "gru")])
def test_char_project(tmp_path, corpus, cell):
    m = run_quick("char_project", tmp_path, corpus=corpus, cell=cell)
    assert len(m["seeds"]) >= 3
    assert all(p < m["unigram_perplexity"] < m["uniform_perplexity"] for p in m["final_perplexity"])
    text = (tmp_path / m["texts"][0]).read_text(encoding="utf-8")
    assert text.count("--- temperature") == 3
