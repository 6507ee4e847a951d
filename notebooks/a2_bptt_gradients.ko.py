# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 과제 2: 실전 BPTT, 기울기 소실과 기울기 폭발
#
# 여러분은 `assignments/a2_bptt_gradients/`의 함수들을 구현합니다. 이 노트북은 **여러분의**
# 코드를 import해서 네 가지 실험에 사용합니다. 기울기 노름이 시간을 거치며 어떻게 줄어들거나
# 커지는지, 기울기 클리핑(gradient clipping)이 폭발하는 학습에 무엇을 하는지, Truncated
# BPTT(truncated backpropagation through time)가 무엇을 잃는지, 그리고 시퀀스가 길어지면 왜
# tanh 순환 신경망(RNN, recurrent neural network)이 덧셈 문제(adding problem)를 풀지 못하는지
# 살펴봅니다. 시간에 따라 기울기가 0으로 줄어드는 현상을 기울기 소실(vanishing gradient),
# 한없이 커지는 현상을 기울기 폭발(exploding gradient)이라고 합니다.
#
# **시작하기 전에:** 이 과제는 여러분의 과제 1을 기반으로 합니다. `assignments/a1_vanilla_rnn/`의
# 여러분 파일(최소한 `rnn.py`, `output_layers.py`, `char_lm.py`)을 이 노트북 옆의
# `assignments/a1_vanilla_rnn/` 폴더에 복사하세요. Truncated BPTT, 기울기 노름과 실험이 이
# 파일들을 호출하며, 파일이 없는 동안 Task 2.1과 2.4의 검사는 "not graded yet"을 보고합니다.
#
# 핸드아웃 `assignments/a2_bptt_gradients/README.md`에 수식과 Task 표가 있습니다. **채점**
# 셀은 과제를 수집할 때 과정의 숨겨진 검사를 실행합니다(새로운 무작위 입력, 검사별 부분 점수).
# `# YOUR CODE HERE`가 있는 셀은 실험을 위한 연결 코드(glue code)이며 채점되지 않습니다.

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
# ## 1. 순환 행렬의 초기화 (Task 2.5~2.7)
#
# `Wh`를 뽑는 세 가지 방법이 있습니다. 원하는 **스펙트럼 반지름**(spectral radius, 고윳값의
# 최대 절댓값)으로 크기를 조정한 가우스 행렬, **직교** 행렬(orthogonal matrix, 모든 특잇값이
# gain과 같음), 그리고 **항등** 행렬(identity, Le 등 2015의 IRNN)입니다. 스펙트럼 반지름은
# 상태에 가한 작은 섭동이 여러 스텝에 걸쳐 얼마나 커지거나 작아지는지를 결정하고, 가장 큰
# 특잇값은 한 스텝이 그것을 얼마나 늘릴 수 있는지의 상한입니다. 가우스 행렬에서는 두 값이
# 다릅니다. 아래 출력(열: 스펙트럼 반지름, 가장 큰 특잇값, 가장 작은 특잇값)에서 스펙트럼
# 반지름이 1인 가우스 행렬은 한 스텝에 어떤 방향을 1보다 훨씬 크게 늘이지만, 직교 행렬과 항등
# 행렬은 모든 노름을 보존합니다.

# %%
from assignments.a2_bptt_gradients.initializers import init_identity, init_orthogonal, init_spectral_radius

rng = np.random.default_rng(0)
W_radius = init_spectral_radius(32, 1.0, rng)
W_orthogonal = init_orthogonal(32, rng, gain=1.0)
for W in (W_radius, W_orthogonal, init_identity(32)):
    singular_values = np.linalg.svd(W, compute_uv=False)
    print(f"{np.max(np.abs(np.linalg.eigvals(W))):.3f}  {singular_values[0]:.3f}  {singular_values[-1]:.3f}")

# %% [markdown]
# **채점** 셀입니다(Task 2.5, 2.6, 2.7: 3점).

# %% nbgrader={"grade": true, "grade_id": "check_initializers", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Tasks 2.5, 2.6, 2.7
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["2.5", "2.6", "2.7"])
### END HIDDEN TESTS

