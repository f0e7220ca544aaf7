"""The model: COM's client side (process, proxy manager, interface proxies, blankets), the
NT-like heap, transient buffers, timing, the loop strategies, parameters, sources and errors.

Imports nothing else of comsim: every other layer stands on this one.
"""
