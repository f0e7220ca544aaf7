"""Explorers for readers without a kernel: precomputed frames and a slider that scrubs them.

An exported report cannot run Python, so each explorer renders its figure for a grid of slider
values ahead of time and embeds the PNGs in one self-contained HTML block with plain
``<input type=range>`` controls and a few lines of JavaScript. Nothing is loaded from the
network.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import uuid
from collections.abc import Callable, Sequence

from matplotlib.figure import Figure

from ..figures import figure_png


def scrubber_html(
    controls: Sequence[tuple[str, Sequence, int]],
    render: Callable[..., Figure],
    caption: Callable[..., str],
    title: str,
    dpi: int = 80,
    buttons: bool | None = None,
) -> str:
    """Render ``render(*values)`` for every combination of control values and return HTML
    whose range inputs pick the frame shown, with ``caption(*values)`` under it.

    ``controls``: (label, values, index of the value shown first) for each slider. Each
    frame's alt text is the figure's ``comsim_alt`` sentence (its numbers) as ``render`` left
    it, else ``title``; it changes with the frame. ``buttons`` adds Previous/Next buttons
    that step the last slider; by default a single slider (a step-through) gets them.

    For keyboard and screen-reader users: the sliders are labelled and say their value
    (``aria-valuetext``), the caption is a live region, so a new frame's summary is read out,
    and focus is always visible. In print, the figure is the frame on screen (the default
    one in a fresh page) and the slider values are written out in words.
    """
    names = [name for name, _, _ in controls]
    grids = [list(values) for _, values, _ in controls]
    defaults = [default for _, _, default in controls]
    if buttons is None:
        buttons = len(controls) == 1
    frames, captions, alts = [], [], []
    for combo in itertools.product(*grids):
        fig = render(*combo)
        alts.append(getattr(fig, "comsim_alt", "") or title)  # this frame's numbers
        frames.append("data:image/png;base64," + base64.b64encode(figure_png(fig, dpi, 9)).decode())
        captions.append(caption(*combo))
    uid = "scrub-" + uuid.uuid4().hex[:8]
    sizes = [len(g) for g in grids]
    labels = [[_fmt(v) for v in g] for g in grids]
    first = 0
    for k, size in enumerate(sizes):
        first = first * size + defaults[k]
    inputs = []
    for k, (name, grid) in enumerate(zip(names, grids, strict=True)):
        default = defaults[k]
        inputs.append(
            f'<label style="display:block;margin:4px 0">{html.escape(name)}: '
            f'<input type="range" class="{uid}-in" min="0" max="{len(grid) - 1}" step="1" '
            f'value="{default}" aria-valuetext="{html.escape(labels[k][default])}" '
            f'style="width:50%"> <output class="{uid}-val">{html.escape(labels[k][default])}'
            "</output></label>"
        )
    if buttons:
        inputs.append(
            f'<div class="comsim-buttons" style="margin:4px 0">'
            f'<button type="button" class="{uid}-prev">← Previous</button> '
            f'<button type="button" class="{uid}-next">Next →</button></div>'
        )
    shown = "; ".join(f"{name} = {labels[k][defaults[k]]}" for k, name in enumerate(names))
    data = json.dumps(
        {
            "frames": frames,
            "captions": captions,
            "alts": alts,
            "sizes": sizes,
            "labels": labels,
            "names": names,
        }
    )
    return f"""<div id="{uid}" class="comsim-offline-explorer" style="max-width:900px">
<style>
#{uid} input:focus-visible, #{uid} button:focus-visible {{
  outline: 3px solid #0072B2; outline-offset: 2px; }}
#{uid} button {{ font: inherit; padding: 2px 10px; }}
#{uid} button[aria-disabled=true] {{ color: #595959; }}
@media print {{ #{uid} input, #{uid} button, #{uid} .comsim-hint {{ display: none; }}
               #{uid} .comsim-print-values {{ display: block !important; }} }}
</style>
<p style="margin:2px 0"><strong>{html.escape(title)}</strong>
 <span class="comsim-hint">(precomputed frames: move a slider, with the mouse or the arrow keys,
 to change the figure; no kernel needed)</span></p>
{"".join(inputs)}
<p class="comsim-print-values" style="display:none;margin:2px 0">Shown: {html.escape(shown)}.</p>
<img class="{uid}-img" alt="{html.escape(alts[first])}" style="max-width:100%">
<p class="{uid}-cap comsim-caption" role="status" aria-live="polite"
 style="font-size:0.9em">{html.escape(captions[first])}</p>
<script type="application/json" class="{uid}-data">{_json_in_html(data)}</script>
<script>(function() {{
  var root = document.getElementById("{uid}");
  var d = JSON.parse(root.querySelector(".{uid}-data").textContent);
  var ins = root.querySelectorAll(".{uid}-in"), vals = root.querySelectorAll(".{uid}-val");
  var img = root.querySelector(".{uid}-img"), cap = root.querySelector(".{uid}-cap");
  var prev = root.querySelector(".{uid}-prev"), next = root.querySelector(".{uid}-next");
  var printed = root.querySelector(".comsim-print-values");
  function show() {{
    var idx = 0, shown = [];
    for (var k = 0; k < ins.length; k++) {{
      idx = idx * d.sizes[k] + Number(ins[k].value);
      var label = d.labels[k][Number(ins[k].value)];
      vals[k].textContent = label;
      ins[k].setAttribute("aria-valuetext", label);
      shown.push(d.names[k] + " = " + label);
    }}
    printed.textContent = "Shown: " + shown.join("; ") + ".";
    img.src = d.frames[idx];
    img.alt = d.alts[idx];
    cap.textContent = d.captions[idx];
    if (prev) {{
      var last = ins[ins.length - 1];
      prev.setAttribute("aria-disabled", String(Number(last.value) <= Number(last.min)));
      next.setAttribute("aria-disabled", String(Number(last.value) >= Number(last.max)));
    }}
  }}
  function step(by) {{
    var last = ins[ins.length - 1];
    var v = Math.min(Number(last.max), Math.max(Number(last.min), Number(last.value) + by));
    if (v !== Number(last.value)) {{ last.value = v; show(); }}
  }}
  for (var k = 0; k < ins.length; k++) ins[k].addEventListener("input", show);
  if (prev) {{
    prev.addEventListener("click", function () {{ step(-1); }});
    next.addEventListener("click", function () {{ step(1); }});
  }}
  show();
}})();</script>
</div>"""


def _json_in_html(text: str) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>`` can end it early)."""
    return text.replace("</", "<\\/")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
