# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 과제 3: 게이트 하나씩 만드는 LSTM
#
# 여러분은 `assignments/a3_lstm/`의 함수들을 구현합니다. 네 개의 게이트, 셀 상태(cell state)
# 업데이트, 그 역전파, LSTM(장단기 메모리, long short-term memory)의 한 스텝, 그리고 시퀀스
# 전체입니다. 이 노트북은 **여러분의** 코드를 import하고, 여러분의 기울기를 여러분 자신의
# 순전파로 구한 중심 차분(centred differences)과 비교한 다음, 과제 2에서 tanh 순환 신경망(RNN,
# recurrent neural network)이 풀지 못한 덧셈 문제(adding problem)로 여러분의 LSTM을 학습하고,
# 마지막으로 게이트 내부를 들여다봅니다.
#
# 규칙(핸드아웃 `assignments/a3_lstm/README.md` 참고): 사전 활성화
# `a = x Wx + h_prev Wh + b`의 너비는 `4H`이고, 순서는 **PyTorch 순서 i, f, g, o**입니다(CS231n의
# i, f, o, g가 아닙니다). `c0 = 0`입니다.
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
# ## 1. 게이트와 셀 (Task 3.1~3.6)
#
# $$i = \sigma(a_i),\quad f = \sigma(a_f),\quad g = \tanh(a_g),\quad o = \sigma(a_o)$$
# $$c = f \odot c_{prev} + i \odot g,\qquad h = o \odot \tanh(c)$$
#
# 망각 게이트(forget gate)는 이전 셀을 얼마나 유지할지, 입력 게이트(input gate)는 셀 후보(cell candidate) `g`를
# 얼마나 기록할지, 출력 게이트(output gate)는 셀을 얼마나 `h`로 내보낼지 결정합니다. 아래에서
# `a`의 네 블록에는 상수 1, 2, 3, 4가 들어 있습니다. `sigmoid(1) = 0.731`, `sigmoid(2) = 0.881`,
# `tanh(3) = 0.995`, `sigmoid(4) = 0.982`가 보여야 합니다. 다른 순서가 나오면 슬라이스가
# 잘못된 것입니다.

# %%
from assignments.a3_lstm.gates import (cell_candidate, cell_state_update, forget_gate, hidden_state, input_gate,
                                       output_gate)

H = 3
a = np.concatenate([np.full((1, H), value) for value in (1.0, 2.0, 3.0, 4.0)], axis=1)
i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
print(i.round(3), f.round(3), g.round(3), o.round(3))
c = cell_state_update(np.ones((1, H)), f, i, g)
print(c.round(3), hidden_state(c, o).round(3))

# %% [markdown]
# **채점** 셀입니다(Task 3.1~3.6: 6점).

# %% nbgrader={"grade": true, "grade_id": "check_gates", "locked": true, "points": 6, "schema_version": 3, "solution": false}
# Tasks 3.1, 3.2, 3.3, 3.4, 3.5, 3.6
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"])
### END HIDDEN TESTS

# %% [markdown]
# ## 2. 게이트를 거치는 역전파 (Task 3.7~3.9)
#
# 셀 경로 `c_prev -> c`를 따라서는 기울기에 `f`만 곱해지고, 값을 압축하는 행렬 곱이 없습니다.
# 망각 게이트가 1 가까이 유지되면 기울기가 많은 스텝을 살아남습니다("상수 오차 회전목마",
# constant error carousel).
#
# 중심 차분에 대한 자체 검사입니다(모두 `1e-7`보다 작아야 합니다):

# %%
from assignments.a3_lstm.gates_backward import (cell_state_update_backward, gate_preactivation_backward,
                                                hidden_state_backward)

rng = np.random.default_rng(0)
N, H = 4, 5
c, o = rng.standard_normal((N, H)), rng.uniform(0.1, 0.9, (N, H))
dh = rng.standard_normal((N, H))
show(gradient_errors(lambda c, o: (hidden_state(c, o),), dict(c=c, o=o), dh, hidden_state_backward(dh, c, o)))

c_prev, f, i, g = rng.standard_normal((N, H)), rng.uniform(size=(N, H)), rng.uniform(size=(N, H)), np.tanh(
    rng.standard_normal((N, H)))
dc = rng.standard_normal((N, H))
show(gradient_errors(lambda c_prev, f, i, g: (cell_state_update(c_prev, f, i, g),), dict(c_prev=c_prev, f=f, i=i, g=g),
                     dc, cell_state_update_backward(dc, c_prev, f, i, g)))


