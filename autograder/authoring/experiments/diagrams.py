"""Diagrams of the unrolled RNN, the LSTM cell and the GRU cell, drawn with matplotlib (no training).

``course release`` runs ``write_diagrams`` into each assignment's ``figures/``
folder, so the handouts' image links (``figures/unrolled_rnn.png`` ...) resolve
in the student repository; the images are derived, never committed.
``python -m experiments diagrams`` draws them into ``figures/`` as well.

The diagrams follow the course's conventions: batch-major, weights on the right
(``x_t Wx + h_{t-1} Wh + b``), LSTM gates i, f, g, o with ``c_t = f*c_{t-1} + i*g``
and ``h_t = o*tanh(c_t)``, GRU gates r, z, n with the reset applied after the
matrix product, ``n = tanh(x Wx_n + bx_n + r*(h_{t-1} Wh_n + bh_n))``, and
``h_t = (1-z)*n + z*h_{t-1}``.
"""

from .common import plt, save_figure

BOX = dict(boxstyle="round,pad=0.35", fc="#e8f0fe", ec="#1a4f9c", lw=1.5)
OP = dict(boxstyle="circle,pad=0.25", fc="#fff4e0", ec="#b36b00", lw=1.5)
GATE = dict(boxstyle="round,pad=0.3", fc="#e6f4ea", ec="#1e7b34", lw=1.5)


def _node(ax, x, y, text, style=BOX, size=13):
    ax.text(x, y, text, ha="center", va="center", fontsize=size, bbox=style, zorder=3)