# %% [markdown]
# ## 2. ReLU RNN 스텝 (Task 2.8, 2.9)
#
# `h_t = max(0, x_t Wx + h_{t-1} Wh + b)`입니다. `Wh = I`, `b = 0`이고 입력이 없으면 상태와
# 기울기가 스텝마다 그대로 복사됩니다. 그래서 IRNN은 기울기 소실도 기울기 폭발도 없는 상태에서
# 학습을 시작합니다.

# %%
from assignments.a2_bptt_gradients.relu_rnn import relu_rnn_step_backward, relu_rnn_step_forward

N, D, H = 4, 3, 5
x = rng.standard_normal((N, D))
h_prev = rng.standard_normal((N, H))
Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
h_next, cache = relu_rnn_step_forward(x, h_prev, Wx, Wh, b)
dh_next = rng.standard_normal(h_next.shape)
show(gradient_errors(relu_rnn_step_forward, dict(x=x, h_prev=h_prev, Wx=Wx, Wh=Wh, b=b), dh_next,
                     relu_rnn_step_backward(dh_next, cache)))

h_state = np.abs(rng.standard_normal((N, H)))
print(np.allclose(relu_rnn_step_forward(np.zeros((N, D)), h_state, Wx, init_identity(H), np.zeros(H))[0], h_state))

# %% [markdown]
# **채점** 셀입니다(Task 2.8, 2.9: 3점).

# %% nbgrader={"grade": true, "grade_id": "check_relu_rnn", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Tasks 2.8, 2.9
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["2.8", "2.9"])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. 시간에 따른 기울기 노름 (Task 2.4)
#
# 마지막 상태만 보는 손실 `L = sum(dh_last * h_{T-1})`을 두고, 모든 `t`에 대해
# `||dL/dh_t||`를 기록합니다. 한 스텝 거슬러 갈 때마다 기울기에 `diag(phi'(a_t)) Wh^T`가
# 곱해지므로, tanh의 거의 선형인 영역(작은 입력, 작은 상태)에서 노름은
# `rho(Wh)^(T-1-t)`처럼 변합니다. 스펙트럼 반지름이 1보다 작으면 **소실**되고 1보다 크면
# **폭발**합니다(Bengio 등 1994; Pascanu 등 2013).
#
# 실험: `H = 32`, `T = 50`, 입력은 `0.01 N(0, 1)`이며, 몇 개의 seed에 대해 평균합니다.
# 스펙트럼 반지름이 0.5, 1.0, 1.5인 tanh RNN과 IRNN(ReLU, `Wh = I`, 편향 0, 모든 유닛이
# 활성화되도록 `h0 = 1`에서 시작)을 비교합니다.
#
# **여러분의 연결 코드:** `log_norm_curve`에서 여러분의 `hidden_gradient_norms`로 `norms`를
# 계산하세요. `setting == "irnn"`이면 `Wh = init_identity(H)`, 편향 0, `h0`가 모두 1인 ReLU
# RNN을, 그렇지 않으면 `Wh = init_spectral_radius(H, setting, rng)`, 편향 0, `h0`가 모두 0인
# tanh RNN을 사용합니다.

# %%
from assignments.a2_bptt_gradients.gradient_flow import hidden_gradient_norms

SEQ_LEN, HIDDEN, INPUT, BATCH = 50, 32, 8, 16


# %% nbgrader={"grade": false, "grade_id": "glue_gradient_norms", "locked": false, "schema_version": 3, "solution": true}
def log_norm_curve(setting, seed):
    rng = np.random.default_rng(seed)
    x = 0.01 * rng.standard_normal((BATCH, SEQ_LEN, INPUT))
    Wx = rng.standard_normal((INPUT, HIDDEN)) / np.sqrt(INPUT)
    dh_last = rng.standard_normal((BATCH, HIDDEN))
    ### BEGIN SOLUTION
    if setting == "irnn":
        norms = hidden_gradient_norms(x, np.ones((BATCH, HIDDEN)), Wx, init_identity(HIDDEN), np.zeros(HIDDEN),
                                      dh_last, "relu")
    else:
        Wh = init_spectral_radius(HIDDEN, setting, rng)
        norms = hidden_gradient_norms(x, np.zeros((BATCH, HIDDEN)), Wx, Wh, np.zeros(HIDDEN), dh_last, "tanh")
    ### END SOLUTION
    return np.log(norms / norms[-1])


