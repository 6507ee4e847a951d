# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 과제 1: 바닐라 RNN, BPTT와 문자 단위 언어 모델
#
# 여러분은 `assignments/a1_vanilla_rnn/` 패키지의 함수들을 구현합니다(`assignments/`
# 폴더는 이 노트북 옆에 있습니다). 이 노트북은 **여러분의** 코드를 실행합니다: 아래의
# 모든 import는 여러분의 파일을 읽습니다. `.py` 파일은 어떤 편집기로든 수정할 수 있고,
# `autoreload` 덕분에 노트북을 다시 시작하지 않아도 변경 사항이 반영됩니다.
#
# 핸드아웃 `assignments/a1_vanilla_rnn/README.md`에 수식, 형상 규칙(배치 우선(batch-major)
# `(N, T, D)`, 가중치는 오른쪽에서 곱합니다: `Wx`의 형상이 `(D, H)`일 때 `x @ Wx`, float64),
# 그리고 Task 표가 있습니다.
#
# 이 노트북의 채점 방식은 다음과 같습니다.
#
# - **채점** 표시가 있는 잠긴 셀은 과제를 수집할 때 과정의 숨겨진 검사로 그 셀에 적힌
#   Task를 검사합니다(여러분의 사본에는 Task ID만 보입니다). 여러 형상의 새로운 무작위
#   입력으로 참조 구현과 비교하고, 모든 역전파는 *여러분 자신의* 순전파로 구한 수치 미분과도
#   비교합니다. 통과한 검사마다 해당 Task 점수의 일부를 얻습니다(부분 점수, partial credit).
# - `# YOUR CODE HERE`가 있는 셀은 실험을 실행하는 작은 연결 코드(glue code)입니다. 채점되지는
#   않지만 실험에 필요합니다.
# - 나머지 셀은 자체 검사(self-check) 결과, 즉 중심 차분(centred differences)에 대한 여러분
#   기울기의 상대 오차를 출력합니다. 모두 약 `1e-7`보다 작아야 합니다.

# %% [markdown]
# 아래의 설정 셀은 numpy와 matplotlib을 import하고 몇 가지 도우미 함수를 정의합니다.
# `gradient_errors(forward, args, dout, grads)`는 각 해석적 기울기(analytic gradient)를
# `forward(**args)[0]`의 중심 차분과 비교하고(상대 오차 `||a - b|| / (||a|| + ||b||)`,
# `norm_error`로 계산합니다), `show`는 그 오차를 출력하며, `Adam`은 배열의 dict에 대한
# Adam 옵티마이저(Kingma & Ba 2015)입니다.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
# %load_ext autoreload
# %autoreload 2
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

from assignments.common.gradcheck import numerical_gradient, numerical_gradient_array


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
# ## 1. RNN 스텝과 시간 펼치기 (Task 1.1~1.4)
#
# 바닐라(Elman) 순환 신경망(RNN, recurrent neural network)의 한 스텝은 입력 `x_t`와 이전
# 상태를 읽습니다:
#
# $$h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$$
#
# `rnn_forward`는 주어진 `h0`에서 시작해 모든 스텝에 같은 스텝을 적용하고, 모든 은닉
# 상태(hidden state) `(N, T, H)`를 반환합니다. 시간 역전파(BPTT, backpropagation through
# time; `rnn_backward`)는 스텝을 거꾸로 거슬러 갑니다. `h_t`에 도달하는 기울기는 손실에서
# 직접 오는 `dh[:, t]`에 스텝 `t + 1`에서 거꾸로 흘러오는 기울기를 **더한** 값이고, 같은
# 가중치를 모든 스텝에서 사용하므로 가중치의 기울기는 스텝에 대해 **합산**합니다.

# %%
from assignments.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

rng = np.random.default_rng(0)
N, T, D, H = 3, 5, 4, 6
x = rng.standard_normal((N, T, D))
h0 = rng.standard_normal((N, H))
Wx = rng.standard_normal((D, H)) * 0.5
Wh = rng.standard_normal((H, H)) * 0.5
b = rng.standard_normal(H) * 0.5

h_next, _ = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
h, _ = rnn_forward(x, h0, Wx, Wh, b)
print(h_next.shape, h.shape)
print(np.allclose(h[:, 0], h_next))

# %% [markdown]
# 여러분의 역전파를 여러분 자신의 순전파로 구한 중심 차분과 비교하는 자체 검사입니다(출력되는
# 상대 오차는 `1e-7`보다 작아야 합니다):

