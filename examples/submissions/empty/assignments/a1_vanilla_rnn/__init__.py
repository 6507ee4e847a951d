"""Assignment 1: the vanilla RNN, its sequence unroll, BPTT and a char-level language model."""
