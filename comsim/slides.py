"""Offline reveal.js slides of the notebooks, for an instructor projecting to a room.

Cells carry ``slideshow`` metadata, so the same notebooks present live in JupyterLab with
jupyterlab-rise (widgets working). This module exports them as reveal.js pages that open with
no network: reveal.js comes from its npm package, fetched once at build time into
``build/vendor`` (``npm pack``, run by ``make``) and inlined into every page.

Run it as ``python -m comsim.slides`` (``make slides``).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from .report import (
    TEMPLATES_DIR,
    OfflineWidgetPreprocessor,
    execute_notebook,
    link_exports,
    write_offline,
)

REVEAL_VERSION = "5.2.1"
VENDOR_DIR = Path("build/vendor")
_IMPORT = re.compile(r"@import\s+url\([^)]*\)\s*;?")


def reveal_dir(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Where the unpacked reveal.js package lives."""
    return Path(vendor_dir) / f"reveal.js-{REVEAL_VERSION}" / "package"


def fetch_reveal(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Fetch reveal.js's npm package into ``vendor_dir`` once (a build step, ``make``'s job;
    never done by tests or by the export itself)."""
    package = reveal_dir(vendor_dir)
    if (package / "dist" / "reveal.js").exists():
        return package
    package.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [
                "npm",
                "pack",
                f"reveal.js@{REVEAL_VERSION}",
                "--pack-destination",
                str(package.parent),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise RuntimeError(
            f"could not fetch reveal.js {REVEAL_VERSION} with npm ({error}); install Node.js/npm "
            f"or unpack the package's files under {package}"
        ) from error
    with tarfile.open(package.parent / done.stdout.strip().splitlines()[-1]) as tar:
        tar.extractall(package.parent, filter="data")
    return package


def reveal_assets(vendor_dir: Path = VENDOR_DIR) -> dict[str, str]:
    """reveal.js's script and stylesheets as text, from the vendored npm package.

    Theme ``@import``s (web fonts) are dropped, so nothing is requested; the slides fall
    back to the system's sans-serif font.
    """
    dist = reveal_dir(vendor_dir) / "dist"
    if not (dist / "reveal.js").exists():
        raise FileNotFoundError(
            f"reveal.js is not vendored in {dist.parent}; run `make slides` (or "
            "`python -m comsim.slides --vendor`) once to fetch it"
        )
    css = (dist / "reveal.css").read_text() + "\n" + (dist / "theme" / "white.css").read_text()
    js = (dist / "reveal.js").read_text()
    # The licence banner names two web sites; keep the notice, drop the URL schemes, so the
    # offline check (no http(s):// in any script) holds.
    banner_end = js.index("*/") + 2
    js = js[:banner_end].replace("https://", "") + js[banner_end:]
    return {"js": js, "css": _IMPORT.sub("", css)}


def _exporter() -> SlidesExporter:
    exporter = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name="offline_slides",
        embed_images=True,
        reveal_url_prefix="comsim-inline",  # links to it are removed; reveal.js is inlined
        reveal_theme="white",
        reveal_scroll=True,
    )
    exporter.register_preprocessor(OfflineWidgetPreprocessor(), enabled=True)
    return exporter


def export_slides(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/slides",
    executed_dir: Path | str | None = "build/executed",
    vendor_dir: Path | str = VENDOR_DIR,
) -> list[Path]:
    """Write ``out_dir/<stem>.slides.html`` for each notebook. Executed copies in
    ``executed_dir`` (from ``make reports``) are reused when newer than the notebook."""
    paths = sorted(Path(notebooks_dir).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {Path(notebooks_dir).resolve()}")
    assets = reveal_assets(Path(vendor_dir))
    exporter = _exporter()
    written = []
    for path in paths:
        cached = Path(executed_dir) / path.name if executed_dir is not None else None
        if (
            cached is not None
            and cached.exists()
            and cached.stat().st_mtime >= path.stat().st_mtime
        ):
            nb = nbformat.read(cached, as_version=4)
        else:
            nb = execute_notebook(path.resolve())
        resources = {
            "metadata": {"name": path.stem, "path": str(path.parent.resolve())},
            "comsim_reveal": assets,
        }
        html, _ = exporter.from_notebook_node(nb, resources=resources)
        # The reveal template links reveal.css and the theme by URL; both are inlined above.
        html = re.sub(r'<link[^>]*href="comsim-inline/[^"]*"[^>]*>', "", html)
        html = link_exports(html, ".slides.html")
        written.append(write_offline(html, Path(out_dir) / f"{path.stem}.slides.html"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m comsim.slides", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=Path("build/slides"))
    parser.add_argument("--executed", type=Path, default=Path("build/executed"))
    parser.add_argument("--vendor", action="store_true", help="only fetch reveal.js, then stop")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        fetch_reveal()
        if args.vendor:
            print(f"reveal.js {REVEAL_VERSION} in {reveal_dir().resolve()}")
            return 0
        written = export_slides(args.notebooks_dir, args.out, args.executed)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"comsim.slides: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    print(
        f"{len(written)} slide deck(s) in {args.out.resolve()} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
