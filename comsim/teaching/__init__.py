"""What a learner works with in a notebook: explorers, the step-through, predictions, labelled
notes, the quiz and its checker, and today's cases measured in this process.

May import comsim.model, comsim.engines and comsim.figures.
"""
