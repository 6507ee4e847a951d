# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 과제 4: 게이트 하나씩 만드는 GRU (PyTorch 규칙)
#
# 여러분은 `assignments/a4_gru/`의 함수들을 구현합니다. 리셋 게이트(reset gate)와 업데이트
# 게이트(update gate), 후보 은닉 상태(candidate hidden state), 은닉 상태(hidden state) 업데이트,
# 그 역전파, GRU(게이트 순환 유닛, gated recurrent unit)의 한 스텝, 그리고 시퀀스 전체입니다. 이
# 노트북은 **여러분의** 코드를 import하고, 여러분의 기울기를 여러분 자신의 순전파로 구한 중심
# 차분(centred differences)과 비교하며, 덧셈 문제(adding problem)로 여러분의 GRU를 학습하고 그
# 게이트를 살펴봅니다.
#
# 규칙(핸드아웃 `assignments/a4_gru/README.md` 참고)은 PyTorch와 같습니다. `Wx (D, 3H)`와
# `Wh (H, 3H)`에서 게이트 순서는 r, z, n입니다. 편향은 `bx`와 `bh` 두 개입니다. 리셋 게이트는
# 행렬 곱 **이후에** 곱합니다: `n = tanh(ax_n + r * ah_n)`. 그리고
# `h = (1 - z) * n + z * h_prev`이므로 `z = 1`이면 이전 상태를 유지합니다.
#
# **채점** 셀은 과제를 수집할 때 과정의 숨겨진 검사를 실행합니다(새로운 무작위 입력, 검사별
# 부분 점수). `# YOUR CODE HERE`가 있는 셀은 실험을 위한 연결 코드(glue code)이며 채점되지
# 않습니다.

# %% [markdown]
# 아래의 설정 셀은 numpy와 matplotlib을 import하고 몇 가지 도우미 함수를 정의합니다.
# `gradient_errors(forward, args, dout, grads)`는 각 해석적 기울기(analytic gradient)를
# `forward(**args)[0]`의 중심 차분(centred differences)과 비교하고(상대 오차
# `||a - b|| / (||a|| + ||b||)`, `norm_error`로 계산합니다), `show`는 그 오차를 출력하며,
# `Adam`은 배열의 dict에 대한 Adam 옵티마이저(Kingma & Ba 2015)입니다.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
# %load_ext autoreload
# %autoreload 2
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

from assignments.common.gradcheck import numerical_gradient_array


def norm_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


def gradient_errors(forward, args, dout, grads):
    errors = {}
    for (name, value), grad in zip(args.items(), grads):
        def f(v, name=name):
            return forward(**{**args, name: v})[0]
        errors["d" + name] = norm_error(grad, numerical_gradient_array(f, np.array(value, dtype=np.float64), dout))
    return errors


def show(errors):
    for name, error in errors.items():
        print(f"{name:>8}  {error:.1e}")


class Adam:
    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps, self.t = lr, beta1, beta2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        new = {}
        for k, p in params.items():
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            new[k] = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return new


# %% [markdown]
# ## 1. 게이트 (Task 4.1~4.4)
#
# `ax = x Wx + bx`, `ah = h_prev Wh + bh`라고 하면:
#
# $$r = \sigma(ax_r + ah_r),\quad z = \sigma(ax_z + ah_z),\quad n = \tanh(ax_n + r \odot ah_n),\quad h = (1 - z) \odot n + z \odot h_{prev}$$
#
# 아래에서 `ax`의 블록에는 1, 2, 3이 들어 있고, `ah`는 `n` 블록(0.5)을 제외하면 0이며,
# `h_prev = 0`입니다. `r = sigmoid(1) = 0.731`, `z = sigmoid(2) = 0.881`,
# `n = tanh(3 + 0.731 * 0.5) = 0.998`, `h = (1 - 0.881) * 0.998 = 0.119`가 보여야 합니다.

# %%
from assignments.a4_gru.gates import candidate_hidden, gru_hidden_update, reset_gate, update_gate

