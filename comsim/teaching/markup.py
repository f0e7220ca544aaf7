"""The HTML of the teaching widgets, from Jinja templates (``templates/``) and one stylesheet
and one script (``static/comsim.css``, ``static/comsim.js``).

:func:`render` fills a whole template (an offline prediction, an offline explorer, a note);
:func:`part` calls one macro of ``templates/parts.html.j2`` (a live widget's feedback line, a
caption). Everything is escaped unless it is comsim's own markup; data for a page's script goes
through Jinja's ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and ``'``, so no text can
end a script element early.
"""

from __future__ import annotations

import functools
import re
import uuid
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[list[tuple[str, str]]]:
    """``text`` as paragraphs of runs ``(kind, words)``, ``kind`` being "text", "code" or
    "strong": the little Markdown the course's questions use (`code`, **bold**, blank lines
    between paragraphs). The template writes the tags; the words are escaped there."""
    out = []
    for paragraph in _BLANK_LINE.split(text):
        if not paragraph.strip():
            continue
        runs: list[tuple[str, str]] = []
        for k, piece in enumerate(_CODE.split(paragraph.strip())):
            if k % 2:
                runs.append(("code", piece))
                continue
            for j, words in enumerate(_STRONG.split(piece)):
                if words:
                    runs.append(("strong" if j % 2 else "text", words))
        out.append(runs)
    return out


def _static(name: str) -> Markup:
    """One of comsim's own static files, as markup that the templates insert unescaped."""
    return Markup(resources.files(__package__).joinpath("static", name).read_text("utf-8"))


@functools.cache
def environment() -> Environment:
    """The templates' environment: autoescaping on, a missing variable an error."""
    env = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.globals["stylesheet"] = _static("comsim.css")
    env.globals["script"] = _static("comsim.js")
    return env


def render(template: str, **context: object) -> str:
    """``templates/<template>`` filled with ``context``."""
    return environment().get_template(template).render(**context)


def part(macro: str, *args: object) -> str:
    """The HTML of one macro of ``templates/parts.html.j2``, called with ``args``."""
    return str(getattr(environment().get_template("parts.html.j2").module, macro)(*args))


def new_id(prefix: str) -> str:
    """A fresh id for one widget's elements in a page: ``prefix`` and eight hex digits."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
