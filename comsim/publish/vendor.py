"""Third-party files the decks need, fetched once at build time from the npm registry (never
by the tests or by an export): reveal.js, unpacked under ``build/vendor``.

    python -m comsim.publish.vendor   # what `make` runs before the slides
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

REVEAL_VERSION = "5.2.1"
VENDOR_DIR = Path("build/vendor")


def reveal_dir(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Where the unpacked reveal.js package lives."""
    return Path(vendor_dir) / f"reveal.js-{REVEAL_VERSION}" / "package"


def npm_pack(package_name: str, version: str, package: Path) -> Path:
    """Fetch ``package_name@version`` from npm and unpack it so that its files are in
    ``package`` (a build step, ``make``'s job; never done by tests or by the export itself)."""
    package.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["npm", "pack", f"{package_name}@{version}", "--pack-destination", str(package.parent)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise RuntimeError(
            f"could not fetch {package_name} {version} with npm ({error}); install Node.js/npm "
            f"or unpack the package's files under {package}"
        ) from error
    with tarfile.open(package.parent / done.stdout.strip().splitlines()[-1]) as tar:
        tar.extractall(package.parent, filter="data")
    return package


def fetch_reveal(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Fetch reveal.js's npm package into ``vendor_dir`` once."""
    package = reveal_dir(vendor_dir)
    if (package / "dist" / "reveal.js").exists():
        return package
    return npm_pack("reveal.js", REVEAL_VERSION, package)


if __name__ == "__main__":
    try:
        print(f"reveal.js {REVEAL_VERSION} in {fetch_reveal().resolve()}")
    except RuntimeError as error:
        sys.exit(f"comsim.publish.vendor: {error}")
