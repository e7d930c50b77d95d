// The network's forward pass over a grid of the plane, in the browser: the same maths as
// scratchnet/network.py (MLP.activations) and scratchnet/features.py, so that the server
// sends weights (2-64-2 is 322 numbers with its biases) instead of pictures, and every neuron's picture
// comes from the same pass as the output's.
//
// Layout, as NumPy's: the weights are MLP.flat_params, layer after layer; layer l is a
// row-major (n_in + 1, n_out) matrix whose last row is the bias. A picture is an n x n
// grid of pixel centres, row 0 at the top (scratchnet.plots.grid), stored pixel after
// pixel in a Float64Array of n * n values. Layers are computed neuron-major: for each
// neuron, one pass over all pixels, z[p] += w * a[p], which the JIT turns into a tight loop.
(function (root) {
  "use strict";

  // scratchnet/features.py's table: each maps the pixel centres (x1, x2) to one column.
  const FEATURES = {
    "x1": (x1, x2) => x1,
    "x2": (x1, x2) => x2,
    "x1^2": (x1, x2) => x1 ** 2,
    "x2^2": (x1, x2) => x2 ** 2,
    "x1*x2": (x1, x2) => x1 * x2,
    "sin(x1)": (x1, x2) => Math.sin(x1),
    "sin(x2)": (x1, x2) => Math.sin(x2),
  };
  const FEATURE_ORDER = Object.keys(FEATURES);

  const LEAKY_SLOPE = 0.01; // scratchnet/activations.py
  const expit = (z) => 1 / (1 + Math.exp(-z)); // never overflows: exp(+big) -> 1/inf = 0

  // scratchnet/activations.py's table, applied in place to one neuron's picture.
  const ACTIVATIONS = {
    relu: (z) => { for (let p = 0; p < z.length; p++) if (!(z[p] > 0)) z[p] = z[p] === z[p] ? 0 : z[p]; },
    leaky_relu: (z) => { for (let p = 0; p < z.length; p++) if (z[p] < 0) z[p] *= LEAKY_SLOPE; },
    tanh: (z) => { for (let p = 0; p < z.length; p++) z[p] = Math.tanh(z[p]); },
    sigmoid: (z) => { for (let p = 0; p < z.length; p++) z[p] = expit(z[p]); },
    linear: () => {},
  };

  // scratchnet/losses.py's outputs, in place on the output layer's pictures (one per unit).
  const OUTPUTS = {
    softmax: (Z) => {
      const k = Z.length, n = Z[0].length;
      if (k === 2) { // two classes: p1 = sigmoid(z1 - z0), p0 = sigmoid(z0 - z1), as NumPy
        const [z0, z1] = Z;
        for (let p = 0; p < n; p++) { const d = z0[p] - z1[p]; z0[p] = expit(d); z1[p] = expit(-d); }
        return;
      }
      for (let p = 0; p < n; p++) {
        let top = -Infinity;
        for (let c = 0; c < k; c++) if (Z[c][p] > top) top = Z[c][p];
        let sum = 0;
        for (let c = 0; c < k; c++) { Z[c][p] = Math.exp(Z[c][p] - top); sum += Z[c][p]; }
        for (let c = 0; c < k; c++) Z[c][p] /= sum;
      }
    },
    sigmoid: (Z) => { const z = Z[0]; for (let p = 0; p < z.length; p++) z[p] = expit(z[p]); },
    identity: () => {}, // regression: the outputs are the last layer's sums as they are
  };

  // scratchnet.plots.grid: pixel (i, j) is column j from the left, row i from the TOP.
  function grid(extent, n) {
    const [xmin, xmax, ymin, ymax] = extent;
    const x1 = new Float64Array(n * n), x2 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const y = ymax - ((i + 0.5) / n) * (ymax - ymin);
      for (let j = 0; j < n; j++) {
        x1[i * n + j] = xmin + ((j + 0.5) / n) * (xmax - xmin);
        x2[i * n + j] = y;
      }
    }
    return { x1, x2 };
  }

  // The input features' pictures, in the table's order (features.check_features).
  function featurePictures(points, features) {
    const chosen = FEATURE_ORDER.filter((name) => features.includes(name));
    return chosen.map((name) => {
      const f = FEATURES[name], out = new Float64Array(points.x1.length);
      for (let p = 0; p < out.length; p++) out[p] = f(points.x1[p], points.x2[p]);
      return out;
    });
  }

  // net: {sizes: [n_features, ..., n_outputs], weights: flat array, activation, output,
  // features: names}. Returns {inputs, layers}: inputs the feature pictures, layers one
  // array of pictures per layer after the inputs (the last is the output, after softmax
  // or sigmoid; an identity output's are the predicted values), each picture a
  // Float64Array over the points.
  function forward(net, points) {
    const { sizes, weights } = net;
    const activate = ACTIVATIONS[net.activation], output = OUTPUTS[net.output];
    if (!activate) throw new Error("unknown activation " + net.activation);
    if (!output) throw new Error("unknown output " + net.output);
    const inputs = featurePictures(points, net.features || ["x1", "x2"]);
    if (inputs.length !== sizes[0]) throw new Error("features do not match the input layer");
    const n = points.x1.length, layers = [];
    let A = inputs, offset = 0;
    for (let l = 1; l < sizes.length; l++) {
      const nIn = sizes[l - 1], nOut = sizes[l], Z = [];
      for (let j = 0; j < nOut; j++) {
        const z = new Float64Array(n).fill(weights[offset + nIn * nOut + j]); // the bias
        for (let i = 0; i < nIn; i++) {
          const w = weights[offset + i * nOut + j], a = A[i];
          for (let p = 0; p < n; p++) z[p] += w * a[p]; // z = W^T a + b
        }
        Z.push(z);
      }
      offset += (nIn + 1) * nOut;
      if (l < sizes.length - 1) Z.forEach(activate); else output(Z);
      layers.push(Z);
      A = Z;
    }
    if (offset !== weights.length) throw new Error("weights do not match the layer sizes");
    return { inputs, layers };
  }

  // The class probabilities of the output pictures: two columns for a sigmoid output.
  function classProbabilities(net, outputs) {
    if (net.output === "identity") throw new Error("an identity output predicts numbers, not classes");
    if (net.output !== "sigmoid") return outputs;
    const p = outputs[0], q = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) q[i] = 1 - p[i];
    return [q, p];
  }

  root.scratchnetForward = { FEATURES, ACTIVATIONS, OUTPUTS, grid, forward, classProbabilities };
})(typeof window !== "undefined" ? window : globalThis);

