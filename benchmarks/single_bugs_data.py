"""Realistic single-bug submissions for ``benchmarks/single_bugs.py``: one exact edit of the reference each.

None is a copy of a catalogued mistake (autograder/grading/mistake_catalogue.py): these
measure how grading spreads the points lost over tasks for bugs the catalogue does not
know. Each bug is a :class:`~autograder.grading.mistake_catalogue.Mistake` record (task
holding the bug, file, exact old text, new text), applied like a mutant.
"""

from autograder.grading.mistake_catalogue import Mistake as Bug

RNN, LAYERS, LM = "a1_vanilla_rnn/rnn.py", "a1_vanilla_rnn/output_layers.py", "a1_vanilla_rnn/char_lm.py"
ARCH, STACK = "a1_vanilla_rnn/architectures.py", "a1_vanilla_rnn/stacked_rnn.py"
TBPTT, CLIP, FLOW = "a2_bptt_gradients/truncated_bptt.py", "a2_bptt_gradients/clipping.py", \
    "a2_bptt_gradients/gradient_flow.py"
RELU, ADDING = "a2_bptt_gradients/relu_rnn.py", "a2_bptt_gradients/adding_problem.py"
LSTM_GATES, LSTM_BACK, LSTM = "a3_lstm/gates.py", "a3_lstm/gates_backward.py", "a3_lstm/lstm.py"
GRU_GATES, GRU_BACK, GRU = "a4_gru/gates.py", "a4_gru/gates_backward.py", "a4_gru/gru.py"

BUGS = (
    # A1
    Bug("tanh_derivative_of_previous_state", "1.2", RNN, "da = dh_next * (1.0 - h_next**2)",
        "da = dh_next * (1.0 - h_prev**2)"),
    Bug("dx_through_recurrent_weights", "1.2", RNN, "dx = da @ Wx.T  # (N, D)", "dx = da @ Wh.T  # (N, D)"),
    Bug("every_step_from_h0", "1.3", RNN, "rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)",
        "rnn_step_forward(x[:, t], h0, Wx, Wh, b)"),
    Bug("dh0_returned_as_zeros", "1.4", RNN, "    return dx, dh_future, dWx, dWh, db\n",
        "    return dx, np.zeros_like(dh_future), dWx, dWh, db\n"),
    Bug("affine_db_averaged", "1.6", LAYERS, "db = dout.sum(axis=(0, 1))", "db = dout.mean(axis=(0, 1))"),
    Bug("softmax_target_not_subtracted", "1.7", LAYERS, "    dscores[n_idx, t_idx, y] -= 1.0\n", ""),
    Bug("char_lm_h_last_is_first_state", "1.9", LM, "h_last = h[:, -1].copy()", "h_last = h[:, 0].copy()"),
    Bug("m2o_dby_averaged", "1.12", ARCH, "dby = dscores.sum(axis=0)", "dby = dscores.mean(axis=0)"),
    Bug("stacked_dh0_of_first_layer_only", "1.16", STACK, "dh, dh0[l], dWx, dWh, db = rnn_backward",
        "dh, dh0[0], dWx, dWh, db = rnn_backward"),
    # A2
    Bug("tbptt_dWy_overwritten", "2.1", TBPTT, 'grads["Wy"] += dWy', 'grads["Wy"] = dWy'),
    Bug("tbptt_loss_of_last_chunk", "2.1", TBPTT, "loss += chunk_loss", "loss = chunk_loss"),
    Bug("clip_condition_inverted", "2.2", CLIP, "    if coef < 1.0:\n", "    if coef > 1.0:\n"),
    Bug("gradient_norms_squared", "2.4", FLOW, "norms[t] = np.linalg.norm(dh)", "norms[t] = np.sum(dh**2)"),
    Bug("relu_dWh_unmasked", "2.9", RELU, "dWh = h_prev.T @ da  # (H, H)", "dWh = h_prev.T @ dh_next  # (H, H)"),
    Bug("adding_target_first_value_twice", "2.10", ADDING, "(x[rows, first, 0] + x[rows, second, 0])",
        "(x[rows, first, 0] + x[rows, first, 0])"),
    # A3
    Bug("lstm_df_from_candidate", "3.8", LSTM_BACK, "df = dc * c_prev  # (N, H)", "df = dc * g  # (N, H)"),
    Bug("lstm_output_gate_tanh_derivative", "3.9", LSTM_BACK, "da_o = do * o * (1.0 - o)",
        "da_o = do * (1.0 - o**2)"),
    Bug("lstm_step_db_averaged", "3.11", LSTM, "db = da.sum(axis=0)  # (4H,)", "db = da.mean(axis=0)  # (4H,)"),
    Bug("lstm_c0_from_h0", "3.12", LSTM, "c_prev = np.zeros((N, H), dtype=np.float64)  # c0 = 0",
        "c_prev = h0.copy()  # c0 = 0"),
    Bug("lstm_dx_stored_reversed", "3.13", LSTM, "        dx[:, t] = dx_t\n        dWx += dWx_t\n        dWh += dWh_t\n"
        "        db += db_t\n    return dx, dh_future, dWx, dWh, db\n",
        "        dx[:, T - 1 - t] = dx_t\n        dWx += dWx_t\n        dWh += dWh_t\n"
        "        db += db_t\n    return dx, dh_future, dWx, dWh, db\n"),
    # A4
    Bug("gru_update_gate_complemented", "4.2", GRU_GATES, "return sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])",
        "return 1.0 - sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])"),
    Bug("gru_dh_prev_through_candidate_weight", "4.5", GRU_BACK, "dh_prev = dh * z  # (N, H)",
        "dh_prev = dh * (1.0 - z)  # (N, H)"),
    Bug("gru_dr_scaled_by_reset", "4.6", GRU_BACK, "dr = dpre * ah_n", "dr = dpre * r"),
    Bug("gru_dax_uses_hidden_candidate_gradient", "4.8", GRU, "dax = np.concatenate([da_r, da_z, dax_n], axis=1)",
        "dax = np.concatenate([da_r, da_z, dah_n], axis=1)"),
    Bug("gru_dz_without_sigmoid_derivative", "4.8", GRU, "da_z = dz * z * (1.0 - z)", "da_z = dz"),
    Bug("gru_forward_biases_swapped", "4.9", GRU, "gru_step_forward(x[:, t], h_prev, Wx, Wh, bx, bh)",
        "gru_step_forward(x[:, t], h_prev, Wx, Wh, bh, bx)"),
    Bug("gru_bptt_dbh_from_dbx", "4.10", GRU, "dbh += dbh_t", "dbh += dbx_t"),
)