# %%
_, cache = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
dh_next = rng.standard_normal((N, H))
show(gradient_errors(rnn_step_forward, dict(x=x[:, 0], h_prev=h0, Wx=Wx, Wh=Wh, b=b), dh_next,
                     rnn_step_backward(dh_next, cache)))

h, cache = rnn_forward(x, h0, Wx, Wh, b)
dh = rng.standard_normal(h.shape)
show(gradient_errors(rnn_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b), dh, rnn_backward(dh, cache)))

# %% [markdown]
# 다음 셀은 **채점** 셀입니다(Task 1.1, 1.2, 1.3, 1.4: 11점). 검사는 과제를 수집할 때
# 실행됩니다.

# %% nbgrader={"grade": true, "grade_id": "check_rnn", "locked": true, "points": 11, "schema_version": 3, "solution": false}
# Tasks 1.1, 1.2, 1.3, 1.4
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["1.1", "1.2", "1.3", "1.4"])
### END HIDDEN TESTS

# %% [markdown]
# ## 2. 출력 계층과 시간에 대한 손실 (Task 1.5~1.7)
#
# 언어 모델(language model)은 모든 은닉 상태를 어휘에 대한 점수로 바꾸고(모든 스텝에서
# `scores = h @ W + b`, 모든 스텝에 같은 `W`), 소프트맥스 교차 엔트로피를 **시간에 대해 합하고
# 배치에 대해 평균한** 손실로 학습합니다.
#
# 기억해 둘 만한 온전성 검사(sanity check)가 있습니다. 점수가 0에 가까우면 `V`개 클래스
# 각각의 확률이 `1/V`이므로, 길이 `T`인 시퀀스의 손실은 `T ln V`에 가깝습니다.

# %%
from assignments.a1_vanilla_rnn.output_layers import (temporal_affine_backward, temporal_affine_forward,
                                                      temporal_softmax_loss)

V = 7
states = rng.standard_normal((N, T, H))
W = rng.standard_normal((H, V))
by = rng.standard_normal(V)
scores, cache = temporal_affine_forward(states, W, by)
dout = rng.standard_normal(scores.shape)
show(gradient_errors(temporal_affine_forward, dict(h=states, W=W, b=by), dout, temporal_affine_backward(dout, cache)))

small_scores = 1e-3 * rng.standard_normal((N, T, V))
y = rng.integers(V, size=(N, T))
loss, dscores = temporal_softmax_loss(small_scores, y)
print(loss, T * np.log(V))
numeric = numerical_gradient(lambda s: temporal_softmax_loss(s, y)[0], small_scores.copy())
print(f"dscores  {norm_error(dscores, numeric):.1e}")

# %% [markdown]
# **채점** 셀입니다(Task 1.5, 1.6, 1.7: 5점).

# %% nbgrader={"grade": true, "grade_id": "check_output_layers", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# Tasks 1.5, 1.6, 1.7
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["1.5", "1.6", "1.7"])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. "hello"로 학습하는 문자 단위 언어 모델 (Task 1.8~1.10)
#
# 고전적인 첫 예제입니다. 어휘는 `h, e, l, o`이고, 입력은 "hell", 목표는 "ello"(텍스트를
# 한 문자 민 것)입니다. 입력 `l` 다음에는 한 번은 `l`, 한 번은 `o`가 오므로, 모델은 현재
# 문자만으로는 답할 수 없고 은닉 상태를 사용해야 합니다.
#
# `train_char_lm`(`char_lm.py`에 제공됨)은 Karpathy의 `min-char-rnn.py`처럼 Adagrad로 모델을
# 학습하며, 매 스텝 여러분의 `char_lm_loss`를 호출합니다.
#
# **여러분의 연결 코드:** 은닉 크기 8인 모델을 "hello"로 300 스텝 학습하고(학습률 0.1,
# seed 0), 파라미터는 `params`에, 손실 목록은 `losses`에 저장하세요. 그런 다음 "h"와 0으로
# 채운 은닉 상태에서 시작해 탐욕적으로(greedy, `rng=None`) 4개 문자를 생성하고, 디코딩한
# 문자열을 `generated`에 저장하세요.

# %%
from assignments.a1_vanilla_rnn.char_lm import (VOCAB, char_lm_loss, decode, encode, init_char_lm, one_hot,
                                                sample, train_char_lm)

print(one_hot(encode("hell"), len(VOCAB)))

