"""Offline reveal.js slides of the notebooks, for an instructor projecting to a room.

Cells carry ``slideshow`` metadata, so the same notebooks present live in JupyterLab with
jupyterlab-rise (widgets working). This module exports them as reveal.js pages that open with
no network: reveal.js comes from its npm package, fetched once at build time into
``build/vendor`` (``npm pack``, run by ``make``) and inlined into every page. A deck has no
kernel: an exercise shows its task and a notice that it needs one, without its listing or the
learner's cell (the exercises' own rule, ``comsim/teaching/static/comsim.css``, which the
handouts follow too).

Run it as ``python -m comsim.publish.slides`` (``make slides``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from . import arguments
from .interrupt import terminate_as_interrupt
from .vendor import VENDOR_DIR, fetch_reveal, reveal_dir

TEMPLATES_DIR = Path(__file__).parent / "templates"
_IMPORT = re.compile(r"@import\s+url\([^)]*\)\s*;?")


def reveal_assets(vendor_dir: Path = VENDOR_DIR) -> dict[str, str]:
    """reveal.js's script and stylesheets as text, from the vendored npm package.

    Theme ``@import``s (web fonts) are dropped, so nothing is requested; the slides fall
    back to the system's sans-serif font.
    """
    dist = reveal_dir(vendor_dir) / "dist"
    if not (dist / "reveal.js").exists():
        raise FileNotFoundError(
            f"reveal.js is not vendored in {dist.parent}; run `make slides` (or "
            "`python -m comsim.publish.vendor`) once to fetch it"
        )
    css = (dist / "reveal.css").read_text() + "\n" + (dist / "theme" / "white.css").read_text()
    js = (dist / "reveal.js").read_text()
    # The licence banner names two web sites; keep the notice, drop the URL schemes, so the
    # offline check (no http(s):// in any script) holds.
    banner_end = js.index("*/") + 2
    js = js[:banner_end].replace("https://", "") + js[banner_end:]
    # The speaker-notes plugin (press S) bundles a Markdown parser whose strings name URLs;
    # written as "http:\/\/" they mean the same to JavaScript and fetch nothing.
    notes_js = (reveal_dir(vendor_dir) / "plugin" / "notes" / "notes.js").read_text()
    notes_js = re.sub(r"(https?):/{2}", r"\1:\\/\\/", notes_js)
    return {"js": js, "css": _IMPORT.sub("", css), "notes_js": notes_js}


SHOW_CODE_TAG = "slides-show-code"
# The size reveal.js lays a slide out at: a 720p projector, no scaling.
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720


class SlideCodePreprocessor:
    """On a slide, a code cell shows only what it produced: its code stays in the notebook
    unless the cell is tagged ``slides-show-code`` (where the point is the code itself, such
    as the KB's loop). An nbconvert preprocessor: called with (notebook, resources)."""

    enabled = True

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.cell_type == "code" and SHOW_CODE_TAG not in cell.metadata.get("tags", []):
                cell.metadata["transient"] = {"remove_source": True}
        return nb, resources

    __call__ = preprocess


_NOTEBOOK_LINK = re.compile(r'href="(?:\.\./notebooks/|\./)?([\w-]+)\.ipynb(#[^"]*)?"')
_SOURCES_LINK = re.compile(r'href="(?:\.\./)?docs/sources\.md(#[^"]*)?"')


def link_exports(html: str, suffix: str = ".slides.html") -> str:
    """Links between notebooks (``NN_name.ipynb``, ``glossary.ipynb#term``) become links
    between their decks, and links to ``docs/sources.md#key`` go to ``sources.html#key``."""
    html = _NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}{suffix}{m.group(2) or ""}"', html)
    return _SOURCES_LINK.sub(lambda m: f'href="sources.html{m.group(1) or ""}"', html)


