"""Sliders a screen reader can name: a native ``<input type="range">`` with a visible label.

ipywidgets' ``IntSlider`` and ``FloatSlider`` draw a noUiSlider handle (a ``div`` with
role ``slider``) that has no accessible name, so a screen reader says "slider 42" instead
of "Interval (days), 42". These sliders are small anywidgets: a ``<label for=...>`` holding
the description, a native range input (arrow keys, Home/End, Page Up/Down and dragging all
work, and its name is the label) and a visible readout. ``value`` is synced like an
ipywidgets slider that has ``continuous_update=False``: the kernel hears a new value when
the handle is released or a key is pressed, and ``observe(..., names="value")`` works.

Examples
--------
>>> s = IntSlider(value=42, min=7, max=120, description="Interval (days)")
>>> s.value = 200  # out of range: clamped, like ipywidgets
>>> s.value
120
>>> FloatSlider(value=1.0, min=0.25, max=3.0, step=0.25, readout_format=".2f").value
1.0
"""

from __future__ import annotations

import re

import anywidget
import ipywidgets as W
import traitlets

__all__ = ["FloatSlider", "IntSlider"]

_ESM = """
let counter = 0;
function render({ model, el }) {
  const id = `ns-slider-${Date.now().toString(36)}-${counter++}`;
  el.classList.add("ns-slider", "widget-slider");
  const label = document.createElement("label");
  label.className = "widget-label ns-slider-label";
  label.htmlFor = id;
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  const readout = document.createElement("span");
  readout.className = "ns-slider-readout";
  readout.setAttribute("aria-hidden", "true");  // the range input itself tells its value
  const show = (v) => {
    const text = Number(v).toFixed(model.get("decimals"));
    readout.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  const sync = () => {
    label.textContent = model.get("description");
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = model.get("step");
    input.value = model.get("value");
    input.disabled = model.get("disabled");
    show(model.get("value"));
  };
  // JupyterLab's keyboard shortcuts (arrow keys move between cells) would swallow the keys the
  // range input needs: keep them on the slider (Lumino skips shortcuts inside this attribute).
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  input.addEventListener("keydown", (event) => event.stopPropagation());
  input.addEventListener("input", () => show(input.value));
  input.addEventListener("change", () => {
    model.set("value", Number(input.value));
    model.save_changes();
  });
  const names = ["value", "min", "max", "step", "description", "disabled", "decimals"];
  for (const name of names) model.on(`change:${name}`, sync);
  el.append(label, input, readout);
  sync();
  return () => { for (const name of names) model.off(`change:${name}`, sync); };
}
export default { render };
"""

_CSS = """
.ns-slider { display: flex; align-items: center; gap: 8px; margin: 2px 0; min-height: 28px; }
.ns-slider .ns-slider-label { width: auto; white-space: nowrap; overflow: visible;
  color: var(--jp-widgets-label-color, var(--jp-ui-font-color1, #1a1a1a)); }
.ns-slider input[type="range"] { width: 160px; min-width: 80px; flex: 1 1 160px; max-width: 100%;
  accent-color: #0b5cad; }
.ns-slider input[type="range"]:focus-visible { outline: 2px solid #0b5cad; outline-offset: 2px; }
.ns-slider .ns-slider-readout { min-width: 4ch; font-variant-numeric: tabular-nums;
  color: var(--jp-widgets-label-color, var(--jp-ui-font-color1, #1a1a1a)); }
"""


class _Slider(anywidget.AnyWidget, W.ValueWidget):
    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    _css = traitlets.Unicode(_CSS).tag(sync=True)
    description = traitlets.Unicode("", help="The visible label, which is also the name a screen reader reads").tag(
        sync=True
    )
    disabled = traitlets.Bool(False).tag(sync=True)
    decimals = traitlets.Int(0, help="Decimal places of the readout").tag(sync=True)

    def __init__(self, value=None, **kwargs):
        # min and max first, so that the value is clamped to the range it is given with.
        bounds = {k: kwargs.pop(k) for k in ("min", "max") if k in kwargs}
        super().__init__(**bounds, **kwargs)
        if self.min > self.max:
            raise ValueError(f"min={self.min} is above max={self.max}; a slider needs min <= max")
        if value is not None:
            self.value = value

    @traitlets.validate("value")
    def _clamp(self, proposal):
        return min(max(proposal["value"], self.min), self.max)

    @traitlets.observe("min", "max")
    def _bounds_changed(self, _change):
        self.value = min(max(self.value, self.min), self.max)


class IntSlider(_Slider):
    """A whole-number slider with a screen-reader name (ipywidgets ``IntSlider`` look-alike).

    Parameters: ``value``, ``min``, ``max``, ``step`` (default 1), ``description`` (the
    label), ``disabled`` and any ``DOMWidget`` argument such as ``layout``.
    """

    value = traitlets.Int(0).tag(sync=True)
    min = traitlets.Int(0).tag(sync=True)
    max = traitlets.Int(100).tag(sync=True)
    step = traitlets.Int(1).tag(sync=True)


class FloatSlider(_Slider):
    """A decimal slider with a screen-reader name (ipywidgets ``FloatSlider`` look-alike).

    Parameters as :class:`IntSlider`, plus ``readout_format`` (``".2f"``: two decimals).
    """

    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(10.0).tag(sync=True)
    step = traitlets.Float(0.1).tag(sync=True)
    readout_format = traitlets.Unicode(".2f")

    def __init__(self, value=None, *, readout_format: str = ".2f", **kwargs):
        super().__init__(value, decimals=_decimals(readout_format), readout_format=readout_format, **kwargs)

    @traitlets.observe("readout_format")
    def _format_changed(self, change):
        self.decimals = _decimals(change["new"])


def _decimals(readout_format: str) -> int:
    match = re.fullmatch(r"\.(\d)f", readout_format)
    if match is None:
        raise ValueError(f"readout_format={readout_format!r} is not allowed; allowed: '.Nf' with N from 0 to 9")
    return int(match.group(1))
