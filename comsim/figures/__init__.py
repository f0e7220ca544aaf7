"""Figures drawn with matplotlib from traces and snapshots: the figure style, memory plots,
the explorer plot, the object graph, the heap map, and alt text that states their numbers.

May import comsim.model and comsim.engines.
"""
