"""docs/sources.md lists, under each source, the claims that cite it (as their source, or in
``see_also``, marked "see also") -- written from ``data/claims.csv``, never by hand.

    python -m comsim.publish.sources          # rewrite the lists in docs/sources.md
    python -m comsim.publish.sources --check  # exit 1 if they are out of date

Each source's section (from its ``<a id="KEY"></a>`` anchor to the next anchor) ends with a
block between ``<!-- claims -->`` markers; the claims with no source get a section of their own
at the end of the page.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..model.claims import CLAIMS, Claim

PAGE = Path("docs/sources.md")
BEGIN = "<!-- claims: written by `python -m comsim.publish.sources` from data/claims.csv -->"
END = "<!-- /claims -->"
_BLOCK = re.compile(r"\n*" + re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n*", re.S)
_ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')
UNSOURCED = "unsourced-claims"


def _item(claim: Claim, key: str = "") -> str:
    what = claim.title or claim.text[:70].rstrip() + ("…" if len(claim.text) > 70 else "")
    also = ", see also" if key in claim.see_also else ""
    return f"- `{claim.id}` ({claim.tag}, {claim.scope}{also}): {what}"


def _block(claims: list[Claim], key: str = "") -> str:
    lines = [_item(c, key) for c in claims] or ["- none yet"]
    return "\n".join([BEGIN, "Claims that cite it:", "", *lines, END])


def render(page: str) -> str:
    """``page`` with every source's claims block written afresh from the claims table."""
    page = _BLOCK.sub("\n\n", page).rstrip("\n") + "\n"
    unsourced_section = r'\n*<a id="' + UNSOURCED + r'"></a>\n### Claims with no source\n.*\Z'
    page = re.sub(unsourced_section, "\n", page, flags=re.S).rstrip("\n")
    anchors = list(_ANCHOR.finditer(page))
    cited_keys = {k for c in CLAIMS.values() for k in (c.source_key, *c.see_also)}
    pieces = [page[: anchors[0].start()] if anchors else page]
    for index, anchor in enumerate(anchors):
        end = anchors[index + 1].start() if index + 1 < len(anchors) else len(page)
        heading = page.find("\n## ", anchor.start(), end)  # a part heading ends the section
        section = page[anchor.start() : end if heading < 0 else heading].rstrip("\n") + "\n\n"
        key = anchor.group(1)
        if key in cited_keys:
            cited = [c for c in CLAIMS.values() if key in (c.source_key, *c.see_also)]
            section += _block(cited, key) + "\n\n"
        pieces.append(section + ("" if heading < 0 else page[heading:end].lstrip("\n")))
    unsourced = [c for c in CLAIMS.values() if not c.source_key]
    tail = "\n".join(
        [
            f'<a id="{UNSOURCED}"></a>',
            "### Claims with no source",
            "",
            "Hypotheses and the course's own reasoning, which no page states:",
            "",
            _block(unsourced).replace("Claims that cite it:\n\n", ""),
        ]
    )
    return "".join(pieces).rstrip("\n") + "\n\n" + tail + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comsim.publish.sources", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    parser.add_argument("--page", type=Path, default=PAGE)
    args = parser.parse_args(argv)
    current = args.page.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print(f"{args.page} is out of date: run python -m comsim.publish.sources")
            return 1
        return 0
    if wanted != current:
        tmp = args.page.with_name(f".{args.page.name}.tmp")
        tmp.write_text(wanted, encoding="utf-8")
        tmp.replace(args.page)
    print(f"{args.page}: {len(CLAIMS)} claims listed under their sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
