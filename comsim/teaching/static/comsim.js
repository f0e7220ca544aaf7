/* comsim's one script for its widgets on pages with no kernel. It starts every prediction and
   explorer on the page that it has not started yet, so each widget can carry it.

   A prediction's data is its checker's whole rule (comsim.teaching.answers.Answer.table): how
   to read a reply, the bands of numbers (or the texts) that earn each verdict, and each
   verdict's message with {given} where the reply goes. This script only looks a reply up in
   it; no rule or message is written here.

   An explorer's data is its precomputed frames: pictures, alt texts and captions, one per
   combination of slider positions (the last slider varies fastest). */
(function () {
  "use strict";

  function dataOf(root) {
    return JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  }

  // -- predictions ------------------------------------------------------------------------
  function key(text) {
    return String(text).trim().toLowerCase();
  }

  function read(table, shown) {
    // The reply in the answer's type, or null if it cannot be read as one.
    if (table.kind !== "number") {
      if (table.choices && table.choices.map(key).indexOf(key(shown)) < 0) return null;
      return shown;
    }
    var text = shown;
    if (table.unit && text.toLowerCase().endsWith(table.unit.toLowerCase())) {
      text = text.slice(0, text.length - table.unit.length);
    }
    text = text.replace(new RegExp(table.separators, "g"), "");
    if (!new RegExp(table.number, "i").test(text)) return null;
    var value = parseFloat(text);
    if (!isFinite(value) || (table.whole && !Number.isInteger(value))) return null;
    return value;
  }

  function band(table, value) {
    for (var i = 0; i < table.bands.length; i++) {
      var b = table.bands[i];
      if (b[0] <= value && value <= b[1]) return b.slice(2);
    }
    // The first band is the answer's own: outside every band, a reply is above or below it.
    return value > table.bands[0][1] ? table.above : table.below;
  }

  function verdict(table, raw) {
    var shown = raw === null || raw === undefined ? "" : String(raw).trim();
    var said;
    if (shown === "") {
      said = table.missing;
    } else {
      var value = read(table, shown);
      if (value === null) said = table.invalid;
      else if (table.kind === "number") said = band(table, value);
      else if (Object.prototype.hasOwnProperty.call(table.texts, key(value))) {
        said = table.texts[key(value)];
      } else said = table.otherwise;
    }
    return {status: said[0], message: said[1].split("{given}").join(shown)};
  }

  function startPrediction(root) {
    var table = dataOf(root);
    var feedback = root.querySelector(".cp-feedback");
    var answer = root.querySelector(".cp-answer");
    root.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var typed = root.querySelector("input[type=text]");
      var picked = root.querySelector("input[type=radio]:checked");
      var said = verdict(table, typed ? typed.value : picked ? picked.value : null);
      feedback.className = "cp-feedback " + said.status;
      feedback.textContent = said.message;
      if (said.status === "right" || said.status === "wrong") answer.hidden = false;
    });
  }

  // -- explorers ----------------------------------------------------------------------------
  function startExplorer(root) {
    var d = dataOf(root);
    var sliders = root.querySelectorAll("input[type=range]");
    var values = root.querySelectorAll("output");
    var img = root.querySelector("img");
    var caption = root.querySelector(".comsim-caption");
    var printed = root.querySelector(".comsim-print-values");
    var previous = root.querySelector(".comsim-previous");
    var next = root.querySelector(".comsim-next");
    var last = sliders[sliders.length - 1];

    function show() {
      var frame = 0, shown = [];
      for (var k = 0; k < sliders.length; k++) {
        var position = Number(sliders[k].value);
        var label = d.labels[k][position];
        frame = frame * d.sizes[k] + position;
        values[k].textContent = label;
        sliders[k].setAttribute("aria-valuetext", label);
        shown.push(d.names[k] + " = " + label);
      }
      printed.textContent = "Shown: " + shown.join("; ") + ".";
      img.src = d.frames[frame];
      img.alt = d.alts[frame];
      caption.textContent = d.captions[frame];
      if (previous) {
        previous.setAttribute("aria-disabled", String(Number(last.value) <= Number(last.min)));
        next.setAttribute("aria-disabled", String(Number(last.value) >= Number(last.max)));
      }
    }

    function step(by) {
      var v = Math.min(Number(last.max), Math.max(Number(last.min), Number(last.value) + by));
      if (v !== Number(last.value)) {
        last.value = v;
        show();
      }
    }

    for (var k = 0; k < sliders.length; k++) sliders[k].addEventListener("input", show);
    if (previous) {
      previous.addEventListener("click", function () { step(-1); });
      next.addEventListener("click", function () { step(1); });
    }
    show();
  }

  // -- slides -----------------------------------------------------------------------------
  // On a slide (RISE, reveal.js) the arrow keys, Home and End also turn the page. A focused
  // slider has handled its key by the time the key bubbles up to the page's body; it goes no
  // further, to the document, where reveal.js listens. Set up once per page.
  var SLIDER_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End",
                     "PageUp", "PageDown"];
  if (document.body && !document.body.hasAttribute("data-comsim-slider-keys")) {
    document.body.setAttribute("data-comsim-slider-keys", "");
    document.body.addEventListener("keydown", function (event) {
      var target = event.target;
      if (SLIDER_KEYS.indexOf(event.key) >= 0 && target.closest &&
          target.closest('[role="slider"], input[type="range"]')) {
        event.stopPropagation();
      }
    });
  }

  var roots = document.querySelectorAll(".comsim-offline-predict, .comsim-offline-explorer");
  for (var i = 0; i < roots.length; i++) {
    var root = roots[i];
    if (root.hasAttribute("data-comsim-started")) continue;
    root.setAttribute("data-comsim-started", "");
    if (root.classList.contains("comsim-offline-explorer")) startExplorer(root);
    else startPrediction(root);
  }
})();
