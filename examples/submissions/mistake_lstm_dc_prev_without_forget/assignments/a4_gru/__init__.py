"""Assignment 4: the GRU, gate by gate, forward and backward (PyTorch convention)."""
