"""Assignment 3: the LSTM, gate by gate, forward and backward."""