H = 3
ax = np.concatenate([np.full((1, H), value) for value in (1.0, 2.0, 3.0)], axis=1)
ah = np.concatenate([np.zeros((1, 2 * H)), np.full((1, H), 0.5)], axis=1)
r, z = reset_gate(ax, ah), update_gate(ax, ah)
n = candidate_hidden(ax, ah, r)
print(r.round(3), z.round(3), n.round(3), gru_hidden_update(n, z, np.zeros((1, H))).round(3))

# %% [markdown]
# **채점** 셀입니다(Task 4.1~4.4: 5점).

# %% nbgrader={"grade": true, "grade_id": "check_gates", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# Tasks 4.1, 4.2, 4.3, 4.4
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["4.1", "4.2", "4.3", "4.4"])
### END HIDDEN TESTS

# %% [markdown]
# ## 2. 업데이트와 후보를 거치는 역전파 (Task 4.5, 4.6)
#
# `h_prev`는 `z * h_prev`를 통해 `h`에 직접 도달합니다. `z`가 1에 가까우면 기울기가 거의 그대로
# 전달되는데, 이것이 LSTM의 셀 경로에 해당하는 GRU의 경로입니다. 중심 차분에 대한 자체
# 검사입니다(출력되는 오차는 약 `1e-7`보다 작아야 합니다):

# %%
from assignments.a4_gru.gates_backward import candidate_hidden_backward, gru_hidden_update_backward

rng = np.random.default_rng(0)
N, H = 4, 5
n, z, h_prev = np.tanh(rng.standard_normal((N, H))), rng.uniform(size=(N, H)), rng.standard_normal((N, H))
dh = rng.standard_normal((N, H))
show(gradient_errors(lambda n, z, h_prev: (gru_hidden_update(n, z, h_prev),), dict(n=n, z=z, h_prev=h_prev), dh,
                     gru_hidden_update_backward(dh, n, z, h_prev)))


def candidate_of(ax_n, ah_n, r):
    zeros = np.zeros((ax_n.shape[0], 2 * ax_n.shape[1]))
    return (candidate_hidden(np.concatenate([zeros, ax_n], axis=1), np.concatenate([zeros, ah_n], axis=1), r),)


ax_n, ah_n, r = rng.standard_normal((N, H)), rng.standard_normal((N, H)), rng.uniform(size=(N, H))
n = candidate_of(ax_n, ah_n, r)[0]
dn = rng.standard_normal((N, H))
show(gradient_errors(candidate_of, dict(ax_n=ax_n, ah_n=ah_n, r=r), dn, candidate_hidden_backward(dn, n, r, ah_n)))

# %% [markdown]
# **채점** 셀입니다(Task 4.5, 4.6: 4점).

# %% nbgrader={"grade": true, "grade_id": "check_gates_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
# Tasks 4.5, 4.6
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["4.5", "4.6"])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. GRU 스텝과 시퀀스 (Task 4.7~4.10)
#
# 한 스텝의 역전파에서 `h_prev`는 세 종류의 경로에서 기울기를 모읍니다. `z * h_prev`를 통한
# 직접 경로, 그리고 `ah = h_prev Wh + bh`(그 `r`, `z`, `n` 부분)를 거쳐 `Wh^T`가 곱해지는
# 경로들입니다.

# %%
from assignments.a4_gru.gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward

N, T, D, H = 3, 4, 5, 6
x = rng.standard_normal((N, T, D))
h0 = rng.standard_normal((N, H))
Wx = rng.standard_normal((D, 3 * H)) * 0.5
Wh = rng.standard_normal((H, 3 * H)) * 0.5
bx, bh = rng.standard_normal(3 * H) * 0.5, rng.standard_normal(3 * H) * 0.5

