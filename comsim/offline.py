"""Explorers for readers without a kernel: precomputed frames and a slider that scrubs them.

An exported report cannot run Python, so each explorer renders its figure for a grid of slider
values ahead of time and embeds the PNGs in one self-contained HTML block with plain
``<input type=range>`` controls and a few lines of JavaScript. Nothing is loaded from the
network.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import uuid
from collections.abc import Callable, Sequence

from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: float | None = None, compress_level: int = 1) -> bytes:
    """The figure as PNG bytes. Light compression by default: live redraws need speed; the
    precomputed frames of a report use more, for size."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": compress_level})
    return buf.getvalue()


def scrubber_html(
    controls: Sequence[tuple[str, Sequence, int]],
    render: Callable[..., Figure],
    caption: Callable[..., str],
    title: str,
    dpi: int = 80,
) -> str:
    """Render ``render(*values)`` for every combination of control values and return HTML
    whose range inputs pick the frame shown, with ``caption(*values)`` under it.

    ``controls``: (label, values, index of the value shown first) for each slider."""
    names = [name for name, _, _ in controls]
    grids = [list(values) for _, values, _ in controls]
    defaults = [default for _, _, default in controls]
    frames, captions = [], []
    for combo in itertools.product(*grids):
        fig = render(*combo)
        frames.append("data:image/png;base64," + base64.b64encode(figure_png(fig, dpi, 9)).decode())
        captions.append(caption(*combo))
    uid = "scrub-" + uuid.uuid4().hex[:8]
    sizes = [len(g) for g in grids]
    inputs = []
    for k, (name, grid) in enumerate(zip(names, grids, strict=True)):
        default = defaults[k]
        inputs.append(
            f'<label style="display:block;margin:4px 0">{html.escape(name)}: '
            f'<input type="range" class="{uid}-in" min="0" max="{len(grid) - 1}" step="1" '
            f'value="{default}" aria-label="{html.escape(name)}" style="width:50%"> '
            f'<output class="{uid}-val"></output></label>'
        )
    data = json.dumps(
        {
            "frames": frames,
            "captions": captions,
            "sizes": sizes,
            "labels": [[_fmt(v) for v in g] for g in grids],
        }
    )
    return f"""<div id="{uid}" class="comsim-offline-explorer" style="max-width:900px">
<p style="margin:2px 0"><strong>{html.escape(title)}</strong>
 (precomputed frames: move a slider to change the figure; no kernel needed)</p>
{"".join(inputs)}
<img class="{uid}-img" alt="{html.escape(title)}" style="max-width:100%">
<p class="{uid}-cap" role="status" style="font-size:0.9em"></p>
<script type="application/json" class="{uid}-data">{data}</script>
<script>(function() {{
  var root = document.getElementById("{uid}");
  var d = JSON.parse(root.querySelector(".{uid}-data").textContent);
  var ins = root.querySelectorAll(".{uid}-in"), vals = root.querySelectorAll(".{uid}-val");
  function show() {{
    var idx = 0;
    for (var k = 0; k < ins.length; k++) {{
      idx = idx * d.sizes[k] + Number(ins[k].value);
      vals[k].textContent = d.labels[k][Number(ins[k].value)];
    }}
    root.querySelector(".{uid}-img").src = d.frames[idx];
    root.querySelector(".{uid}-cap").textContent = d.captions[idx];
  }}
  for (var k = 0; k < ins.length; k++) ins[k].addEventListener("input", show);
  show();
}})();</script>
</div>"""


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
