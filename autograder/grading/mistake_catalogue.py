"""The catalogue of common student mistakes (data): one exact edit of one reference file each.

A :class:`Mistake` names the task whose function holds the bug and an edit of one
file of ``solutions/`` (``old``, found exactly once, replaced by ``new``). Its hint
is the message ``mistake.<id>`` of the message catalogue (every language): a
concept about that task's own function, never code and never a backward formula.
How the edits are applied, imported and matched: :mod:`.mistakes`, :mod:`.diagnosis`.

Sources: the handouts' warnings, CS231n and deeplearning.ai forums,
``/work/shared/REFERENCE.md`` ("Common student mistakes").
"""

from dataclasses import dataclass

from ..runtime.messages import t


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


RNN, LAYERS, LM = "a1_vanilla_rnn/rnn.py", "a1_vanilla_rnn/output_layers.py", "a1_vanilla_rnn/char_lm.py"
ARCH, STACK = "a1_vanilla_rnn/architectures.py", "a1_vanilla_rnn/stacked_rnn.py"
TBPTT, CLIP, FLOW = "a2_bptt_gradients/truncated_bptt.py", "a2_bptt_gradients/clipping.py", \
    "a2_bptt_gradients/gradient_flow.py"
INIT, RELU, ADDING = "a2_bptt_gradients/initializers.py", "a2_bptt_gradients/relu_rnn.py", \
    "a2_bptt_gradients/adding_problem.py"
LSTM_GATES, LSTM_BACK, LSTM = "a3_lstm/gates.py", "a3_lstm/gates_backward.py", "a3_lstm/lstm.py"
GRU_GATES, GRU_BACK, GRU = "a4_gru/gates.py", "a4_gru/gates_backward.py", "a4_gru/gru.py"
GRU_CHO = "a4_gru/gru_cho.py"