h_next, cache = gru_step_forward(x[:, 0], h0, Wx, Wh, bx, bh)
dh_next = rng.standard_normal(h_next.shape)
show(gradient_errors(gru_step_forward, dict(x=x[:, 0], h_prev=h0, Wx=Wx, Wh=Wh, bx=bx, bh=bh), dh_next,
                     gru_step_backward(dh_next, cache)))

h, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
dh = rng.standard_normal(h.shape)
show(gradient_errors(gru_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, bx=bx, bh=bh), dh, gru_backward(dh, cache)))

# %% [markdown]
# **채점** 셀입니다(Task 4.7~4.10: 10점).

# %% nbgrader={"grade": true, "grade_id": "check_gru", "locked": true, "points": 10, "schema_version": 3, "solution": false}
# Tasks 4.7, 4.8, 4.9, 4.10
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["4.7", "4.8", "4.9", "4.10"])
### END HIDDEN TESTS

# %% [markdown]
# ## 4. 덧셈 문제에 적용한 여러분의 GRU
#
# 과제 2의 덧셈 문제(U[0, 1)에서 뽑은 값과 표시(marker), 앞뒤 절반에 하나씩, 목표는 표시된 두
# 값의 합, 기준선 MSE 1/6)를 tanh RNN이 기준선에 머무르는 `T = 20`에서 풉니다. 여러분의
# GRU(`H = 16`, PyTorch의 기본 균등 분포 초기화, 마지막 은닉 상태 위의 선형 헤드, 학습률 0.02의
# Adam)를 시퀀스 32개로 된 새로운 배치로 400 스텝 학습합니다.
#
# **여러분의 연결 코드:**
#
# 1. `adding_batch(n, seq_len, rng)`: 과제 2의 여러분의 `adding_problem`과 같은 데이터입니다.
#    형상이 `(n, seq_len, 2)`인 `x`와 형상이 `(n, 1)`인 `y`를 반환합니다.
# 2. `loss_and_grads(params, x, y)`: 0 상태에서 여러분의 `gru_forward`를 실행하고,
#    `pred = h[:, -1] @ Wy + by`로 예측한 다음, 평균 제곱 오차와 그 기울기를 계산하고, 헤드와
#    여러분의 `gru_backward`를 거쳐 역전파합니다(상류 `dh`는 마지막 스텝을 제외하면 0입니다).
#    손실과, 키가 `params`의 키와 같은 기울기 dict를 반환하되, 기울기는 전역 노름이 최대 1이
#    되도록 클리핑합니다(기울기 클리핑(gradient clipping), 과제 2의 `clip_grad_norm`과 같습니다).

