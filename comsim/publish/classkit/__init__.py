"""The class kit (``make class``): the 50- and 20-minute decks, the worksheet, the exit tickets
and the answer key, from the notebooks' slide metadata and the class plan (``plan.toml``).
"""
