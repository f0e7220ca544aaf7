"""Active exercises beside predictions, each checked by comsim with a hint or a pass:
fill in the blanks (:mod:`.fill_in`, with the blank ``___`` of :mod:`.blank`), bug hunt
(:mod:`.bug_hunt`, a broken variant of the KB's loop run on the model by :mod:`.passes`) and
target practice (:mod:`.target`, on an explorer's sliders). *Now you try* is a checkpoint:
:func:`comsim.teaching.predict.now_you_try`.

Every verdict comes from :class:`comsim.teaching.answers.Answer`. Each exercise works in a
kernel; on a page with no kernel it shows its task and a notice that it needs one
(:mod:`.result`).
"""

from .blank import ___
from .bug_hunt import BUGS, BugHunt, bug_hunt
from .fill_in import FillIn, fill_in
from .passes import LoopRun, run_loop
from .result import NEEDS_KERNEL, TRY_NEEDS_KERNEL, Card, Result
from .target import MEASURES, Target, target

__all__ = [
    "BUGS",
    "MEASURES",
    "NEEDS_KERNEL",
    "TRY_NEEDS_KERNEL",
    "BugHunt",
    "Card",
    "FillIn",
    "LoopRun",
    "Result",
    "Target",
    "___",
    "bug_hunt",
    "fill_in",
    "run_loop",
    "target",
]