// scratchnet.plots.boundary_rgba in the browser: each pixel its most probable class's
// colour blended with white by how sure the network is, in `shades` steps. Same rounding
// as NumPy (np.rint: halves to even), so the bytes are NumPy's.
(function (root) {
  "use strict";
  const rint = (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; // a half goes to the even side
  };
  const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

  // The (k * (shades + 1)) x 4 colour table of plots._palette.
  function palette(colors, k, shades, strength) {
    const table = new Uint8ClampedArray(k * (shades + 1) * 4);
    for (let c = 0; c < k; c++) {
      const rgb = hex(colors[c]);
      for (let s = 0; s <= shades; s++) {
        const w = (strength * s) / shades, o = 4 * (c * (shades + 1) + s);
        for (let i = 0; i < 3; i++) table[o + i] = rint(255 + w * (rgb[i] - 255));
        table[o + 3] = 255;
      }
    }
    return table;
  }

  // proba: one Float64Array a class, over the n * n pixels; returns RGBA bytes (n * n * 4).
  function boundaryRGBA(proba, colors, options) {
    const o = Object.assign({ shades: 15, strength: 0.75, discrete: false }, options || {});
    const k = proba.length, size = proba[0].length, out = new Uint8ClampedArray(size * 4);
    if (k > colors.length) throw new Error(k + " classes but only " + colors.length + " colours");
    const table = palette(colors, k, o.shades, o.strength);
    for (let p = 0; p < size; p++) {
      let best = proba[0][p], winner = 0;
      for (let c = 1; c < k; c++) {
        const v = proba[c][p];
        if (v > best) winner = c;
        if (!(v <= best)) best = v; // np.maximum: a NaN wins and stays
      }
      let certainty = (best - 1 / k) * (k / (k - 1));
      if (certainty !== certainty) certainty = 0;
      certainty = Math.min(1, Math.max(0, certainty));
      if (o.discrete) certainty = Math.ceil(certainty);
      const row = 4 * (winner * (o.shades + 1) + rint(certainty * o.shades));
      out[4 * p] = table[row];
      out[4 * p + 1] = table[row + 1];
      out[4 * p + 2] = table[row + 2];
      out[4 * p + 3] = table[row + 3];
    }
    return out;
  }

  // scratchnet.plots.value_rgba: a regression's predicted values on the diverging scale,
  // white at 0, towards colors[0] (orange) below and colors[1] (blue) above, full at
  // -valueRange and +valueRange and clipped beyond; discrete: the sign only. values: one
  // Float64Array over the n * n pixels; returns RGBA bytes (n * n * 4).
  function valueRGBA(values, colors, options) {
    const o = Object.assign({ valueRange: 1, shades: 15, strength: 0.75, discrete: false }, options || {});
    if (!(o.valueRange > 0 && o.valueRange < Infinity)) throw new Error("valueRange must be a finite number > 0");
    const size = values.length, out = new Uint8ClampedArray(size * 4);
    const table = palette(colors, 2, o.shades, o.strength); // orange's levels, then blue's
    for (let p = 0; p < size; p++) {
      const v = values[p];
      let weight = Math.abs(v / o.valueRange);
      if (weight !== weight) weight = 0; // NaN (a diverged network): white
      weight = Math.min(1, weight);
      if (o.discrete) weight = Math.ceil(weight);
      const row = 4 * (rint(weight * o.shades) + (v > 0 ? o.shades + 1 : 0));
      out[4 * p] = table[row];
      out[4 * p + 1] = table[row + 1];
      out[4 * p + 2] = table[row + 2];
      out[4 * p + 3] = table[row + 3];
    }
    return out;
  }

  root.scratchnetForward.boundaryRGBA = boundaryRGBA;
  root.scratchnetForward.valueRGBA = valueRGBA;
})(typeof window !== "undefined" ? window : globalThis);

