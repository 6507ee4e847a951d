"""Runtime of the course: manifest loader, task harness and case inputs, message catalogues.

Imports only numpy, yaml and the standard library; the student release vendors
what its public tests need from here under the name ``rnn_course_runtime``.
"""
