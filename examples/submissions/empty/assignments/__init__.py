"""Student stubs of the RNN course, generated from the reference solutions by `course stubs`."""
