"""Assignment 2: BPTT in practice, clipping, and vanishing/exploding gradients."""
