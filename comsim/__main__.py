"""``python -m comsim``: see :mod:`comsim.cli`."""

import sys

from .cli import main

sys.exit(main())
