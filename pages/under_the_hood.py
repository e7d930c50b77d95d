"""Under the hood: the Playground's network, its real numbers.

The same session's run as the Playground (same weights): the forward pass of one point,
layer by layer, the backward pass of the same point, one training step with the weight
a student picks, and a check of the gradients against central differences. The numbers
are ``scratchnet.explain``'s; ``ui.latex`` writes them. While this page is open the
Playground's chart is not, so nothing trains but the steps taken here.
"""

from __future__ import annotations

import copy
import logging

import numpy as np
import streamlit as st

from scratchnet.explain import minibatch_gradients, point_pass
from scratchnet.features import LABELS, feature_map
from scratchnet.gradcheck import TOLERANCE, gradient_check
from scratchnet.plots import boundary_figure
from server import frames
from ui import keys as K
from ui import latex

state = st.session_state
CHECKED_AT_MOST = 300  # parameters the gradient check compares (all of a small network)


def lock():
    """Held while the run is read or trained: the frame route may train it too."""
    return frames.REGISTRY.lock(state.get(K.FRAME_TOKEN))


def pick_point(run) -> tuple[np.ndarray, object, str]:
    """The point to follow: clicked on the plot, or a test (training) point by its number."""
    parts = {"test": (run.X_test, run.y_test), "training": (run.X_train, run.y_train)}
    names = [name for name, (X, _) in parts.items() if len(X)]
    plot, choice = st.columns([2, 3])
    with choice:
        name = st.radio("Follow a point of the", names, horizontal=True, key=K.HOOD_SET,
                        format_func=lambda n: f"{n} set")  # fmt: skip
        X, y = parts[name]
        number = st.number_input(f"Point number (1 to {len(X)}), or click one on the plot",
                                 1, len(X), 1, key=f"{K.HOOD_POINT}_{name}")  # fmt: skip
    with plot:
        with lock():
            picture = run.boundary_png()
        regression = getattr(run, "regression", False)
        kind = {"values": True, "value_range": run.value_range} if regression else {}
        figure = boundary_figure(run.X_train, run.y_train, run.X_test, run.y_test, picture,
                                 run.extent, colors=run.colors, height=300, **kind)  # fmt: skip
        x = X[number - 1]
        figure.add_scatter(x=[x[0]], y=[x[1]], mode="markers", name="followed",
                           marker={"symbol": "circle-open", "size": 22, "color": "black",
                                   "line": {"width": 3}}, hoverinfo="skip")  # fmt: skip
        st.plotly_chart(figure, key=K.HOOD_PLOT, on_select=point_clicked,
                        selection_mode="points", config={"displayModeBar": False})  # fmt: skip
    return x, y[number - 1], f"{name} point {number}"


def point_clicked() -> None:
    """A point clicked on the plot becomes the one followed (traces: train, then test)."""
    points = (state.get(K.HOOD_PLOT) or {}).get("selection", {}).get("points", [])
    clicked = [p for p in points if p.get("curve_number") in (0, 1)]
    if clicked:
        name = ("training", "test")[clicked[0]["curve_number"]]
        state[K.HOOD_SET] = name
        state[f"{K.HOOD_POINT}_{name}"] = int(clicked[0]["point_index"]) + 1


def pick_weight(p) -> tuple[int, int, int]:
    """A weight of the network: its layer and the two units it links. By default the one
    with the largest gradient for this point in the first layer."""
    sizes = [len(p.features)] + [len(layer.outputs) for layer in p.layers]
    cols = st.columns(3)
    k = cols[0].selectbox("Layer", range(1, len(sizes)), key=K.HOOD_LAYER,
                          format_func=lambda k: f"{k}: {sizes[k - 1]} → {sizes[k]}")  # fmt: skip
    grads = np.abs(p.layers[k - 1].weight_grads)
    i0, j0 = np.unravel_index(int(grads.argmax()), grads.shape)
    i = cols[1].number_input(f"From unit (1 to {sizes[k - 1]})", 1, sizes[k - 1], int(i0) + 1,
                             key=f"{K.HOOD_FROM}_{k}")  # fmt: skip
    j = cols[2].number_input(f"To unit (1 to {sizes[k]})", 1, sizes[k], int(j0) + 1,
                             key=f"{K.HOOD_TO}_{k}")  # fmt: skip
    return k, i - 1, j - 1


def take_step(k: int, i: int, j: int) -> None:
    """Train one minibatch and keep what the weight was, its gradient and what it became."""
    run = state[K.RUN]
    with lock():
        trainer = run.trainer
        X, T = trainer.next_batch()
        g = minibatch_gradients(trainer.net, X, T)[k - 1][i, j]
        rate = trainer.current_learning_rate()
        before = float(trainer.net.coefs[k - 1][i, j])
        trainer.run(epochs=1, max_steps=1)
        after = float(trainer.net.coefs[k - 1][i, j])
    state[K.PLAYING] = False
    state[K.HOOD_STEPPED] = {"weight": (k, i, j), "before": before, "after": after,
                             "gradient": float(g), "rate": rate, "batch": len(X),
                             "optimizer": run.params["optimizer"]}  # fmt: skip


