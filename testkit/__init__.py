"""What the tests and the benchmark share: a headless Chromium that opens the exported pages
offline (:mod:`testkit.browser`) and a JupyterLab server driven as a learner would
(:mod:`testkit.lab`). Development tooling: it is not part of the comsim wheel.

Chromium itself is launched by :func:`comsim.publish.chromium.launch`, the one launcher the
tests, the benchmark and the handouts share.
"""
