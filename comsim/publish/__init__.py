"""Turning the notebooks into material: executing them, the course site, slides and handouts.

May import every other layer; nothing imports it but the command line.
"""