def check_gradients() -> None:
    """``scratchnet.gradcheck`` on a copy of the network and the next minibatch."""
    run = state[K.RUN]
    with lock():
        X, T = run.trainer.next_batch()
        net = copy.deepcopy(run.trainer.net)
        steps = run.trainer.steps
    y = T if net.output == "identity" else (T[:, 0] if net.output == "sigmoid" else T.argmax(1))
    error = gradient_check(net, X, y.astype(np.intp) if net.output != "identity" else y,
                           at_most=CHECKED_AT_MOST)  # fmt: skip
    state[K.HOOD_CHECK] = {"steps": steps, "error": error, "batch": len(X),
                           "checked": min(CHECKED_AT_MOST, len(net.flat_params)),
                           "of": len(net.flat_params)}  # fmt: skip


def show_step(k: int, i: int, j: int, weight: float, gradient: float, rate: float,
              batch: int) -> None:  # fmt: skip
    """The step the weight will take, and the one it took if "Take this step" was pressed."""
    w = rf"w^{{({k})}}_{{{i + 1},{j + 1}}}"
    st.latex(rf"g = \frac{{1}}{{{batch}}}\sum_{{\text{{minibatch}}}}"
             rf"\frac{{\partial L}}{{\partial {w}}} = {latex.num(gradient)},\quad "
             rf"\eta = {latex.num(rate)},\quad {w} - \eta\, g = "
             rf"{latex.num(weight - rate * gradient)}")  # fmt: skip
    done = state.get(K.HOOD_STEPPED)
    if not done or done["weight"] != (k, i, j):
        return
    st.markdown("The last step taken here:")
    change = done["after"] - done["before"]
    expected = -done["rate"] * done["gradient"]
    st.latex(rf"{w}: {latex.num(done['before'])} \to {latex.num(done['after'])},\quad "
             rf"\Delta w = {latex.num(change)},\quad -\eta\, g = -({latex.num(done['rate'])})"
             rf"({latex.num(done['gradient'])}) = {latex.num(expected)}")  # fmt: skip
    if done["optimizer"] == "sgd":
        st.success(
            "The weight moved by exactly minus the learning rate times the minibatch's "
            f"gradient (they differ by {abs(change - expected):.1e}, rounding)."
        )
    else:
        st.info(f"This run uses {done['optimizer']}: its step is not −η g but uses the "
                "gradients of earlier steps too (momentum, or Adam's averages).")  # fmt: skip


def page() -> None:
    st.title("Under the hood")
    run = state.get(K.RUN)
    if run is None:
        st.info("This page shows the Playground's network with its real numbers: open the "
                "Playground first, then come back.")  # fmt: skip
        st.markdown("[Open the Playground](./)")  # the app's default page
        return
    net = run.trainer.net
    sizes = " – ".join(str(s) for s in net.layer_sizes)
    st.caption(
        f"The Playground's network ({sizes}, {net.activation}, {net.output} output) at epoch "
        f"{run.progress:.4g}, step {run.trainer.steps}: the numbers it computes for one point."
    )
    x, y, name = pick_point(run)
    features = feature_map(x[None], run.features)[0]
    with lock():
        p = point_pass(net, features, int(y) if net.output != "identity" else np.atleast_1d(y))
        X, T = run.trainer.next_batch()
        grads = minibatch_gradients(net, X, T)
        rate = run.trainer.current_learning_rate()
    labels = ", ".join(LABELS[f] for f in run.features)
    st.subheader("Forward: what the network computes for this point")
    st.markdown(f"The {name}, at ({x[0]:.3g}, {x[1]:.3g}); its inputs are ({labels}).")
    for line in latex.forward(p):
        st.latex(line)
    st.subheader("Backward: how much each number is to blame")
    for line in latex.backward(p):
        st.latex(line)
    st.markdown("A weight's gradient for this point is what flows in times the delta it "
                "feeds. Pick a weight:")  # fmt: skip
    k, i, j = pick_weight(p)
    st.latex(latex.weight_gradient(p, k, i, j))
    st.subheader("One training step")
    st.markdown(
        f"The next step trains on a minibatch of {len(X)} training points: it moves every "
        "weight by minus the learning rate times the mean of their gradients (the L1/L2 "
        "penalty's part included). For the weight picked:"
    )
    weight = float(net.coefs[k - 1][i, j])
    show_step(k, i, j, weight, float(grads[k - 1][i, j]), rate, len(X))
    left, right = st.columns(2)
    left.button("Take this step", on_click=take_step, args=(k, i, j), type="primary",
                help="Train one minibatch: every number on this page is updated.")  # fmt: skip
    right.button("Check the gradients", on_click=check_gradients,
                 help="Compare backward's gradients on the next minibatch with central "
                      "differences of the loss.")  # fmt: skip
    checked = state.get(K.HOOD_CHECK)
    if checked:
        what = f"all {checked['of']:,} parameters"
        if checked["checked"] < checked["of"]:
            what = f"{checked['checked']} of {checked['of']:,} parameters, drawn at random"
        verdict = (f"Largest relative error {checked['error']:.1e} over {what} (minibatch of "
                   f"{checked['batch']}, step {checked['steps']})")  # fmt: skip
        if checked["error"] < TOLERANCE:
            st.success(f"{verdict}: below {TOLERANCE:g}, the backward pass is right.")
        else:
            st.error(f"{verdict}: above {TOLERANCE:g}, the backward pass is wrong.")


def main() -> None:
    try:
        page()
    except Exception as error:  # st.stop and st.rerun are not Exceptions: they pass
        logging.getLogger(__name__).exception("Under the hood failed to draw")
        st.error(
            f"Something went wrong while drawing this page ({type(error).__name__}: {error}). "
            "Go back to the Playground, change a setting or press Reset."
        )


main()
