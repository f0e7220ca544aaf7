"""``python -m comsim.publish.classkit`` (``make class``): write the class kit to build/class."""

import sys

from .kit import main

sys.exit(main())