# %% nbgrader={"grade": false, "grade_id": "glue_hello", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
params, losses = train_char_lm("hello", H=8, steps=300, lr=0.1, seed=0)
generated = decode(sample(params, np.zeros((1, 8)), int(encode("h")[0]), 4))
### END SOLUTION

# %% [markdown]
# 손실은 몇 자릿수만큼 줄어들어야 하고, 탐욕적 샘플은 `'ello'`여야 합니다. argmax를 취하는
# 대신 소프트맥스에서 샘플링하면(`rng`로 난수 생성기를 전달합니다) 다른 문자열이 이어지며,
# 그 빈도는 모델이 얼마나 확신하는지에 따라 달라집니다.

# %%
plt.semilogy(losses)
plt.xlabel("Adagrad step")
plt.ylabel("loss")
plt.show()
print(repr(generated), losses[-1])
print(decode(sample(params, np.zeros((1, 8)), int(encode("h")[0]), 12, rng=np.random.default_rng(1))))

# %% [markdown]
# **채점** 셀입니다(Task 1.8, 1.9, 1.10: 6점).

# %% nbgrader={"grade": true, "grade_id": "check_char_lm", "locked": true, "points": 6, "schema_version": 3, "solution": false}
# Tasks 1.8, 1.9, 1.10
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["1.8", "1.9", "1.10"])
### END HIDDEN TESTS

# %% [markdown]
# ## 4. 다대일과 일대다 (Task 1.11~1.14)
#
# 같은 순환 코어로 여러 입력/출력 패턴을 처리할 수 있습니다. **다대일**(many-to-one) 구조는
# 시퀀스 전체를 읽고 마지막 은닉 상태만으로 분류합니다(문장의 감성 분류). **일대다**(one-to-many)
# 구조는 `t = 0`에서 입력 하나를 받아 시퀀스를 생성합니다(이미지 캡셔닝).
#
# 실험: N(0, 1)에서 뽑은 수 `T = 10`개를 읽고 그 합이 양수인지 판단합니다. RNN은 입력을
# 시간에 걸쳐 누적해야 하며, 무작위로 맞힐 확률은 50 %입니다.
#
# **여러분의 연결 코드:** `loss_and_grads`를 완성하세요. 파라미터(`KEYS` 순서)로 여러분의
# `many_to_one_forward`를 실행하고, `temporal_softmax_loss`를 한 스텝짜리 손실로 사용하며(점수와
# 레이블에 길이 1인 시간 축을 추가합니다), `many_to_one_backward`로 역전파한 다음, 손실과 다섯
# 파라미터의 기울기를 키가 `KEYS`인 dict로 반환합니다.

# %%
from assignments.a1_vanilla_rnn.architectures import (many_to_one_backward, many_to_one_forward,
                                                      one_to_many_backward, one_to_many_forward)

KEYS = ("Wx", "Wh", "b", "Wy", "by")


def sign_of_sum_data(n, steps, rng):
    x = rng.standard_normal((n, steps, 1))
    return x, (x.sum(axis=(1, 2)) > 0).astype(np.int64)


# %% nbgrader={"grade": false, "grade_id": "glue_many_to_one", "locked": false, "schema_version": 3, "solution": true}
def loss_and_grads(params, x, y):
    h_init = np.zeros((x.shape[0], params["Wh"].shape[0]))
    ### BEGIN SOLUTION
    scores, cache = many_to_one_forward(x, h_init, *(params[k] for k in KEYS))
    loss, dscores = temporal_softmax_loss(scores[:, None, :], y[:, None])
    grads = dict(zip(KEYS, many_to_one_backward(dscores[:, 0, :], cache)[2:]))
    ### END SOLUTION
    return loss, grads


# %%
rng = np.random.default_rng(0)
hidden = 16
model = init_char_lm(1, hidden, rng, scale=0.3)
model["Wy"] = rng.standard_normal((hidden, 2)) * 0.1
model["by"] = np.zeros(2)
optimizer = Adam(model, lr=1e-2)
m2o_losses = []
for step in range(300):
    xb, yb = sign_of_sum_data(64, 10, rng)
    loss, grads = loss_and_grads(model, xb, yb)
    model = optimizer.step(model, grads)
    m2o_losses.append(loss)