// The decision boundary from the weights alone, as livechart's painter (live_chart's
// `painter` argument): the chart hands over the bytes a frame or a render carried, here
// MLP.flat_params as little-endian float64s, and gets the picture's RGBA pixels, byte for
// byte scratchnet.live.LiveRun.boundary_png's. `options`: {n, extent, net: {sizes,
// activation, output, features}, colors, discrete, value_range, target}: an identity output
// (regression) paints the value of output `target` over [-value_range, value_range]
// (valueRGBA), any other the class probabilities (boundaryRGBA).
(function (root) {
  "use strict";
  const grids = new Map(); // the pixel centres of each (extent, n), made once

  function paint(bytes, options) {
    const F = root.scratchnetForward;
    const copy = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice(); // Float64Array alignment
    const weights = new Float64Array(copy.buffer, copy.byteOffset, copy.byteLength / 8);
    const key = options.extent.join(",") + "|" + options.n;
    let points = grids.get(key);
    if (!points) {
      if (grids.size > 8) grids.clear();
      grids.set(key, (points = F.grid(options.extent, options.n)));
    }
    const net = Object.assign({}, options.net, { weights });
    const { layers } = F.forward(net, points);
    const outputs = layers[layers.length - 1], discrete = Boolean(options.discrete);
    const data = net.output === "identity"
      ? F.valueRGBA(outputs[options.target || 0], options.colors,
        { valueRange: options.value_range, discrete })
      : F.boundaryRGBA(F.classProbabilities(net, outputs), options.colors, { discrete });
    return { width: options.n, height: options.n, data };
  }

  root.scratchnetPaint = paint;
})(typeof window !== "undefined" ? window : globalThis);
