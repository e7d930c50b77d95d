// The network drawn as TensorFlow Playground draws it: a column of input features on the
// left, one column per hidden layer, the output on the right. Each neuron is a small
// picture of its activation over the plane (from forward.js, the same pass as the output
// picture); each link a line, blue for a positive weight and orange for a negative one,
// as wide as the weight is large.
//
// Layers wider than MAX_SHOWN show the neurons with the largest outgoing weights (the ones
// that matter most to the next layer) and a "+N more" button that shows them all.
//
//   const view = scratchnetDiagram.create(container, {onHoverNeuron, onEditWeight, onToggleFeature});
//   view.update({sizes, weights, labels, features, pictures, n, paused, output, value_range, colors});
//
// A regression network (output "identity") paints its output neurons, one per target, on
// the value scale of the boundary picture (forward.js's valueRGBA over value_range, with
// colors' first two): the same picture as the chart's, small.
//
// update() reuses the DOM it made for the same layer sizes, so it can run at frame rate.
(function (root) {
  "use strict";

  const MAX_SHOWN = 16; // neurons a layer shows before "+N more"
  const TALL = 8; // a column of more neurons than this draws them smaller
  const POSITIVE = [8, 119, 189]; // TensorFlow Playground's blue
  const NEGATIVE = [245, 147, 34]; // and orange
  const POSITIVE_RGB = "rgb(" + POSITIVE.join(",") + ")", NEGATIVE_RGB = "rgb(" + NEGATIVE.join(",") + ")";
  const SVG = "http://www.w3.org/2000/svg";
  const VALUE_COLORS = ["#F59322", "#0877BD"]; // scratchnet.plots.VALUE_COLORS: below 0, above

  // How the picture of neuron `layer` is coloured: null for the diverging scale of its own
  // range (paint), or a regression's output on the boundary picture's value scale.
  function valueScaleOf(net, layer) {
    if (net.output !== "identity" || layer !== net.sizes.length - 1) return null;
    const colors = net.colors && net.colors.length >= 2 ? net.colors : VALUE_COLORS;
    return { valueRange: net.value_range, colors };
  }

  // A picture's values on a diverging scale, orange < 0 < blue, white at 0, scaled by its
  // own largest magnitude so that every neuron's shape shows whatever its range; with a
  // value scale (valueScaleOf), the boundary picture's fixed range and shades instead.
  function paint(canvas, values, n, valueScale) {
    const context = canvas.getContext("2d");
    if (valueScale) {
      const data = root.scratchnetForward.valueRGBA(values, valueScale.colors,
        { valueRange: valueScale.valueRange });
      context.putImageData(new ImageData(data, n, n), 0, 0);
      return valueScale.valueRange;
    }
    const image = context.createImageData(n, n);
    let top = 0;
    for (let p = 0; p < values.length; p++) { const v = Math.abs(values[p]); if (v > top) top = v; }
    const scale = top > 0 ? 1 / top : 0;
    for (let p = 0; p < values.length; p++) {
      const t = values[p] * scale, rgb = t >= 0 ? POSITIVE : NEGATIVE, a = Math.min(1, Math.abs(t));
      const o = 4 * p;
      image.data[o] = 255 + a * (rgb[0] - 255);
      image.data[o + 1] = 255 + a * (rgb[1] - 255);
      image.data[o + 2] = 255 + a * (rgb[2] - 255);
      image.data[o + 3] = values[p] === values[p] ? 255 : 0; // NaN: transparent
    }
    context.putImageData(image, 0, 0);
    return top;
  }

  // The neurons a layer shows: all, or the MAX_SHOWN with the largest outgoing weights.
  function shownNeurons(sizes, weights, layer, expanded) {
    const units = sizes[layer];
    const all = Array.from({ length: units }, (_, j) => j);
    if (units <= MAX_SHOWN || expanded || layer === 0 || layer === sizes.length - 1) return all;
    const offset = layerOffset(sizes, layer + 1), nOut = sizes[layer + 1];
    const score = all.map((j) => {
      let s = 0;
      for (let k = 0; k < nOut; k++) s += Math.abs(weights[offset + j * nOut + k]);
      return s;
    });
    return all.sort((a, b) => score[b] - score[a]).slice(0, MAX_SHOWN).sort((a, b) => a - b);
  }

  // Where layer l's (n_in + 1, n_out) matrix starts in the flat weights (l >= 1).
  function layerOffset(sizes, l) {
    let offset = 0;
    for (let i = 1; i < l; i++) offset += (sizes[i - 1] + 1) * sizes[i];
    return offset;
  }

  function weightAt(sizes, weights, l, i, j) {
    return weights[layerOffset(sizes, l) + i * sizes[l] + j];
  }

  function biasAt(sizes, weights, l, j) {
    return weights[layerOffset(sizes, l) + sizes[l - 1] * sizes[l] + j];
  }

  function create(container, handlers) {
    handlers = handlers || {};
    const state = { key: null, expanded: new Set(), net: null, columns: [], links: [] };
    container.classList.add("netview");
    const svg = document.createElementNS(SVG, "svg");
    svg.classList.add("netview-links");
    const grid = document.createElement("div");
    grid.className = "netview-columns";
    const tip = document.createElement("div");
    tip.className = "netview-tip";
    tip.hidden = true;
    container.append(svg, grid, tip);

    function showTip(text, x, y) {
      tip.textContent = text;
      tip.hidden = false;
      const box = container.getBoundingClientRect();
      tip.style.left = x - box.left + 12 + "px";
      tip.style.top = y - box.top + 12 + "px";
    }

    function build(net) {
      tip.hidden = true; // the cell or link it named is gone, and fires no mouseleave
      grid.replaceChildren();
      svg.replaceChildren();
      state.columns = net.sizes.map((units, l) => {
        const column = document.createElement("div");
        column.className = "netview-column";
        column.dataset.layer = String(l);
        const title = document.createElement("div");
        title.className = "netview-title";
        title.textContent = l === 0 ? "features" : l === net.sizes.length - 1 ? "output"
          : units + " neuron" + (units > 1 ? "s" : "");
        column.append(title);
        const shown = shownNeurons(net.sizes, net.weights, l, state.expanded.has(l));
        // A tall column draws smaller neurons, so 16 fit beside the boundary (lecture mode
        // too); an expanded one (all of a wide layer) scrolls.
        column.classList.toggle("netview-tall", shown.length > TALL);
        column.classList.toggle("netview-expanded", state.expanded.has(l));
        const neurons = shown.map((j) => {
          const cell = document.createElement("div");
          cell.className = "netview-neuron";
          cell.dataset.layer = String(l);
          cell.dataset.unit = String(j);
          const canvas = document.createElement("canvas");
          canvas.width = canvas.height = net.n;
          cell.append(canvas);
          if (l === 0) {
            const label = document.createElement("span");
            label.className = "netview-label";
            label.textContent = net.labels[j];
            cell.append(label);
            cell.title = "Click to switch this feature off";
            cell.addEventListener("click", () => handlers.onToggleFeature &&
              handlers.onToggleFeature(net.features[j]));
          }
          cell.addEventListener("mouseenter", (event) => {
            cell.classList.add("hovered");
            const text = l === 0 ? net.labels[j]
              : "bias " + biasAt(state.net.sizes, state.net.weights, l, j).toPrecision(3);
            showTip(text, event.clientX, event.clientY);
            if (handlers.onHoverNeuron) handlers.onHoverNeuron(l, j, cell.querySelector("canvas"));
          });
          cell.addEventListener("mouseleave", () => {
            cell.classList.remove("hovered");
            tip.hidden = true;
            if (handlers.onHoverNeuron) handlers.onHoverNeuron(null, null, null);
          });
          column.append(cell);
          return { unit: j, cell, canvas };
        });
        const hidden = units - shown.length;
        if (hidden > 0 || state.expanded.has(l)) {
          const more = document.createElement("button");
          more.className = "netview-more";
          more.textContent = hidden > 0 ? "+" + hidden + " more" : "show fewer";
          more.addEventListener("click", () => {
            if (state.expanded.has(l)) state.expanded.delete(l); else state.expanded.add(l);
            state.key = null; // rebuild with the new selection
            update(state.net);
          });
          column.append(more);
        }
        grid.append(column);
        return { layer: l, neurons };
      });
      state.links = [];
      for (let l = 1; l < net.sizes.length; l++) {
        for (const from of state.columns[l - 1].neurons) {
          for (const to of state.columns[l].neurons) {
            const line = document.createElementNS(SVG, "line");
            line.classList.add("netview-link");
            line.dataset.layer = String(l);
            line.dataset.from = String(from.unit);
            line.dataset.to = String(to.unit);
            const link = { layer: l, from, to, line };
            line.addEventListener("mouseenter", (event) => {
              const w = weightAt(state.net.sizes, state.net.weights, l, from.unit, to.unit);
              showTip("weight " + w.toPrecision(4) + (state.net.paused ? " (click to edit)" : ""),
                event.clientX, event.clientY);
            });
            line.addEventListener("mouseleave", () => { tip.hidden = true; });
            line.addEventListener("click", () => editWeight(link));
            svg.append(line);
            state.links.push(link);
          }
        }
      }
    }

    // While paused, a click on a link asks for a new weight; the run goes on from it.
    function editWeight(link) {
      const net = state.net;
      if (!net.paused || !handlers.onEditWeight) return;
      const old = weightAt(net.sizes, net.weights, link.layer, link.from.unit, link.to.unit);
      const text = root.prompt("New weight", old.toPrecision(6));
      if (text === null) return;
      const value = Number(text);
      if (!Number.isFinite(value)) { showTip("not a number: " + text, 0, 0); return; }
      handlers.onEditWeight(link.layer, link.from.unit, link.to.unit, value);
    }

    // Every position is read before anything is written: a read after a write would make
    // the browser lay the page out again, once a link (656 layouts for 3 layers of 16).
    function placeLinks() {
      const box = container.getBoundingClientRect();
      const rects = new Map();
      for (const column of state.columns) {
        for (const neuron of column.neurons) rects.set(neuron, neuron.canvas.getBoundingClientRect());
      }
      if (svg.getAttribute("width") !== String(box.width)) svg.setAttribute("width", box.width);
      if (svg.getAttribute("height") !== String(box.height)) svg.setAttribute("height", box.height);
      const paused = Boolean(state.net.paused);
      let largest = 0;
      for (const link of state.links) {
        const w = Math.abs(weightAt(state.net.sizes, state.net.weights, link.layer,
          link.from.unit, link.to.unit));
        if (w > largest) largest = w;
      }
      for (const link of state.links) {
        const a = rects.get(link.from), b = rects.get(link.to);
        const w = weightAt(state.net.sizes, state.net.weights, link.layer, link.from.unit,
          link.to.unit);
        const line = link.line;
        const ends = { x1: a.right - box.left, y1: a.top + a.height / 2 - box.top,
          x2: b.left - box.left, y2: b.top + b.height / 2 - box.top };
        for (const [name, value] of Object.entries(ends)) {
          if (link[name] !== value) { // the columns moved (or the first time)
            link[name] = value;
            line.setAttribute(name, value);
          }
        }
        // Only what changed is written: each attribute written costs the page a style
        // update of its line (656 lines for 3 layers of 16: 9 ms a drawing, now ~2.5).
        const stroke = w >= 0 ? POSITIVE_RGB : NEGATIVE_RGB;
        if (link.stroke !== stroke) line.setAttribute("stroke", (link.stroke = stroke));
        const width = (0.5 + 5 * (largest > 0 ? Math.abs(w) / largest : 0)).toFixed(1);
        if (link.width !== width) line.setAttribute("stroke-width", (link.width = width));
        // The exact weight, as a click edits it: written while paused (while playing it
        // would change on every link at every drawing, and the tip reads state.net).
        if (paused) line.dataset.weight = String(w);
        else if (link.paused !== false) delete line.dataset.weight;
        link.paused = paused;
      }
    }

    function update(net) {
      const key = net.sizes.join(",") + "|" + net.n + "|" + (net.features || []).join(",");
      state.net = net;
      if (key !== state.key) { build(net); state.key = key; }
      const pictures = [net.pictures.inputs, ...net.pictures.layers];
      for (const column of state.columns) {
        const scale = valueScaleOf(net, column.layer);
        for (const neuron of column.neurons) {
          paint(neuron.canvas, pictures[column.layer][neuron.unit], net.n, scale);
        }
      }
      placeLinks();
    }

    return { update, state, element: container };
  }

  root.scratchnetDiagram = { create, paint, valueScaleOf, shownNeurons, layerOffset, weightAt, biasAt, MAX_SHOWN };
})(typeof window !== "undefined" ? window : globalThis);