# %% nbgrader={"grade": false, "grade_id": "glue_adding_data", "locked": false, "schema_version": 3, "solution": true}
def adding_batch(n, seq_len, rng):
    ### BEGIN SOLUTION
    x = np.zeros((n, seq_len, 2))
    x[:, :, 0] = rng.random((n, seq_len))
    rows = np.arange(n)
    first = rng.integers(0, seq_len // 2, size=n)
    second = rng.integers(seq_len // 2, seq_len, size=n)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0])[:, None]
    ### END SOLUTION
    return x, y


# %% nbgrader={"grade": false, "grade_id": "glue_gru_loss", "locked": false, "schema_version": 3, "solution": true}
def loss_and_grads(params, x, y):
    ### BEGIN SOLUTION
    h_init = np.zeros((x.shape[0], params["Wh"].shape[0]))
    h, cache = gru_forward(x, h_init, params["Wx"], params["Wh"], params["bx"], params["bh"])
    diff = h[:, -1] @ params["Wy"] + params["by"] - y
    loss = float(np.mean(diff ** 2))
    dpred = 2 * diff / diff.size
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    _, _, dWx, dWh, dbx, dbh = gru_backward(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "bx": dbx, "bh": dbh, "Wy": h[:, -1].T @ dpred, "by": dpred.sum(axis=0)}
    total = np.sqrt(sum(np.sum(grad ** 2) for grad in grads.values()))
    scale = min(1.0, 1.0 / (total + 1e-6))
    grads = {k: grad * scale for k, grad in grads.items()}
    ### END SOLUTION
    return loss, grads


# %%
SEQ_LEN, HIDDEN = 20, 16
rng = np.random.default_rng(0)
k = 1 / np.sqrt(HIDDEN)
params = {"Wx": rng.uniform(-k, k, (2, 3 * HIDDEN)), "Wh": rng.uniform(-k, k, (HIDDEN, 3 * HIDDEN)),
          "bx": rng.uniform(-k, k, 3 * HIDDEN), "bh": rng.uniform(-k, k, 3 * HIDDEN),
          "Wy": rng.uniform(-k, k, (HIDDEN, 1)), "by": np.zeros(1)}
optimizer = Adam(params, lr=2e-2)
losses = []
for step in range(400):
    xb, yb = adding_batch(32, SEQ_LEN, rng)
    loss, grads = loss_and_grads(params, xb, yb)
    params = optimizer.step(params, grads)
    losses.append(loss)

x_test, y_test = adding_batch(1000, SEQ_LEN, np.random.default_rng(10_000))
h_test, _ = gru_forward(x_test, np.zeros((1000, HIDDEN)), params["Wx"], params["Wh"], params["bx"], params["bh"])
test_mse = np.mean((h_test[:, -1] @ params["Wy"] + params["by"] - y_test) ** 2)
plt.semilogy(losses, alpha=0.7)
plt.axhline(1 / 6, color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("MSE")
plt.show()
print(test_mse)

# %% [markdown]
# 테스트 MSE는 기준선 1/6(점선)보다 훨씬 낮은 약 0.001로 끝나야 합니다.
#
# ## 5. 게이트 내부
#
# 테스트 시퀀스 하나를 여러분의 게이트 함수로 다시 실행하고, 시간에 따른 모든 유닛의 `r`과
# `z`를 살펴봅니다(점선: 표시된 스텝). `z`가 떨어지는 곳에서 유닛은 후보를 상태에 기록하고,
# `z`가 1 가까이 유지되는 곳에서는 가진 값을 유지합니다(출력: 표시된 스텝에서, 그리고 나머지
# 스텝에서 유닛에 대해 평균한 각 게이트의 값).

# %%
def gru_gate_trace(params, x):
    H = params["Wh"].shape[0]
    h = np.zeros((1, H))
    trace = {"r": [], "z": []}
    for t in range(x.shape[1]):
        ax = x[:, t] @ params["Wx"] + params["bx"]
        ah = h @ params["Wh"] + params["bh"]
        r, z = reset_gate(ax, ah), update_gate(ax, ah)
        h = gru_hidden_update(candidate_hidden(ax, ah, r), z, h)
        trace["r"].append(r[0])
        trace["z"].append(z[0])
    return {name: np.array(values) for name, values in trace.items()}


x_one, y_one = adding_batch(1, SEQ_LEN, np.random.default_rng(123))
markers = np.flatnonzero(x_one[0, :, 1])
trace = gru_gate_trace(params, x_one)
fig, axes = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
for ax, (name, values) in zip(axes, trace.items()):
    image = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    for m in markers:
        ax.axvline(m, color="w", ls="--")
    ax.set_ylabel(name)
axes[-1].set_xlabel("t")
fig.colorbar(image, ax=list(axes))
plt.show()
others = np.setdiff1d(np.arange(SEQ_LEN), markers)
print({name: (round(float(values[markers].mean()), 3), round(float(values[others].mean()), 3))
       for name, values in trace.items()})

# %% [markdown]
# ## 여러분이 만든 것
#
# PyTorch 규칙을 따르고 정확한 기울기를 갖춘 GRU로, LSTM보다 적은 파라미터(게이트 블록 네 개
# 대신 세 개, 별도의 셀 상태 없음)로 장거리 작업을 풉니다. 과제 1~3과 함께, 이제 여러분은 세
# 가지 고전적인 순환 셀을 직접 작성하고 손으로 미분했습니다.