# %%
distance = np.arange(SEQ_LEN)[::-1]
slopes = {}
for setting in (0.5, 1.0, 1.5, "irnn"):
    mean_log = np.mean([log_norm_curve(setting, seed) for seed in range(4)], axis=0)
    slopes[setting] = np.polyfit(distance, mean_log, 1)[0]
    plt.semilogy(distance, np.exp(mean_log), label=f"{setting}: {slopes[setting]:+.3f}")
plt.xlabel("T - 1 - t")
plt.ylabel("||dL/dh_t|| / ||dL/dh_(T-1)||")
plt.ylim(1e-16, 1e8)
plt.legend()
plt.show()
print({k: round(float(v), 3) for k, v in slopes.items()}, np.log([0.5, 1.0, 1.5]).round(3))

# %% [markdown]
# 스텝당 `ln ||dL/dh_t||`의 기울기(slope)는 반지름 0.5에서 `ln 0.5 = -0.69`에 가깝고,
# 반지름 1과 IRNN에서 0에 가까우며, 반지름 1.5에서 양수여야 합니다(단 `ln 1.5 = 0.41`보다
# 작습니다. 상태가 tanh가 포화될 때까지 커지고, 그 도함수 `1 - h^2 < 1`이 기울기의 증가를
# 늦추기 때문입니다).

# %% [markdown]
# **채점** 셀입니다(Task 2.4: 3점).

# %% nbgrader={"grade": true, "grade_id": "check_gradient_norms", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Task 2.4
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["2.4"])
### END HIDDEN TESTS

# %% [markdown]
# ## 4. 폭발하는 기울기의 클리핑 (Task 2.2, 2.3)
#
# **전역 노름 기준 클리핑**(clipping by global norm)은 모든 기울기의 결합 노름이 임계값을 넘으면
# 모든 기울기의 크기를 함께 조정합니다. 업데이트의 방향은 유지되고 길이만 제한됩니다(Pascanu 등
# 2013). **값 기준 클리핑**(clipping by value)은 각 원소를 따로 잘라 내므로 방향이 바뀝니다.
#
# 실험: `Wh`의 스펙트럼 반지름이 2이고 `H = 16`인 tanh RNN이 `T = 20`개의 수를 읽고, 그 합을
# `sqrt(T)`로 나눈 값을 출력해야 합니다(0을 예측하면 평균 제곱 오차가 1입니다). 학습률 0.2의
# 단순 SGD로 같은 배치들을 두 번 학습합니다. 한 번은 원래 기울기로, 한 번은 전역 노름 1로
# 클리핑한 기울기로 학습합니다.
#
# **여러분의 연결 코드:** 학습 루프에서 여러분의 `clip_grad_norm`(임계값 1)으로 클리핑한
# 기울기와 전역 노름 `total`을 계산한 다음, `clip`이 참이면 클리핑한 기울기로, 아니면 원래
# 기울기로 모든 파라미터에 대해 `p - lr * g`인 SGD 스텝을 한 번 수행하세요.
#
# (제공되는 `sum_task_loss`는 여러분의 tanh RNN의 마지막 은닉 상태(hidden state) 위에 놓인 선형
# 헤드의 평균 제곱 오차와 모든 파라미터의 기울기를 반환합니다.)

# %%
from assignments.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward
from assignments.a2_bptt_gradients.clipping import clip_grad_norm, clip_grad_value

example = {"a": np.array([3.0, 4.0]), "b": np.array([[12.0]])}
print(clip_grad_norm(example, 1.0))
print(clip_grad_value(example, 3.5), example)


