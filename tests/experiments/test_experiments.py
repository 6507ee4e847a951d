"""Quick runs of every experiment in ``autograder.authoring.experiments``: figures written, outcomes as expected.

Each experiment runs with ``quick=True`` (a few seconds to 15 s: marked slow, run by ``make test``) and a fixed seed; the
assertions compare quantities measured by the run with each other or with the
task's own baselines (chance level, MSE 1/6, ln rho), not with stored numbers.
"""

import math

import numpy as np
import pytest

from autograder.authoring.experiments import EXPERIMENTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_quick(name, tmp_path):
    """Run one experiment in quick mode and check its figures: listed, written, non-empty PNGs."""
    measured = EXPERIMENTS[name](tmp_path, quick=True, seed=0)
    assert measured["figures"], f"{name} wrote no figure"
    for file_name in measured["figures"]:
        path = tmp_path / file_name
        assert path.is_file(), f"{name}: {file_name} missing"
        data = path.read_bytes()
        assert len(data) > 1000 and data.startswith(PNG_SIGNATURE), f"{name}: {file_name} is not a PNG"
    return measured


def test_registry_lists_every_experiment():
    assert set(EXPERIMENTS) == {"char_lm", "vanishing", "clipping", "truncated_bptt", "adding", "gates"}
    assert all(callable(run) for run in EXPERIMENTS.values())


@pytest.mark.slow
def test_char_lm(tmp_path):
    m = run_quick("char_lm", tmp_path)
    assert m["char_lm_final_loss"] < 0.1
    assert m["char_lm_sample"] == "ello"
    assert m["many_to_one_accuracy"] > 0.85  # chance is 0.5
    assert m["many_to_many_final_loss"] < 0.1 * m["many_to_many_chance_loss"]
    assert m["many_to_many_final_loss"] < 0.1 * m["many_to_many_initial_loss"]


@pytest.mark.slow
def test_vanishing(tmp_path):
    m = run_quick("vanishing", tmp_path)
    s05, s10, s15, irnn = (m[k] for k in ("slope_tanh_r0.5", "slope_tanh_r1.0", "slope_tanh_r1.5", "slope_irnn"))
    assert s05 < 0 < s15
    assert s05 < s10 < s15
    assert abs(s05 - math.log(0.5)) < 0.1  # near-linear regime: the norm scales like 0.5 ** distance
    assert abs(irnn) < 0.01  # ReLU + identity: the gradient is carried back unchanged
    assert len(m["log_norms_irnn"]) == 50


@pytest.mark.slow
def test_clipping(tmp_path):
    m = run_quick("clipping", tmp_path)
    assert not m["clipped_diverged"] and math.isfinite(m["clipped_final_loss"])
    assert m["clipped_final_loss"] < 1.0  # better than predicting 0
    assert m["unclipped_diverged"] or m["clipped_final_loss"] < m["unclipped_final_loss"]
    assert m["unclipped_exploding_steps"] > m["clipped_exploding_steps"]
    assert m["unclipped_max_grad_norm"] > 10 * m["max_norm"]  # the unclipped run did see exploding gradients


@pytest.mark.slow
def test_truncated_bptt(tmp_path):
    m = run_quick("truncated_bptt", tmp_path)
    for text in ("short_context", "long_context"):
        for chunk in ("full", 25, 5):
            losses = m[f"losses_{text}_{chunk}"]
            assert np.all(np.isfinite(losses))
            assert m[f"final_loss_{text}_{chunk}"] < 0.1 * losses[0]
    # gradients cut every 5 steps cannot teach the 12-character dependency as well as full BPTT
    assert m["after_hello_loss_long_context_5"] > 2 * m["after_hello_loss_long_context_full"]


@pytest.mark.slow
def test_adding(tmp_path):
    m = run_quick("adding", tmp_path)
    baseline = m["baseline_mse"]
    assert baseline == pytest.approx(1 / 6)
    assert min(m["final_mse_lstm_T10"], m["final_mse_gru_T10"]) < baseline / 4
    assert min(m["test_mse_lstm_T10"], m["test_mse_gru_T10"]) < baseline / 4
    for model in ("rnn", "lstm", "gru"):
        assert math.isfinite(m[f"final_mse_{model}_T10"])


@pytest.mark.slow
def test_gates(tmp_path):
    m = run_quick("gates", tmp_path)
    assert len(m["markers"]) == 2
    for model, gates in (("lstm", "ifo"), ("gru", "rz")):
        assert math.isfinite(m[f"prediction_{model}"])
        for gate in gates:
            values = np.asarray(m[f"{model}_{gate}_mean_over_units"])
            assert values.shape == (50,) and np.all((values > 0) & (values < 1))
    # even after a short training the GRU writes (lowers z) at the marked steps
    assert m["gru_z_at_markers"] < m["gru_z_elsewhere"]
