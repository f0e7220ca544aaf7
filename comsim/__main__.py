"""``python -m comsim``: see :mod:`comsim.cli`."""

import sys

from .model.tables import TableError

try:
    from .cli import main
except TableError as error:  # a broken data table: say which file, row and rule, no traceback
    print(f"comsim: {error}", file=sys.stderr)
    sys.exit(1)

sys.exit(main())
