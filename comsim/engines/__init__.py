"""Runs: the step engine (the model call by call), the fast engine (the same run in closed
form), their shared run arrays, the trace of one run, and ``simulate`` with named scenarios.

May import comsim.model only.
"""