def sources_html(markdown_text: str) -> str:
    """The course's list of sources (``docs/sources.md``) as an offline page for the decks
    (``templates/sources.html.j2``). Its HTML anchors (``<a id="KEY"></a>``) stay, so notes
    can link to ``sources.html#KEY``."""
    import mistune  # nbconvert's Markdown renderer
    from jinja2 import Environment, PackageLoader

    env = Environment(loader=PackageLoader(__package__, "templates"), autoescape=True)
    first = next((ln for ln in markdown_text.splitlines() if ln.startswith("# ")), "# Sources")
    return env.get_template("sources.html.j2").render(
        title=first[2:].strip(), body=link_exports(mistune.html(markdown_text))
    )


def _exporter():
    from nbconvert import SlidesExporter

    from .offline import OfflineWidgetPreprocessor, remove_tagged

    exporter = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name="offline_slides",
        embed_images=True,
        reveal_url_prefix="comsim-inline",  # links to it are removed; reveal.js is inlined
        reveal_theme="white",
        reveal_scroll=False,
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(OfflineWidgetPreprocessor(), enabled=True)
    exporter.register_preprocessor(remove_tagged(), enabled=True)
    exporter.register_preprocessor(SlideCodePreprocessor(), enabled=True)
    return exporter


def export_slides(
    notebooks_dir: Path | str = "notebooks",
    out_dir: Path | str = "build/slides",
    executed_dir: Path | str | None = "build/executed",
    vendor_dir: Path | str = VENDOR_DIR,
) -> list[Path]:
    """Write ``out_dir/<stem>.slides.html`` for each notebook. Executed copies in
    ``executed_dir`` (from ``make reports``) are reused when they were executed with today's
    notebook, data and package (see :mod:`comsim.publish.freshness`)."""
    import nbformat

    from . import freshness
    from .course import notebook_info
    from .execute import execute_all
    from .offline import readable_css, write_offline
    from .report import sources_markdown

    paths = sorted(Path(notebooks_dir).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {Path(notebooks_dir).resolve()}")
    assets = reveal_assets(Path(vendor_dir))
    exporter = _exporter()
    written = []
    executed = {}
    for path in paths:
        cached = Path(executed_dir) / path.name if executed_dir is not None else None
        if cached is not None and freshness.is_current(cached, path):
            executed[path] = nbformat.read(cached, as_version=4)
    to_run = [path for path in paths if path not in executed]
    executed.update(zip(to_run, execute_all([path.resolve() for path in to_run]), strict=True))
    for path in paths:
        nb = nbformat.from_dict(executed[path])
        nb.metadata["title"] = notebook_info(nb, path.stem).plain_title
        resources = {
            "metadata": {"name": path.stem, "path": str(path.parent.resolve())},
            "comsim_reveal": assets,
            "comsim_css": readable_css(),
        }
        html, _ = exporter.from_notebook_node(nb, resources=resources)
        # The reveal template links reveal.css and the theme by URL; both are inlined above.
        html = re.sub(r'<link[^>]*href="comsim-inline/[^"]*"[^>]*>', "", html)
        written.append(
            write_offline(link_exports(html), Path(out_dir) / f"{path.stem}.slides.html")
        )
    # Notes link to the course's sources: the decks get their own copy of the page.
    markdown = sources_markdown(Path(notebooks_dir))
    if markdown is not None:
        page = sources_html(markdown.read_text(encoding="utf-8"))
        write_offline(page, Path(out_dir) / "sources.html")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: write the decks and say where they are."""
    prog = "python -m comsim.publish.slides"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks-dir", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=Path("build/slides"))
    parser.add_argument("--executed", type=Path, default=Path("build/executed"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        notebooks = arguments.input_folder(args.notebooks_dir, "--notebooks-dir")
        arguments.output_folder(args.out, "--out", [notebooks])
    except arguments.UsageError as error:
        return arguments.refuse(prog, error)
    try:
        with terminate_as_interrupt():
            fetch_reveal()
            written = export_slides(args.notebooks_dir, args.out, args.executed)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path.stat().st_size / 1024:8.0f} KiB  {path}")
    elapsed_s = time.perf_counter() - started
    print(f"{len(written)} slide deck(s) in {args.out.resolve()} ({elapsed_s:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
