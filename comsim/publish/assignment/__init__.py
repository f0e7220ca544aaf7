"""Notebook 07's cache exercise as a take-home: a rubric, and an autograder that runs each
untrusted submission in a sandbox of its own (``python -m comsim.publish.autograde FOLDER``).
"""