_M = Mistake
CATALOGUE = (
    # A1 -----------------------------------------------------------------------------------------
    _M('rnn_missing_bias', '1.1', RNN, 'h_next = np.tanh(x @ Wx + h_prev @ Wh + b)',
       'h_next = np.tanh(x @ Wx + h_prev @ Wh)'),
    _M('rnn_transposed_weight', '1.1', RNN, 'h_next = np.tanh(x @ Wx + h_prev @ Wh + b)',
       'h_next = np.tanh(x @ Wx + h_prev @ Wh.T + b)'),
    _M('rnn_step_no_tanh_derivative', '1.2', RNN, 'da = dh_next * (1.0 - h_next**2)', 'da = dh_next'),
    _M('rnn_step_db_not_summed', '1.2', RNN, 'db = da.sum(axis=0)  # (H,)', 'db = da  # (H,)'),
    _M('rnn_step_dWh_transposed', '1.2', RNN, 'dWh = h_prev.T @ da', 'dWh = da.T @ h_prev'),
    _M('rnn_h0_ignored', '1.3', RNN,
       '    h_prev = h0\n    for t in range(T):\n        h_prev, step_cache = rnn_step_forward',
       '    h_prev = np.zeros_like(h0)\n    for t in range(T):\n        h_prev, step_cache = rnn_step_forward'),
    _M('bptt_no_future_gradient', '1.4', RNN, 'rnn_step_backward(dh[:, t] + dh_future, step_caches[t])',
       'rnn_step_backward(dh[:, t], step_caches[t])'),
    _M('bptt_gradient_overwritten', '1.4', RNN,
       '        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n    return dx, dh_future, dWx, dWh, db',
       '        dWx = dWx_t\n        dWh = dWh_t\n        db = db_t\n    return dx, dh_future, dWx, dWh, db'),
    _M('bptt_mutates_upstream', '1.4', RNN, 'rnn_step_backward(dh[:, t] + dh_future, step_caches[t])',
       'rnn_step_backward(np.add(dh[:, t], dh_future, out=dh[:, t]), step_caches[t])'),
    _M('bptt_walks_forward', '1.4', RNN, '    for t in reversed(range(T)):', '    for t in range(T):'),
    _M('affine_missing_bias', '1.5', LAYERS, 'out = h @ W + b  # (N, T, V)', 'out = h @ W  # (N, T, V)'),
    _M('affine_db_not_summed_over_time', '1.6', LAYERS, 'db = dout.sum(axis=(0, 1))', 'db = dout.sum(axis=0)'),
    _M('affine_dW_averaged_over_time', '1.6', LAYERS, 'dW = np.einsum("nth,ntv->hv", h, dout)',
       'dW = np.einsum("nth,ntv->hv", h, dout) / h.shape[1]'),
    _M('softmax_loss_not_averaged', '1.7', LAYERS, 'loss = float(-np.sum(np.log(picked)) / N)',
       'loss = float(-np.sum(np.log(picked)))'),
    _M('softmax_gradient_not_averaged', '1.7', LAYERS, '    dscores /= N\n', ''),
    _M('softmax_averaged_over_time', '1.7', LAYERS,
       'loss = float(-np.sum(np.log(picked)) / N)\n    dscores = probs.copy()\n    dscores[n_idx, t_idx, y] -= 1.0\n'
       '    dscores /= N\n',
       'loss = float(-np.sum(np.log(picked)) / (N * T))\n    dscores = probs.copy()\n'
       '    dscores[n_idx, t_idx, y] -= 1.0\n    dscores /= N * T\n'),
    _M('one_hot_integer_dtype', '1.8', LM, '== np.arange(V)).astype(np.float64)', '== np.arange(V)).astype(np.int64)'),
    _M('char_lm_grads_named_with_d', '1.9', LM, 'grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}',
       'grads = {"dWx": dWx, "dWh": dWh, "db": db, "dWy": dWy, "dby": dby}'),
    _M('char_lm_loss_on_inputs', '1.9', LM, 'temporal_softmax_loss(scores, targets)',
       'temporal_softmax_loss(scores, inputs)'),
    _M('sample_state_restarted', '1.10', LM, 'h, _ = rnn_step_forward(x, h, Wx, Wh, b)',
       'h, _ = rnn_step_forward(x, h0, Wx, Wh, b)'),
    _M('sample_always_greedy', '1.10', LM, '        if rng is None:\n            idx = int(np.argmax',
       '        if True:\n            idx = int(np.argmax'),
    _M('sample_seed_included', '1.10', LM,
       '        h, _ = rnn_step_forward(x, h, Wx, Wh, b)  # (1, H)\n        probs = softmax(h @ Wy + by)  # (1, V)\n'
       '        if rng is None:\n            idx = int(np.argmax(probs[0]))\n        else:\n'
       '            idx = int(rng.choice(V, p=probs[0]))\n        indices[t] = idx\n',
       '        indices[t] = idx\n        h, _ = rnn_step_forward(x, h, Wx, Wh, b)  # (1, H)\n'
       '        probs = softmax(h @ Wy + by)  # (1, V)\n        if rng is None:\n'
       '            idx = int(np.argmax(probs[0]))\n        else:\n            idx = int(rng.choice(V, p=probs[0]))\n'),
    _M('m2o_first_state', '1.11', ARCH, 'h_last = h[:, -1]  # (N, H)', 'h_last = h[:, 0]  # (N, H)'),
    _M('m2o_gradient_at_first_step', '1.12', ARCH, 'dh[:, -1] = dscores @ Wy.T', 'dh[:, 0] = dscores @ Wy.T'),
    _M('m2o_gradient_at_every_step', '1.12', ARCH, 'dh[:, -1] = dscores @ Wy.T',
       'dh[:, :] = (dscores @ Wy.T)[:, None]'),
    _M('o2m_input_at_every_step', '1.13', ARCH, 'x[:, 0] = v', 'x[:, :] = v[:, None]'),
    _M('o2m_dv_from_last_step', '1.14', ARCH, 'dv = dx[:, 0].copy()', 'dv = dx[:, -1].copy()'),
    _M('o2m_dv_summed_over_time', '1.14', ARCH, 'dv = dx[:, 0].copy()', 'dv = dx.sum(axis=1)'),
    _M('stacked_same_h0', '1.15', STACK, 'rnn_forward(inp, h0[l], Wx, Wh, b)', 'rnn_forward(inp, h0[0], Wx, Wh, b)'),
    _M('stacked_input_gradient_dropped', '1.16', STACK, 'dh, dh0[l], dWx, dWh, db = rnn_backward(dh, caches[l])',
       '_, dh0[l], dWx, dWh, db = rnn_backward(dh, caches[l])'),
    _M('stacked_layer_gradients_reversed', '1.16', STACK, 'dlayers[l] = (dWx, dWh, db)',
       'dlayers[L - 1 - l] = (dWx, dWh, db)'),
    # A2 -----------------------------------------------------------------------------------------
    _M('tbptt_state_not_carried', '2.1', TBPTT, 'h_carry = h[:, -1]  # (N, H)', 'h_carry = h0  # (N, H)'),
    _M('tbptt_last_chunk_dropped', '2.1', TBPTT, 'for start in range(0, T, chunk_len):',
       'for start in range(0, T - chunk_len + 1, chunk_len):'),
    _M('tbptt_chunks_overlap', '2.1', TBPTT, 'stop = min(start + chunk_len, T)', 'stop = min(start + chunk_len + 1, T)'),
    _M('tbptt_chunk_losses_averaged', '2.1', TBPTT, 'return float(loss), grads,',
       'return float(loss) / -(-T // chunk_len), grads,'),
    _M('clip_per_array', '2.2', CLIP, '    if coef < 1.0:\n        clipped = {k: g * coef for k, g in arrays.items()}',
       '    if coef < 1.0:\n        clipped = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6))'
       ' for k, g in arrays.items()}'),
    _M('clip_by_value_instead_of_norm', '2.2', CLIP,
       '    if coef < 1.0:\n        clipped = {k: g * coef for k, g in arrays.items()}',
       '    if coef < 1.0:\n        clipped = {k: np.clip(g, -max_norm, max_norm) for k, g in arrays.items()}'),
    _M('clip_scales_up', '2.2', CLIP, '    if coef < 1.0:\n        clipped = {k: g * coef for k, g in arrays.items()}',
       '    if True:\n        clipped = {k: g * coef for k, g in arrays.items()}'),
    _M('clip_value_in_place', '2.3', CLIP, 'np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value)',
       'np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value, out=g)'),
    _M('clip_value_upper_only', '2.3', CLIP, 'np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value)',
       'np.minimum(np.asarray(g, dtype=np.float64), clip_value)'),
    _M('gradient_norms_recorded_late', '2.4', FLOW,
       '        norms[t] = np.linalg.norm(dh)\n        if t > 0:\n            _, dh, _, _, _ = step_backward(dh, caches[t])',
       '        _, dh, _, _, _ = step_backward(dh, caches[t])\n        norms[t] = np.linalg.norm(dh)'),
    _M('gradient_norms_wrong_cache', '2.4', FLOW, 'step_backward(dh, caches[t])', 'step_backward(dh, caches[t - 1])'),
    _M('spectral_radius_from_norm', '2.5', INIT, 'rho = np.max(np.abs(np.linalg.eigvals(G)))',
       'rho = np.linalg.norm(G, 2)'),
    _M('orthogonal_signs_not_fixed', '2.6', INIT, '    Q = Q * np.sign(np.diag(R))  # scale column j by sign(R_jj)\n', ''),
    _M('identity_scale_ignored', '2.7', INIT, 'return scale * np.eye(H, dtype=np.float64)',
       'return np.eye(H, dtype=np.float64)'),
    _M('relu_step_tanh', '2.8', RELU, 'h_next = np.maximum(a, 0.0)', 'h_next = np.tanh(a)'),
    _M('relu_backward_no_mask', '2.9', RELU, 'da = dh_next * (a > 0)  # (N, H)', 'da = dh_next  # (N, H)'),
    _M('relu_backward_tanh_derivative', '2.9', RELU, 'da = dh_next * (a > 0)  # (N, H)',
       'da = dh_next * (1.0 - np.maximum(a, 0.0) ** 2)  # (N, H)'),
    _M('adding_values_gaussian', '2.10', ADDING, 'x[:, :, 0] = rng.random((N, T))',
       'x[:, :, 0] = rng.standard_normal((N, T))'),
    _M('adding_markers_same_half', '2.10', ADDING, 'second = rng.integers(T // 2, T, size=N)',
       'second = rng.integers(0, T // 2, size=N)'),
    # A3 -----------------------------------------------------------------------------------------
    _M('lstm_input_gate_tanh', '3.1', LSTM_GATES, 'return sigmoid(a[:, 0:H])', 'return np.tanh(a[:, 0:H])'),
    _M('lstm_forget_gate_wrong_block', '3.2', LSTM_GATES, 'return sigmoid(a[:, H : 2 * H])',
       'return sigmoid(a[:, 0:H])'),
    _M('lstm_candidate_sigmoid', '3.3', LSTM_GATES, 'return np.tanh(a[:, 2 * H : 3 * H])',
       'return sigmoid(a[:, 2 * H : 3 * H])'),
    _M('lstm_gate_order_cs231n', '3.3', LSTM_GATES, 'return np.tanh(a[:, 2 * H : 3 * H])',
       'return np.tanh(a[:, 3 * H : 4 * H])'),
    _M('lstm_output_gate_cs231n_order', '3.4', LSTM_GATES, 'return sigmoid(a[:, 3 * H : 4 * H])',
       'return sigmoid(a[:, 2 * H : 3 * H])'),
    _M('lstm_cell_gates_swapped', '3.5', LSTM_GATES, 'return f * c_prev + i * g', 'return i * c_prev + f * g'),
    _M('lstm_hidden_without_tanh', '3.6', LSTM_GATES, 'return o * np.tanh(c)', 'return o * c'),
    _M('lstm_tanh_derivative_of_c', '3.7', LSTM_BACK, 'dc = dh * o * (1.0 - tanh_c**2)', 'dc = dh * o * (1.0 - c**2)'),
    _M('lstm_dc_without_output_gate', '3.7', LSTM_BACK, 'dc = dh * o * (1.0 - tanh_c**2)',
       'dc = dh * (1.0 - tanh_c**2)'),
    _M('lstm_do_without_tanh', '3.7', LSTM_BACK, 'do = dh * tanh_c', 'do = dh * c'),
    _M('lstm_dc_prev_without_forget', '3.8', LSTM_BACK, 'dc_prev = dc * f  # (N, H)', 'dc_prev = dc  # (N, H)'),
    _M('lstm_di_dg_swapped', '3.8', LSTM_BACK, 'di = dc * g  # (N, H)\n    dg = dc * i',
       'di = dc * i  # (N, H)\n    dg = dc * g'),
    _M('lstm_candidate_sigmoid_derivative', '3.9', LSTM_BACK, 'da_g = dg * (1.0 - g**2)',
       'da_g = dg * g * (1.0 - g)'),
    _M('lstm_preactivation_order_cs231n', '3.9', LSTM_BACK, 'np.concatenate([da_i, da_f, da_g, da_o], axis=1)',
       'np.concatenate([da_i, da_f, da_o, da_g], axis=1)'),
    _M('lstm_hidden_from_old_cell', '3.10', LSTM, 'h_next = hidden_state(c_next, o)', 'h_next = hidden_state(c_prev, o)'),
    _M('lstm_step_dc_next_ignored', '3.11', LSTM, 'dc = dc_next + dc_from_h', 'dc = dc_from_h'),
    _M('lstm_step_dc_from_next_only', '3.11', LSTM, 'dc = dc_next + dc_from_h', 'dc = dc_next'),
    _M('lstm_step_backward_old_cell', '3.11', LSTM, 'hidden_state_backward(dh_next, c_next, o)',
       'hidden_state_backward(dh_next, c_prev, o)'),
    _M('lstm_h0_ignored', '3.12', LSTM, '    h_prev = h0\n', '    h_prev = np.zeros_like(h0)\n'),
    _M('lstm_dc_not_carried', '3.13', LSTM, 'dh[:, t] + dh_future, dc_future, step_caches[t]',
       'dh[:, t] + dh_future, np.zeros_like(dc_future), step_caches[t]'),
    _M('lstm_bptt_no_future_h', '3.13', LSTM, 'dh[:, t] + dh_future, dc_future, step_caches[t]',
       'dh[:, t], dc_future, step_caches[t]'),
    _M('lstm_bptt_gradient_overwritten', '3.13', LSTM,
       '        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n',
       '        dWx = dWx_t\n        dWh = dWh_t\n        db = db_t\n'),
    # A4 -----------------------------------------------------------------------------------------
    _M('gru_reset_gate_input_only', '4.1', GRU_GATES, 'return sigmoid(ax[:, 0:H] + ah[:, 0:H])',
       'return sigmoid(ax[:, 0:H])'),
    _M('gru_update_gate_reset_block', '4.2', GRU_GATES, 'sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])',
       'sigmoid(ax[:, 0:H] + ah[:, 0:H])'),
    _M('gru_candidate_reset_on_input', '4.3', GRU_GATES, 'np.tanh(ax[:, 2 * H : 3 * H] + r * ah[:, 2 * H : 3 * H])',
       'np.tanh(r * ax[:, 2 * H : 3 * H] + ah[:, 2 * H : 3 * H])'),
    _M('gru_z_reversed', '4.4', GRU_GATES, 'return (1.0 - z) * n + z * h_prev', 'return z * n + (1.0 - z) * h_prev'),
    _M('gru_dz_sign_flipped', '4.5', GRU_BACK, 'dz = dh * (h_prev - n)', 'dz = dh * (n - h_prev)'),
    _M('gru_dn_through_z', '4.5', GRU_BACK, 'dn = dh * (1.0 - z)', 'dn = dh * z'),
    _M('gru_candidate_sigmoid_derivative', '4.6', GRU_BACK, 'dpre = dn * (1.0 - n**2)', 'dpre = dn * n * (1.0 - n)'),
    _M('gru_dah_n_without_reset', '4.6', GRU_BACK, 'dah_n = dpre * r', 'dah_n = dpre'),
    _M('gru_reset_before_matmul', '4.7', GRU, '    n = candidate_hidden(ax, ah, r)  # (N, H)',
       '    H = h_prev.shape[1]\n    n = np.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + bh[2 * H:])  # (N, H)'),
    _M('gru_biases_merged', '4.7', GRU, 'ax = x @ Wx + bx  # (N, 3H)\n    ah = h_prev @ Wh + bh  # (N, 3H)',
       'ax = x @ Wx + bx + bh  # (N, 3H)\n    ah = h_prev @ Wh  # (N, 3H)'),
    _M('gru_step_direct_path_missing', '4.8', GRU, 'dh_prev = dh_direct + dah @ Wh.T', 'dh_prev = dah @ Wh.T'),
    _M('gru_step_dbh_equals_dbx', '4.8', GRU, 'dbh = dah.sum(axis=0)', 'dbh = dax.sum(axis=0)'),
    _M('gru_dr_without_hidden_bias', '4.8', GRU, 'candidate_hidden_backward(dn, n, r, ah[:, 2 * H :])',
       'candidate_hidden_backward(dn, n, r, h_prev @ Wh[:, 2 * H :])'),
    _M('gru_h0_ignored', '4.9', GRU, '    h_prev = h0\n', '    h_prev = np.zeros_like(h0)\n'),
    _M('gru_bptt_no_future_gradient', '4.10', GRU, 'gru_step_backward(dh[:, t] + dh_future, step_caches[t])',
       'gru_step_backward(dh[:, t], step_caches[t])'),
    _M('gru_bptt_mutates_upstream', '4.10', GRU, 'gru_step_backward(dh[:, t] + dh_future, step_caches[t])',
       'gru_step_backward(np.add(dh[:, t], dh_future, out=dh[:, t]), step_caches[t])'),
    _M('gru_bptt_walks_forward', '4.10', GRU, '    for t in reversed(range(T)):', '    for t in range(T):'),
    _M('gru_cho_reset_after_matmul', '4.11', GRU_CHO,
       'n = np.tanh(ax[:, 2 * H:] + reset_h @ Wh[:, 2 * H:] + bh[2 * H:])',
       'n = np.tanh(ax[:, 2 * H:] + r * (h_prev @ Wh[:, 2 * H:]) + bh[2 * H:])'),
    _M('gru_cho_reset_path_missing', '4.12', GRU_CHO, 'dh_prev = dh_direct + dreset_h * r + da_rz',
       'dh_prev = dh_direct + da_rz'),
    _M('gru_cho_candidate_weights_from_h_prev', '4.12', GRU_CHO, 'reset_h.T @ da_n], axis=1)',
       'h_prev.T @ da_n], axis=1)'),
)