def all_gates(a):
    return np.concatenate([input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)], axis=1)


a = rng.standard_normal((N, 4 * H))
dgates = rng.standard_normal((N, 4 * H))
da = gate_preactivation_backward(*np.split(dgates, 4, axis=1), input_gate(a), forget_gate(a), cell_candidate(a),
                                 output_gate(a))
print(f"      da  {norm_error(da, numerical_gradient_array(all_gates, a.copy(), dgates)):.1e}")

# %% [markdown]
# **채점** 셀입니다(Task 3.7, 3.8, 3.9: 6점).

# %% nbgrader={"grade": true, "grade_id": "check_gates_backward", "locked": true, "points": 6, "schema_version": 3, "solution": false}
# Tasks 3.7, 3.8, 3.9
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["3.7", "3.8", "3.9"])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. LSTM 스텝과 시퀀스 (Task 3.10~3.13)
#
# 한 스텝은 `a`, 게이트, `c`, `h`를 계산합니다. 한 스텝의 역전파는 두 출력 모두에 대한 기울기
# `dh_next`와 `dc_next`를 받습니다. `c`의 전체 기울기에는 `h = o * tanh(c)`를 거쳐 도달하는
# 부분이 더해집니다. 시간을 거슬러 갈 때는 `dh`와 `dc`를 모두 전달합니다.

# %%
from assignments.a3_lstm.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward

N, T, D, H = 3, 4, 5, 6
x = rng.standard_normal((N, T, D))
h0 = rng.standard_normal((N, H))
c_prev = rng.standard_normal((N, H))
Wx = rng.standard_normal((D, 4 * H)) * 0.5
Wh = rng.standard_normal((H, 4 * H)) * 0.5
b = rng.standard_normal(4 * H) * 0.5

h_next, c_next, cache = lstm_step_forward(x[:, 0], h0, c_prev, Wx, Wh, b)
dh_next, dc_next = rng.standard_normal((N, H)), rng.standard_normal((N, H))


def step_loss(**args):
    h_out, c_out, _ = lstm_step_forward(**args)
    return (np.sum(dh_next * h_out) + np.sum(dc_next * c_out),)


show(gradient_errors(step_loss, dict(x=x[:, 0], h_prev=h0, c_prev=c_prev, Wx=Wx, Wh=Wh, b=b), np.array(1.0),
                     lstm_step_backward(dh_next, dc_next, cache)))

h, cache = lstm_forward(x, h0, Wx, Wh, b)
dh = rng.standard_normal(h.shape)
show(gradient_errors(lstm_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b), dh, lstm_backward(dh, cache)))

# %% [markdown]
# **채점** 셀입니다(Task 3.10~3.13: 10점).

# %% nbgrader={"grade": true, "grade_id": "check_lstm", "locked": true, "points": 10, "schema_version": 3, "solution": false}
# Tasks 3.10, 3.11, 3.12, 3.13
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["3.10", "3.11", "3.12", "3.13"])
### END HIDDEN TESTS

# %% [markdown]
# ## 4. 덧셈 문제에 적용한 여러분의 LSTM
#
# 과제 2의 덧셈 문제입니다. 두 채널(U[0, 1)에서 뽑은 값과 표시(marker), 앞뒤 절반에 표시가
# 하나씩), 목표는 표시된 두 값의 합, 기준선 MSE는 1/6입니다. 여러분의 LSTM(`H = 16`, 셀이
# 처음에 기억하는 쪽에서 시작하도록 망각 게이트 편향을 1로 초기화, 마지막 은닉 상태(hidden
# state) 위의 선형 헤드, 학습률 0.02의 Adam)을 길이 `T = 20`인 시퀀스 32개로 된 새로운 배치로
# 600 스텝 학습합니다. 과제 2의 tanh RNN이 기준선에 머무르는 길이입니다.
#
# **여러분의 연결 코드:**
#
# 1. `adding_batch(n, seq_len, rng)`: 과제 2의 여러분의 `adding_problem`과 같은 데이터입니다.
#    형상이 `(n, seq_len, 2)`인 `x`와 형상이 `(n, 1)`인 `y`를 반환합니다.
# 2. `loss_and_grads(params, x, y)`: 0 상태에서 여러분의 `lstm_forward`를 실행하고,
#    `pred = h[:, -1] @ Wy + by`로 예측한 다음, 평균 제곱 오차와 그 기울기를 계산하고, 헤드와
#    여러분의 `lstm_backward`를 거쳐 역전파합니다(상류 `dh`는 마지막 스텝을 제외하면 0입니다).
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


