"""A Sphinx extension for the course site: the HTML anchors the course writes in Markdown
(``<a id="proxy-manager"></a>`` before each glossary entry and each source in
``docs/sources.md``) become MyST targets of their page.

The notebooks keep HTML anchors because JupyterLab, where learners read them, shows MyST's
``(name)=`` target syntax as text. In the book each anchor becomes a target of its own page
(not a project-wide label: the glossary and the sources both have a ``copyproxy``), so that a
link such as ``[proxy manager](glossary.ipynb#proxy-manager)`` or ``[x](#copyproxy)`` is
resolved by MyST, and one that names no anchor is a ``myst.xref_missing`` warning, which
fails the build (``-W``).
"""

from __future__ import annotations

from html.parser import HTMLParser

from docutils import nodes
from sphinx.transforms import SphinxTransform


class _Tags(HTMLParser):
    """The tags of a piece of HTML, in order, and whether it has any text besides them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.tags.append((f"/{tag}", {}))

    def handle_data(self, data):
        self.text += data


def _anchor_name(node: nodes.Element) -> str | None:
    """The anchor's name when ``node`` (a paragraph or a raw block) is nothing but one empty
    anchor with an ``id`` (or ``name``)."""
    pieces = [node] if isinstance(node, nodes.raw) else list(node.children)
    if not pieces or not all(
        isinstance(p, nodes.raw) and "html" in p.get("format", "").split() for p in pieces
    ):
        return None
    html = _Tags("".join(p.astext() for p in pieces))
    if html.text.strip() or [tag for tag, _ in html.tags] != ["a", "/a"]:
        return None
    attrs = html.tags[0][1]
    return attrs.get("id") or attrs.get("name") or None


class HtmlAnchorTargets(SphinxTransform):
    """Turns each anchor into an id of the section it heads (or of a target in its place)
    and records it with the page's MyST heading anchors, where MyST resolves ``#name``."""

    # Before MyST's ResolveAnchorIds (879), which resolves links within the page.
    default_priority = 878

    def apply(self, **kwargs) -> None:
        slugs = getattr(self.document, "myst_slugs", None)
        if slugs is None:
            slugs = self.document.myst_slugs = {}
        for node in list(self.document.findall(nodes.Element)):
            if not isinstance(node, nodes.paragraph | nodes.raw) or node.parent is None:
                continue
            name = _anchor_name(node)
            if name is None:
                continue
            # The anchor is the last thing before the heading it marks, which may start a
            # section of the parent's level (the next entry) rather than a child section.
            after = node.next_node(descend=False, siblings=True, ascend=True)
            if isinstance(after, nodes.section) and after.children:
                if name not in after["ids"]:
                    after["ids"].append(name)
                self.document.ids.setdefault(name, after)
                node.parent.remove(node)
                slugs[name] = (node.line, name, after[0].astext())
            else:
                target = nodes.target("", "", ids=[name])
                node.replace_self(target)
                self.document.ids.setdefault(name, target)
                slugs[name] = (node.line, name, name)
        if slugs:  # where MyST looks up ``page.ipynb#name`` from other pages
            self.env.metadata[self.env.docname]["myst_slugs"] = slugs


def setup(app) -> dict:
    """Sphinx's entry point."""
    app.add_transform(HtmlAnchorTargets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