def _arrow(ax, start, end, text=None, color="k", offset=(0.0, 0.12), style="-|>"):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle=style, lw=1.6, color=color,
                                                         shrinkA=14, shrinkB=14), zorder=2)
    if text:
        ax.text((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text, ha="center",
                fontsize=11, color=color)


def _canvas(width, height, title):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    ax.set_title(title, fontsize=14)
    return fig, ax


def unrolled_rnn(out_dir):
    """h_t = tanh(x_t Wx + h_{t-1} Wh + b), y_t = h_t Wy + by, unrolled over four steps."""
    fig, ax = _canvas(13, 5.2, "A tanh RNN unrolled in time: the same Wx, Wh, b, Wy at every step")
    _node(ax, 0.8, 2.6, "$h_0$")
    for k, x in enumerate((3.0, 5.8, 8.6, 11.4)):
        t = "t" if k == 3 else str(k + 1)
        _node(ax, x, 0.7, f"$x_{{{t}}}$")
        _node(ax, x, 2.6, f"$h_{{{t}}} = \\tanh(x_{{{t}}} W_x + h_{{{t}-1}} W_h + b)$" if k == 3 else f"$h_{{{t}}}$")
        _node(ax, x, 4.4, f"$\\hat y_{{{t}}} = h_{{{t}}} W_y + b_y$" if k == 3 else f"$\\hat y_{{{t}}}$")
        _arrow(ax, (x, 0.7), (x, 2.6), "$W_x$", offset=(0.35, 0))
        _arrow(ax, (x, 2.6), (x, 4.4), "$W_y$", offset=(0.35, 0))
        previous = 0.8 if k == 0 else x - 2.8
        _arrow(ax, (previous, 2.6), (x - (1.3 if k == 3 else 0), 2.6), "$W_h$")
    ax.text(10.0, 3.1, "...", fontsize=16, ha="center")
    ax.text(6.5, 0.05, "shapes: x_t (N, D), h_t (N, H), y_t (N, V); Wx (D, H), Wh (H, H), Wy (H, V)",
            ha="center", fontsize=11, color="#444")
    return save_figure(fig, out_dir, "unrolled_rnn.png")


def lstm_cell(out_dir):
    """One LSTM step: a = x Wx + h Wh + b split into i, f, g, o; c = f*c_prev + i*g; h = o*tanh(c)."""
    fig, ax = _canvas(12, 6.5, "LSTM cell: gates i, f, g, o from a = x_t Wx + h_(t-1) Wh + b")
    _node(ax, 0.9, 5.3, "$c_{t-1}$")
    _node(ax, 0.9, 1.0, "$h_{t-1}$")
    _node(ax, 3.0, 0.3, "$x_t$")
    _node(ax, 3.0, 1.6, "$a = x_t W_x + h_{t-1} W_h + b$\n(N, 4H)", size=11)
    _arrow(ax, (0.9, 1.0), (2.0, 1.5))
    _arrow(ax, (3.0, 0.3), (3.0, 1.3))
    gates = (("$f = \\sigma(a_f)$", 4.6), ("$i = \\sigma(a_i)$", 6.2), ("$g = \\tanh(a_g)$", 7.8),
             ("$o = \\sigma(a_o)$", 9.4))
    for text, x in gates:
        _node(ax, x, 3.0, text, GATE, size=11)
        _arrow(ax, (3.6, 1.9), (x, 2.75), color="#1e7b34")
    _node(ax, 4.6, 5.3, "$\\times$", OP)
    _node(ax, 7.0, 5.3, "$+$", OP)
    _node(ax, 7.0, 4.1, "$\\times$", OP)
    _arrow(ax, (0.9, 5.3), (4.6, 5.3), "cell path: only $\\times f$ and $+$")
    _arrow(ax, (4.6, 3.0), (4.6, 5.3))
    _arrow(ax, (6.2, 3.0), (7.0, 4.1))
    _arrow(ax, (7.8, 3.0), (7.0, 4.1))
    _arrow(ax, (7.0, 4.1), (7.0, 5.3))
    _arrow(ax, (4.6, 5.3), (7.0, 5.3))
    _node(ax, 10.8, 5.3, "$c_t$")
    _arrow(ax, (7.0, 5.3), (10.8, 5.3), "$c_t = f c_{t-1} + i g$")
    _node(ax, 10.8, 4.1, "$h_t = o \\tanh(c_t)$", BOX, size=11)
    _arrow(ax, (9.4, 3.0), (10.8, 3.9))
    _arrow(ax, (10.8, 5.3), (10.8, 4.3))
    ax.text(6.0, 6.2, "element-wise products; every gate is (N, H)", ha="center", fontsize=11, color="#444")
    return save_figure(fig, out_dir, "lstm_cell.png")


def gru_cell(out_dir):
    """One GRU step (reset after the matrix product) and h = (1-z)*n + z*h_prev."""
    fig, ax = _canvas(12, 6.5, "GRU cell: gates r, z and candidate n (reset applied after the matrix product)")
    _node(ax, 0.9, 5.3, "$h_{t-1}$")
    _node(ax, 0.9, 0.5, "$x_t$")
    _node(ax, 3.2, 0.5, "$a_x = x_t W_x + b_x$", size=11)
    _node(ax, 3.2, 1.9, "$a_h = h_{t-1} W_h + b_h$", size=11)
    _arrow(ax, (0.9, 0.5), (2.0, 0.5))
    _arrow(ax, (0.9, 5.3), (2.6, 2.2))
    _node(ax, 6.6, 3.6, "$r = \\sigma(a_{x,r} + a_{h,r})$", GATE, size=11)
    _node(ax, 9.8, 3.6, "$z = \\sigma(a_{x,z} + a_{h,z})$", GATE, size=11)
    _node(ax, 6.6, 1.2, "$n = \\tanh(a_{x,n} + r \\cdot a_{h,n})$", GATE, size=11)
    for source in ((4.4, 0.6), (4.4, 1.9)):
        for target in ((5.6, 3.4), (8.8, 3.4), (5.0, 1.2)):
            _arrow(ax, source, target, color="#1e7b34")
    _arrow(ax, (6.6, 3.35), (6.6, 1.45), "r", offset=(0.2, 0))
    _node(ax, 9.8, 5.3, "$h_t = (1-z)\\, n + z\\, h_{t-1}$", BOX, size=12)
    _arrow(ax, (0.9, 5.3), (8.2, 5.3), "$z$ near 1: keep $h_{t-1}$")
    _arrow(ax, (9.8, 3.85), (9.8, 5.05))
    _arrow(ax, (8.2, 1.2), (11.2, 5.05), "$z$ near 0: write $n$", offset=(1.0, -0.3))
    ax.text(6.0, 6.2, "element-wise products; r, z, n and h are (N, H)", ha="center", fontsize=11, color="#444")
    return save_figure(fig, out_dir, "gru_cell.png")


DIAGRAMS = {"unrolled_rnn.png": unrolled_rnn, "lstm_cell.png": lstm_cell, "gru_cell.png": gru_cell}


def write_diagrams(out_dir, names=tuple(DIAGRAMS)):
    """Draw the named diagrams into ``out_dir``; returns the file names."""
    return [DIAGRAMS[name](out_dir) for name in names]


def run(out_dir, quick=False, seed=0):
    """Draw the three diagrams (no randomness: ``quick`` and ``seed`` change nothing)."""
    return {"figures": write_diagrams(out_dir)}
