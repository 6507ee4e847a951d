"""Input generators shared by the case modules of the gated assignments (A3 LSTM, A4 GRU)."""

def gate_value(rng, N, H):
    """A sigmoid gate value, inside (0, 1) and away from its ends."""
    return rng.uniform(0.05, 0.95, size=(N, H))


def candidate_value(rng, N, H):
    """A tanh candidate value, inside (-1, 1) and away from its ends."""
    return rng.uniform(-0.95, 0.95, size=(N, H))


def gradients_of(names):
    """{"dx": "x", ...}: each gradient output and the input it is the gradient of."""
    return {f"d{name}": name for name in names}
