"""The numbers of ``scratchnet.explain`` written as LaTeX lines for ``st.latex``, in the
README's notation: ``z^{(k)} = W^{(k)\\top} a^{(k-1)} + b^{(k)}``, ``a^{(k)} = f(z^{(k)})``,
``\\delta^{(k)}``. Text only: the numbers come from the core, nothing is computed here
but which entries to write out.

A layer of up to ``SMALL`` units in and out is written whole (matrix, vectors); a larger
one as the ``SHOWN`` units whose values matter most, each as its sum with its largest
terms, and ``\\vdots`` for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scratchnet.explain import LayerPass, PointPass, shown_units

SMALL = 6  # a layer with at most this many inputs and units is written whole
SHOWN = 4  # units written out of a larger layer
TERMS = 3  # terms w_ij a_i written out of a larger sum

FUNCTIONS = {"relu": r"\mathrm{relu}", "leaky_relu": r"\mathrm{leaky\_relu}",
             "tanh": r"\tanh", "sigmoid": r"\sigma", "linear": r"\mathrm{id}",
             "softmax": r"\mathrm{softmax}", "identity": r"\mathrm{id}"}  # fmt: skip
# f'(z) written from the layer's output a = f(z), as backward computes it
SLOPES = {"relu": r"[z > 0]", "leaky_relu": r"(z > 0\ ?\ 1 : 0.01)", "tanh": r"(1 - a^2)",
          "sigmoid": r"a (1 - a)", "linear": "1"}  # fmt: skip


def num(value: float) -> str:
    """A number as the page writes it: 4 significant digits, a real minus sign."""
    text = f"{float(value):.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text.replace("-", "{-}")


def column(values: Sequence[float], units: Sequence[int] | None = None) -> str:
    """A column vector; with ``units``, only those entries, ``\\vdots`` where some are left
    out."""
    units = range(len(values)) if units is None else units
    rows, last = [], -1
    for j in units:
        if j != last + 1:
            rows.append(r"\vdots")
        rows.append(num(values[j]))
        last = j
    if last != len(values) - 1:
        rows.append(r"\vdots")
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def matrix(M: np.ndarray) -> str:
    return (
        r"\begin{bmatrix}"
        + r" \\ ".join(" & ".join(num(v) for v in row) for row in np.atleast_2d(M))
        + r"\end{bmatrix}"
    )


def is_small(layer: LayerPass) -> bool:
    return max(layer.weights.shape) <= SMALL


def forward_lines(k: int, layer: LayerPass, function: str) -> list[str]:
    """Layer ``k`` (1 = the first hidden layer) forward: z, then a = f(z)."""
    z, a = rf"z^{{({k})}}", rf"a^{{({k})}}"
    if is_small(layer):
        first = (
            rf"{z} = W^{{({k})\top}} a^{{({k - 1})}} + b^{{({k})}} = {matrix(layer.weights.T)}"
            rf" {column(layer.inputs)} + {column(layer.bias)} = {column(layer.z)}"
        )
        lines = [first]
    else:
        lines = [rf"{z} = W^{{({k})\top}} a^{{({k - 1})}} + b^{{({k})}}, \text{{ the units that "
                 rf"matter most (largest }} |z_j|\text{{):}}"]  # fmt: skip
        for j in shown_units(layer.z, SHOWN):
            terms = layer.weights[:, j] * layer.inputs
            picked = shown_units(terms, TERMS)
            written = " + ".join(
                rf"({num(layer.weights[i, j])})({num(layer.inputs[i])})" for i in picked
            )
            more = r" + \dots" if len(terms) > len(picked) else ""
            lines.append(
                rf"z_{{{j + 1}}} = \sum_{{i=1}}^{{{len(terms)}}} w_{{i{j + 1}}} a_i + b_{{{j + 1}}}"
                rf" = {written}{more} + ({num(layer.bias[j])}) = {num(layer.z[j])}"
            )
    units = None if is_small(layer) else shown_units(layer.outputs, SHOWN)
    lines.append(rf"{a} = {FUNCTIONS[function]}({z}) = {column(layer.outputs, units)}")
    return lines


def forward(p: PointPass) -> list[str]:
    """Every line of the forward pass of ``p``, the input features first, the loss last."""
    lines = [rf"a^{{(0)}} = x = {column(p.features)}"]
    for k, layer in enumerate(p.layers, start=1):
        last = k == len(p.layers)
        lines += forward_lines(k, layer, p.output if last else p.activation)
    L = len(p.layers)
    if p.output == "identity":
        t = column(np.atleast_1d(p.target))
        lines.append(rf"L = \tfrac12 \lVert a^{{({L})}} - t \rVert^2 = \tfrac12 \lVert "
                     rf"{column(p.layers[-1].outputs)} - {t} \rVert^2 = {num(p.loss)}")  # fmt: skip
    else:
        c = int(p.target)
        lines.append(rf"L = -\log p_{{{c}}} = -\log {num(p.probabilities[c])} = {num(p.loss)}"
                     rf"\quad\text{{(class {c}, the point's own)}}")  # fmt: skip
    return lines


def targets(p: PointPass) -> np.ndarray:
    """The output layer's target t as backward uses it: one-hot, a 0/1, or the values."""
    if p.output == "identity":
        return np.atleast_1d(p.target).astype(float)
    if p.output == "sigmoid":
        return np.array([float(p.target)])
    return np.eye(len(p.layers[-1].outputs))[int(p.target)]


def backward(p: PointPass) -> list[str]:
    """The deltas, from the output down: the output's p - t, then each hidden layer's."""
    L = len(p.layers)
    out = p.layers[-1]
    units = None if len(out.delta) <= SMALL else shown_units(out.delta, SHOWN)
    lines = [
        rf"\delta^{{({L})}} = a^{{({L})}} - t = {column(out.outputs, units)} - "
        rf"{column(targets(p), units)} = {column(out.delta, units)}"
    ]
    for k in range(L - 1, 0, -1):
        layer = p.layers[k - 1]
        units = None if len(layer.delta) <= SMALL else shown_units(layer.delta, SHOWN)
        lines.append(
            rf"\delta^{{({k})}} = \big(W^{{({k + 1})}} \delta^{{({k + 1})}}\big) \odot "
            rf"f'(z^{{({k})}}),\ f' = {SLOPES[p.activation]}: \quad "
            rf"\delta^{{({k})}} = {column(layer.delta, units)}"
        )
    return lines


def weight_gradient(p: PointPass, k: int, i: int, j: int) -> str:
    """dL/dw_ij of layer ``k`` for this point: a_i delta_j (plus the penalty's part)."""
    layer = p.layers[k - 1]
    a, d, g = layer.inputs[i], layer.delta[j], layer.weight_grads[i, j]
    penalty = "" if np.isclose(g, a * d, rtol=1e-12, atol=0) else r" + \text{penalty}"
    return (
        rf"\frac{{\partial L}}{{\partial w^{{({k})}}_{{{i + 1},{j + 1}}}}} = "
        rf"a^{{({k - 1})}}_{{{i + 1}}} \, \delta^{{({k})}}_{{{j + 1}}}{penalty} = "
        rf"({num(a)})({num(d)}){penalty} = {num(g)}"
    )