def sum_task_data(n, steps, rng):
    x = rng.standard_normal((n, steps, 1))
    return x, x.sum(axis=1) / np.sqrt(steps)


def sum_task_loss(params, x, y):
    h, cache = rnn_forward(x, np.zeros((x.shape[0], params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    pred = h[:, -1] @ params["Wy"] + params["by"]
    diff = pred - y
    dpred = 2 * diff / diff.size
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    _, _, dWx, dWh, db = rnn_backward(dh, cache)
    return float(np.mean(diff ** 2)), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dpred,
                                       "by": dpred.sum(axis=0)}


# %% nbgrader={"grade": false, "grade_id": "glue_clipping", "locked": false, "schema_version": 3, "solution": true}
def train_sum_task(clip, steps=150, lr=0.2, hidden=16, seq_len=20, batch=64, seed=0):
    rng = np.random.default_rng(seed)
    params = {"Wx": rng.standard_normal((1, hidden)), "Wh": init_spectral_radius(hidden, 2.0, rng),
              "b": np.zeros(hidden), "Wy": rng.standard_normal((hidden, 1)) / np.sqrt(hidden), "by": np.zeros(1)}
    losses, norms = [], []
    for _ in range(steps):
        x, y = sum_task_data(batch, seq_len, rng)
        loss, grads = sum_task_loss(params, x, y)
        ### BEGIN SOLUTION
        clipped, total = clip_grad_norm(grads, 1.0)
        step = clipped if clip else grads
        params = {k: p - lr * step[k] for k, p in params.items()}
        ### END SOLUTION
        losses.append(loss)
        norms.append(total)
        if not np.isfinite(loss):
            break
    return np.array(losses), np.array(norms)


# %%
with np.errstate(over="ignore", invalid="ignore"):
    runs = {"unclipped": train_sum_task(False), "clipped": train_sum_task(True)}
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, (losses, norms) in runs.items():
    axes[0].semilogy(np.minimum(losses, 1e30), label=name)
    axes[1].semilogy(np.minimum(norms, 1e30), label=name)
    print(name, np.mean(losses[-50:]), np.max(norms))
axes[0].axhline(1.0, color="k", ls="--")
axes[0].set_ylabel("MSE")
axes[1].set_ylabel("||g||")
for ax in axes:
    ax.set_xlabel("SGD step")
    ax.legend()
plt.show()

# %% [markdown]
# 클리핑이 없으면 몇몇 스텝에서 평소보다 여러 자릿수 큰 기울기를 만납니다. 그런 업데이트 한
# 번이 가중치를 멀리 날려 보내고 손실이 폭증합니다. 클리핑을 하면 같은 학습이 유계로 유지되고
# 손실이 줄어듭니다.

# %% [markdown]
# **채점** 셀입니다(Task 2.2, 2.3: 3점).

# %% nbgrader={"grade": true, "grade_id": "check_clipping", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Tasks 2.2, 2.3
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["2.2", "2.3"])
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Truncated BPTT (Task 2.1)
#
# Truncated BPTT는 시퀀스를 `k` 스텝짜리 조각(chunk)으로 자릅니다. 은닉 상태는 조각에서
# 조각으로 이어지지만(따라서 순전파와 손실은 바뀌지 않습니다), 어떤 기울기도 조각 경계를 넘지
# 않습니다. `k >= T`이면 전체 시간 역전파(BPTT, backpropagation through time)와 같습니다.
#
# 실험: 문자 단위 RNN(`H = 32`, 여러분의 과제 1 모델)을 텍스트
# `"hello world hello there " * 4`에 Adagrad(학습률 0.1, `min-char-rnn.py`처럼 기울기를 값
# 기준 5로 클리핑)로 학습시키는데, 전체 BPTT와 5문자 조각으로 각각 학습합니다. `"hello "`
# 다음 문자(`w` 또는 `t`)는 12문자 앞의 구절에 따라 정해집니다.
#
# **여러분의 연결 코드:** 한 번의 학습 업데이트를 작성하세요. 조각 길이 `chunk_len`으로
# 여러분의 `truncated_bptt`에서 손실과 기울기를 구하고, 여러분의 `clip_grad_value`로 기울기를
# 5에서 클리핑한 다음, 모든 파라미터에 Adagrad를 적용합니다:
# `memory[k] += g**2`, `params[k] -= 0.1 * g / sqrt(memory[k] + 1e-8)`.
#
# (제공되는 `after_hello_loss`는 `"hello "` 다음에 오는 문자들, 즉 장거리 예측의 평균 교차
# 엔트로피를 측정합니다.)

# %%
from assignments.a1_vanilla_rnn.char_lm import encode, init_char_lm, one_hot
from assignments.a1_vanilla_rnn.output_layers import temporal_affine_forward
from assignments.a2_bptt_gradients.truncated_bptt import truncated_bptt
from assignments.common.activations import softmax

TEXT = "hello world hello there " * 4


def prepare(text):
    vocab = "".join(sorted(set(text)))
    encoded = encode(text, vocab)
    return vocab, one_hot(encoded[None, :-1], len(vocab)), encoded[None, 1:]


def after_hello_loss(params, text, x, y):
    h, _ = rnn_forward(x, np.zeros((1, params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    probs = softmax(temporal_affine_forward(h, params["Wy"], params["by"])[0])[0]
    steps = [t for t in range(y.shape[1]) if text[: t + 1].endswith("hello ")]
    return float(-np.mean(np.log(probs[steps, y[0, steps]])))


vocab, x_text, y_text = prepare(TEXT)
params = init_char_lm(len(vocab), 32, np.random.default_rng(0))
loss_full, grads_full, _ = truncated_bptt(x_text, y_text, np.zeros((1, 32)), params, x_text.shape[1])
loss_5, grads_5, _ = truncated_bptt(x_text, y_text, np.zeros((1, 32)), params, 5)
print(loss_full, loss_5, norm_error(grads_full["Wy"], grads_5["Wy"]), norm_error(grads_full["Wh"], grads_5["Wh"]))


# %% nbgrader={"grade": false, "grade_id": "glue_truncated", "locked": false, "schema_version": 3, "solution": true}
def train_text(text, chunk_len, updates=100, hidden=32, seed=0):
    vocab, x, y = prepare(text)
    params = init_char_lm(len(vocab), hidden, np.random.default_rng(seed))
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    h_init = np.zeros((1, hidden))
    losses = []
    for _ in range(updates):
        ### BEGIN SOLUTION
        loss, grads, _ = truncated_bptt(x, y, h_init, params, chunk_len)
        grads = clip_grad_value(grads, 5.0)
        for k in params:
            memory[k] = memory[k] + grads[k] ** 2
            params[k] = params[k] - 0.1 * grads[k] / np.sqrt(memory[k] + 1e-8)
        ### END SOLUTION
        losses.append(loss / x.shape[1])
    return losses, params


# %%
for chunk_len in (x_text.shape[1], 5):
    text_losses, trained = train_text(TEXT, chunk_len)
    plt.semilogy(text_losses, label=f"k = {chunk_len}")
    print(chunk_len, np.mean(text_losses[-20:]), after_hello_loss(trained, TEXT, x_text, y_text))
plt.xlabel("Adagrad update")
plt.ylabel("loss per character")
plt.legend()
plt.show()

# %% [markdown]
# 손실과 출력 계층의 기울기는 모든 조각 길이에서 같습니다(첫 번째 출력 줄). 순환 기울기는
# 그렇지 않습니다. 학습 후 두 모델 모두 텍스트의 대부분을 맞히지만, 5문자 조각으로 학습한
# 모델은 "지금 어느 구절에 있는지"를 12 스텝 동안 기억하도록 배운 적이 없습니다. 그래서
# `"hello "` 다음 문자에 대한 손실이 전체 BPTT보다 훨씬 높게 남습니다.

# %% [markdown]
# **채점** 셀입니다(Task 2.1: 4점).

# %% nbgrader={"grade": true, "grade_id": "check_truncated_bptt", "locked": true, "points": 4, "schema_version": 3, "solution": false}
# Task 2.1
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["2.1"])
### END HIDDEN TESTS

# %% [markdown]
# ## 6. 덧셈 문제 (Task 2.10)
#
# 각 시퀀스에는 두 채널이 있습니다. U[0, 1)에서 뽑은 값들과 표시(marker)이며, 시퀀스의 앞뒤
# 절반에 각각 정확히 하나의 표시가 있습니다. 목표는 표시된 두 값의 합입니다. 평균인 1을
# 예측하면 평균 제곱 오차가 `Var(U1 + U2) = 1/6`이므로, 모델은 이 선보다 낮아야만 무언가를
# 배운 것입니다.
#
# 아래에서 여러분의 tanh RNN(`H = 16`, Adam, 전역 노름 1로 기울기 클리핑)을 `T = 10`과
# `T = 50`에서 각각 300 스텝 학습합니다. `T = 10`에서는 기준선 아래로 내려가지만, `T = 50`에서는
# 첫 번째 표시에서 오는 기울기가 수십 번의 tanh 스텝을 지나며 소실되어 손실이 1/6에 머무릅니다.
# 과제 3과 4에서는 LSTM과 GRU로 이 문제를 풉니다.

# %%
from assignments.a2_bptt_gradients.adding_problem import BASELINE_MSE, adding_problem

x_add, y_add = adding_problem(3, 8, np.random.default_rng(0))
print(x_add[0].T, y_add[0])
_, y_many = adding_problem(20000, 8, np.random.default_rng(1))
print(np.mean((y_many - 1.0) ** 2), BASELINE_MSE)


def adding_loss(params, x, y):
    h, cache = rnn_forward(x, np.zeros((x.shape[0], params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    diff = h[:, -1] @ params["Wy"] + params["by"] - y
    dpred = 2 * diff / diff.size
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    _, _, dWx, dWh, db = rnn_backward(dh, cache)
    return float(np.mean(diff ** 2)), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dpred,
                                       "by": dpred.sum(axis=0)}


def train_adding_rnn(seq_len, steps=300, hidden=16, batch=32, seed=0):
    rng = np.random.default_rng(seed)
    k = 1 / np.sqrt(hidden)
    params = {"Wx": rng.uniform(-k, k, (2, hidden)), "Wh": rng.uniform(-k, k, (hidden, hidden)),
              "b": rng.uniform(-k, k, hidden), "Wy": rng.uniform(-k, k, (hidden, 1)), "by": np.zeros(1)}
    optimizer = Adam(params, lr=2e-2)
    losses = []
    for _ in range(steps):
        x, y = adding_problem(batch, seq_len, rng)
        loss, grads = adding_loss(params, x, y)
        params = optimizer.step(params, clip_grad_norm(grads, 1.0)[0])
        losses.append(loss)
    return losses


for seq_len in (10, 50):
    adding_losses = train_adding_rnn(seq_len)
    plt.semilogy(adding_losses, alpha=0.7, label=f"T = {seq_len}")
    print(seq_len, np.mean(adding_losses[-50:]))
plt.axhline(BASELINE_MSE, color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("MSE")
plt.legend()
plt.show()

# %% [markdown]
# **채점** 셀입니다(Task 2.10: 2점).

# %% nbgrader={"grade": true, "grade_id": "check_adding_problem", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Task 2.10
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["2.10"])
### END HIDDEN TESTS

# %% [markdown]
# ## 여러분이 본 것
#
# 순환 구조를 지나는 기울기는 많은 야코비 행렬의 곱입니다. 그 노름은 `Wh`의 스펙트럼 반지름을
# 따라 지수적으로 0이나 무한대로 향합니다. 클리핑은 폭발을 길들이고, 잘라 내기(truncation)는
# 장거리 신용 할당(credit assignment)을 속도와 맞바꾸며, 여기서는 어떤 것도 소실을 해결하지
# 못합니다. 다음 두 과제의 게이트가 있는 셀이 그것을 해결합니다.