x_test, y_test = sign_of_sum_data(2000, 10, np.random.default_rng(1000))
test_scores, _ = many_to_one_forward(x_test, np.zeros((2000, hidden)), *(model[k] for k in KEYS))
accuracy = np.mean(test_scores.argmax(axis=1) == y_test)
plt.plot(m2o_losses)
plt.axhline(np.log(2), color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("cross-entropy")
plt.show()
print(accuracy)

# %% [markdown]
# 300 스텝 후 테스트 정확도는 0.9보다 훨씬 높아야 합니다(점선은 무작위로 추측할 때의 손실
# `ln 2`입니다).
#
# 두 구조의 역전파에 대한 자체 검사입니다:

# %%
Wy = rng.standard_normal((H, 3))
b_out = rng.standard_normal(3)
scores, cache = many_to_one_forward(x, h0, Wx, Wh, b, Wy, b_out)
dscores = rng.standard_normal(scores.shape)
show(gradient_errors(many_to_one_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, Wy=Wy, by=b_out), dscores,
                     many_to_one_backward(dscores, cache)))

v = rng.standard_normal((N, D))
h_seq, cache = one_to_many_forward(v, h0, Wx, Wh, b, T)
dh = rng.standard_normal(h_seq.shape)
show(gradient_errors(lambda v, h0, Wx, Wh, b: one_to_many_forward(v, h0, Wx, Wh, b, T),
                     dict(v=v, h0=h0, Wx=Wx, Wh=Wh, b=b), dh, one_to_many_backward(dh, cache)))

# %% [markdown]
# **채점** 셀입니다(Task 1.11, 1.12, 1.13, 1.14: 8점).

# %% nbgrader={"grade": true, "grade_id": "check_architectures", "locked": true, "points": 8, "schema_version": 3, "solution": false}
# Tasks 1.11, 1.12, 1.13, 1.14
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["1.11", "1.12", "1.13", "1.14"])
### END HIDDEN TESTS

# %% [markdown]
# ## 5. 다층 순환 신경망 (Task 1.15, 1.16)
#
# 층을 쌓으면(다층 순환 신경망, stacked RNN) 네트워크가 두 번째 방향으로 깊어집니다. 층 `l`은
# 층 `l - 1`의 은닉 상태를 입력 시퀀스로 읽고, 자신의 초기 상태 `h0[l]`에서 시작합니다.
# 역전파는 맨 위 층에서 아래로 내려가며, 한 층의 `dx`가 바로 아래 층의 상류 기울기(upstream
# gradient) `dh`가 됩니다.

# %%
from assignments.a1_vanilla_rnn.stacked_rnn import stacked_rnn_backward, stacked_rnn_forward

L = 3
layers = [(rng.standard_normal((D if l == 0 else H, H)) * 0.5, rng.standard_normal((H, H)) * 0.5,
           rng.standard_normal(H) * 0.5) for l in range(L)]
h0_layers = rng.standard_normal((L, N, H))
h_top, cache = stacked_rnn_forward(x, h0_layers, layers)
dh_top = rng.standard_normal(h_top.shape)
dx, dh0_layers, dlayers = stacked_rnn_backward(dh_top, cache)
print(h_top.shape, dx.shape, dh0_layers.shape, [tuple(g.shape for g in grads) for grads in dlayers])
show(gradient_errors(lambda x, h0: stacked_rnn_forward(x, h0, layers), dict(x=x, h0=h0_layers), dh_top,
                     (dx, dh0_layers)))


def top_states(Wx_first):
    return stacked_rnn_forward(x, h0_layers, [(Wx_first, *layers[0][1:]), *layers[1:]])[0]


numeric = numerical_gradient_array(top_states, layers[0][0].copy(), dh_top)
print(f"dWx[0]  {norm_error(dlayers[0][0], numeric):.1e}")

# %% [markdown]
# **채점** 셀입니다(Task 1.15, 1.16: 5점).

# %% nbgrader={"grade": true, "grade_id": "check_stacked", "locked": true, "points": 5, "schema_version": 3, "solution": false}
# Tasks 1.15, 1.16
### BEGIN HIDDEN TESTS
from autograder.notebook_checks import check_tasks
check_tasks(["1.15", "1.16"])
### END HIDDEN TESTS

# %% [markdown]
# ## 여러분이 만든 것
#
# 시간 역전파를 갖춘 바닐라 RNN, 언어 모델의 출력 계층과 손실, "hello"를 학습한 모델, 시퀀스
# 분류기, 그리고 깊은(다층) RNN을 모두 numpy로 만들었습니다. 과제 2에서는 긴 시퀀스에서 이
# 기울기들에 어떤 문제가 생기는지, 그리고 그것을 어떻게 다루는지 살펴봅니다.