# %% nbgrader={"grade": false, "grade_id": "glue_lstm_loss", "locked": false, "schema_version": 3, "solution": true}
def loss_and_grads(params, x, y):
    ### BEGIN SOLUTION
    h_init = np.zeros((x.shape[0], params["Wh"].shape[0]))
    h, cache = lstm_forward(x, h_init, params["Wx"], params["Wh"], params["b"])
    diff = h[:, -1] @ params["Wy"] + params["by"] - y
    loss = float(np.mean(diff ** 2))
    dpred = 2 * diff / diff.size
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dpred, "by": dpred.sum(axis=0)}
    total = np.sqrt(sum(np.sum(grad ** 2) for grad in grads.values()))
    scale = min(1.0, 1.0 / (total + 1e-6))
    grads = {k: grad * scale for k, grad in grads.items()}
    ### END SOLUTION
    return loss, grads


# %%
SEQ_LEN, HIDDEN = 20, 16
rng = np.random.default_rng(0)
k = 1 / np.sqrt(HIDDEN)
params = {"Wx": rng.uniform(-k, k, (2, 4 * HIDDEN)), "Wh": rng.uniform(-k, k, (HIDDEN, 4 * HIDDEN)),
          "b": rng.uniform(-k, k, 4 * HIDDEN), "Wy": rng.uniform(-k, k, (HIDDEN, 1)), "by": np.zeros(1)}
params["b"][HIDDEN:2 * HIDDEN] = 1.0
optimizer = Adam(params, lr=2e-2)
losses = []
for step in range(600):
    xb, yb = adding_batch(32, SEQ_LEN, rng)
    loss, grads = loss_and_grads(params, xb, yb)
    params = optimizer.step(params, grads)
    losses.append(loss)

x_test, y_test = adding_batch(1000, SEQ_LEN, np.random.default_rng(10_000))
h_test, _ = lstm_forward(x_test, np.zeros((1000, HIDDEN)), params["Wx"], params["Wh"], params["b"])
test_mse = np.mean((h_test[:, -1] @ params["Wy"] + params["by"] - y_test) ** 2)
plt.semilogy(losses, alpha=0.7)
plt.axhline(1 / 6, color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("MSE")
plt.show()
print(test_mse)

# %% [markdown]
# 손실은 처음에 LSTM이 표시를 찾는 동안 기준선(점선)에 머물다가, 두 자릿수만큼 떨어집니다.
# 테스트 MSE는 1/6보다 훨씬 낮은 값(약 0.001)으로 끝나야 합니다.
#
# ## 5. 게이트 내부
#
# 테스트 시퀀스 하나를 여러분의 게이트 함수로 스텝별로 다시 실행하고, 시간에 따른 모든 유닛의
# 게이트를 살펴봅니다(점선: 표시된 스텝). 학습된 LSTM은 보통 표시된 값을 셀에 기록하기 위해
# 표시에서 입력 게이트를 더 크게 열고, 그 사이에는 값을 유지하기 위해 망각 게이트를 높게
# 유지합니다(출력: 표시된 스텝에서, 그리고 나머지 스텝에서 유닛에 대해 평균한 각 게이트의 값).

# %%
def lstm_gate_trace(params, x):
    H = params["Wh"].shape[0]
    h, c = np.zeros((1, H)), np.zeros((1, H))
    trace = {"i": [], "f": [], "o": []}
    for t in range(x.shape[1]):
        a = x[:, t] @ params["Wx"] + h @ params["Wh"] + params["b"]
        i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
        c = cell_state_update(c, f, i, g)
        h = hidden_state(c, o)
        for name, value in (("i", i), ("f", f), ("o", o)):
            trace[name].append(value[0])
    return {name: np.array(values) for name, values in trace.items()}


x_one, y_one = adding_batch(1, SEQ_LEN, np.random.default_rng(123))
markers = np.flatnonzero(x_one[0, :, 1])
trace = lstm_gate_trace(params, x_one)
fig, axes = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
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
# 게이트부터 시작해 정확한 기울기까지 갖춘 LSTM으로, tanh RNN이 배우지 못하는 20 스텝에 걸친
# 의존성을 학습합니다. 과제 4에서는 GRU로 같은 일을 합니다. GRU는 망각 게이트와 입력 게이트를
# 하나의 업데이트 게이트로 합치고, 별도의 셀 상태가 없습니다.
