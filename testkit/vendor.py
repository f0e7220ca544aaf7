"""axe-core, the accessibility checker the browser tests inject into every page: fetched once
from the npm registry at build time (test tooling, not part of comsim).

    python -m testkit.vendor   # what `make test` runs before the tests
"""

from __future__ import annotations

import sys
from pathlib import Path

from comsim.publish.vendor import VENDOR_DIR, npm_pack

AXE_VERSION = "4.10.3"


def axe_dir(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Where the unpacked axe-core package lives."""
    return Path(vendor_dir) / f"axe-core-{AXE_VERSION}" / "package"


def fetch_axe(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Fetch axe-core's npm package into ``vendor_dir`` once."""
    package = axe_dir(vendor_dir)
    if (package / "axe.min.js").exists():
        return package
    return npm_pack("axe-core", AXE_VERSION, package)


if __name__ == "__main__":
    try:
        print(f"axe-core {AXE_VERSION} in {fetch_axe().resolve()}")
    except RuntimeError as error:
        sys.exit(f"testkit.vendor: {error}")
