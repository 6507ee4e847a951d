"""The gradient check's two rounds (autograder/runtime/gradient_check.py): joint probes, then per-input naming.

A correct backward costs two losses per joint probe; a wrong gradient fails the joint round and is named by the
per-input round, with the same message as a per-input check alone would give.
"""

import numpy as np
import pytest

from autograder.runtime import gradient_check, harness
from autograder.runtime.problems import problem

REFERENCE = harness.make_loader("solutions")
SPECS = harness.all_specs()
TOLERANCE = harness.course_manifest().tolerances["gradcheck"]


def _case(task_id, seed=0):
    spec = SPECS[task_id]
    args = spec.inputs(np.random.default_rng(seed), N=3, T=4, D=5, H=4)
    outputs, _ = harness.run_case(spec, REFERENCE, args)
    return spec, args, outputs


def _counting(spec, counter):
    """The spec with a loss that counts its evaluations."""
    loss = spec.grad_checks.loss

    def counted(load, args):
        counter.append(1)
        return loss(load, args)

    return type(spec)(**{**spec.__dict__, "grad_checks": type(spec.grad_checks)(counted, spec.grad_checks.wrt)})


@pytest.mark.parametrize("task_id, groups", [("1.2", 1), ("1.12", 1), ("2.1", 2), ("3.13", 1)])
def test_joint_probes_move_each_input_of_a_group_once(task_id, groups):
    spec, args, _ = _case(task_id)
    found = gradient_check.joint_probes(spec, args, np.random.default_rng(1))
    assert len(found) == groups * gradient_check.DIRECTIONS
    assert len({probe.pairs for probe in found}) == groups
    assert {pair for probe in found for pair in probe.pairs} == set(spec.grad_checks.wrt.items())
    for probe in found:
        inputs = [name for _, name in probe.pairs]
        assert len(inputs) == len(set(inputs))
        for (_, name), direction in zip(probe.pairs, probe.directions):
            assert direction.shape == np.shape(args[name]) and np.isclose(np.linalg.norm(direction), 1.0)


@pytest.mark.parametrize("task_id", ["1.2", "1.12", "2.1", "3.11", "4.10"])
def test_a_correct_backward_costs_two_losses_per_joint_probe(task_id):
    spec, args, outputs = _case(task_id)
    counter = []
    found = gradient_check.gradient_problems(_counting(spec, counter), REFERENCE, args, outputs, TOLERANCE,
                                             np.random.default_rng(1))
    assert found == []
    joint = gradient_check.joint_probes(spec, args, np.random.default_rng(1))
    assert len(counter) == 2 * len(joint) < 2 * gradient_check.DIRECTIONS * len(spec.grad_checks.wrt)


@pytest.mark.parametrize("task_id, wrong", [("1.2", "db"), ("1.12", "dWh"), ("3.11", "dc_prev"), ("4.10", "dbh")])
def test_a_wrong_gradient_fails_the_joint_round_and_is_named_by_the_next(task_id, wrong):
    spec, args, outputs = _case(task_id)
    broken = {**outputs, wrong: outputs[wrong] * 1.01}  # 1% off: small against the other gradients' sum
    joint = gradient_check.joint_probes(spec, args, np.random.default_rng(1))
    losses = gradient_check.evaluate_losses(spec, REFERENCE, args, gradient_check.loss_points(args, joint))
    first = gradient_check.gradient_problems_from_losses(spec, args, broken, joint, losses, TOLERANCE)
    assert [p.code for p in first] == ["gradient.joint_mismatch"]
    assert first[0].fields["name"] == ", ".join(spec.grad_checks.wrt)
    assert gradient_check.needs_naming(first)
    found = gradient_check.gradient_problems(spec, REFERENCE, args, broken, TOLERANCE, np.random.default_rng(1))
    assert [(p.code, p.fields["name"]) for p in found] == [("gradient.mismatch", wrong)]


def test_the_joint_mismatch_stays_when_the_per_input_round_names_nothing():
    joint = [problem("gradient.missing", name="dx"),
             problem("gradient.joint_mismatch", name="dh, dW", error=1.0, tolerance=1e-6)]
    assert gradient_check.named(joint, []) == joint
    assert gradient_check.named(joint, None) == joint
    assert gradient_check.named(joint, [problem("gradient.missing", name="dx")]) == joint
    each = [problem("gradient.mismatch", name="dW", error=0.5, tolerance=1e-6)]
    assert gradient_check.named(joint, each) == [joint[0], each[0]]


def test_a_gradient_that_cannot_be_read_skips_its_group_and_is_reported_alone():
    spec, args, outputs = _case("1.2")
    joint = gradient_check.joint_probes(spec, args, np.random.default_rng(1))
    losses = gradient_check.evaluate_losses(spec, REFERENCE, args, gradient_check.loss_points(args, joint))
    missing = {name: value for name, value in outputs.items() if name != "dWh"}
    assert gradient_check.gradient_problems_from_losses(spec, args, missing, joint, losses, TOLERANCE) == [
        problem("gradient.missing", name="dWh")]
