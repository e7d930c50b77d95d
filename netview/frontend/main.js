// The network view as a Streamlit component: the page sends the network (sizes, weights,
// activation, output, features) on each run; while it plays, the view draws every neuron's
// picture itself (forward.js) from the weights of each frame the live chart fetches (its
// "livechart:frame" message: the diagram moves at the rate of the boundary, and the server
// sends nothing more), or, when the chart's frames carry a PNG (a network too large for the
// browser to paint the boundary), from the server's weights route a few times a second.
// A click on a link (paused) or on an input feature becomes the component's value.
(function () {
  "use strict";
  const POLL_MS = 100; // weights asked for at most ten times a second while playing
  // without the chart's frames, and never sooner than twice the time the last drawing
  // took (a large network's tab stays responsive: it draws at most half the time)
  const FOLLOW_MS = 1000; // the chart's frames count as coming for this long after one
  const GRID = 24; // neuron pictures are GRID x GRID: small on screen, cheap to compute
  const root = document.getElementById("net");
  const status = document.getElementById("status");
  const state = { args: null, steps: -1, polling: false, nonce: 0, height: 0, net: null, hovered: null };
  window.netviewStats = { draws: 0, polls: 0, followed: 0, steps: -1, overlays: 0 };

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type }, data), "*");
  }

  function report(event) {
    state.nonce += 1;
    send("streamlit:setComponentValue", {
      value: Object.assign({ nonce: state.nonce }, event),
      dataType: "json",
    });
  }

  const view = window.scratchnetDiagram.create(root, {
    onEditWeight: (layer, i, j, weight) => report({ edit: [layer, i, j, weight] }),
    onToggleFeature: (name) => report({ feature: name }),
    onHoverNeuron: (layer, unit) => {
      state.hovered = layer === null ? null : { layer, unit };
      showLarge();
    },
  });

  // The neuron under the mouse, large on the page's boundary chart (as TensorFlow
  // Playground does): its picture over LARGE x LARGE points, on the diagram's colour scale,
  // with its bias, sent to the chart's frame (livechart's "overlay" message); kept up to
  // date while it plays, taken away when the mouse leaves.
  const LARGE = 100;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = LARGE;

  function showLarge() {
    let message = { type: "livechart:overlay", source: null };
    const h = state.hovered, net = state.net;
    if (h && net) {
      const F = window.scratchnetForward, D = window.scratchnetDiagram;
      const pictures = F.forward(net, F.grid(state.args.extent, LARGE));
      const values = h.layer === 0 ? pictures.inputs[h.unit] : pictures.layers[h.layer - 1][h.unit];
      D.paint(canvas, values, LARGE, D.valueScaleOf(net, h.layer));
      const last = h.layer === net.sizes.length - 1;
      const name = h.layer === 0 ? (net.labels || [])[h.unit] || net.features[h.unit]
        : (last ? "output " : "layer " + h.layer + ", neuron ") + (h.unit + 1);
      const bias = h.layer === 0 ? "" : " · bias " + D.biasAt(net.sizes, net.weights, h.layer, h.unit).toPrecision(3);
      message = { type: "livechart:overlay", source: canvas.toDataURL("image/png"),
        label: name + bias, extent: state.args.extent };
      window.netviewStats.overlays += 1;
    }
    for (let i = 0; i < window.parent.frames.length; i++) {
      const frame = window.parent.frames[i];
      if (frame !== window) frame.postMessage(message, window.location.origin);
    }
  }

  function draw(net, steps) {
    // A picture never replaces a newer one: the step it was trained to orders them.
    if (steps < state.steps) return;
    state.steps = steps;
    const F = window.scratchnetForward;
    const pictures = F.forward(net, F.grid(state.args.extent, GRID));
    view.update(Object.assign({}, net, { n: GRID, pictures, paused: !state.args.playing }));
    state.net = net;
    const h = state.hovered;
    if (h) {
      // a neuron gone from the network (a feature switched off under the mouse) fires no
      // mouseleave: its large picture goes with it
      if (h.layer >= net.sizes.length || h.unit >= net.sizes[h.layer]) state.hovered = null;
      showLarge(); // the large picture follows training
    }
    window.netviewStats.draws += 1;
    window.netviewStats.steps = steps;
    status.textContent = state.args.playing ? "live" : "paused: click a link to edit its weight";
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== state.height) {
      state.height = height;
      send("streamlit:setFrameHeight", { height });
    }
  }

  // Draw the network with these weights and time it: the next drawing waits at least
  // twice as long (polling or following, the view draws at most half the time).
  function drawWeights(weights, steps) {
    const started = performance.now();
    draw(Object.assign({}, state.args.net, { weights }), steps);
    state.drawnAt = performance.now();
    state.drawMs = state.drawnAt - started;
  }

  async function poll() {
    if (state.polling) return;
    state.polling = true;
    try {
      while (state.args && state.args.playing && state.args.weights_url) {
        const url = state.args.weights_url;
        const started = performance.now();
        if (started - (state.followedAt || -Infinity) < FOLLOW_MS) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS)); // the chart feeds us
          continue;
        }
        try {
          const response = await fetch(url, { cache: "no-store" });
          if (response.status === 200) {
            // little-endian float64s: the step, then the flat weights (server/frames.py)
            const body = new Float64Array(await response.arrayBuffer());
            window.netviewStats.polls += 1;
            if (state.args && url === state.args.weights_url && body.length > 1) {
              drawWeights(body.subarray(1), body[0]);
            }
          }
        } catch (err) {
          console.warn("netview: weights request failed", err);
        }
        const wait = Math.max(0, Math.max(POLL_MS, 2 * (state.drawMs || 0)) - (performance.now() - started));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      state.polling = false;
    }
  }

  // A frame the live chart fetched: its weights, drawn unless the last drawing is too
  // recent (at most half the time drawing, as when polling).
  function follow(message) {
    const args = state.args;
    if (!args || !args.playing || !message.painted) return;
    if (String(message.run_id) !== String(args.run_id)) return; // from before a Reset
    const now = performance.now();
    state.followedAt = now;
    if (now - (state.drawnAt || -Infinity) < 2 * (state.drawMs || 0)) return;
    const weights = new Float64Array(message.bytes);
    if (weights.length !== args.net.weights.length) return;
    drawWeights(weights, message.steps);
    window.netviewStats.followed += 1;
  }

  window.addEventListener("message", (event) => {
    if (event.data && event.data.type === "livechart:frame") {
      if (event.origin === window.location.origin) follow(event.data);
      return;
    }
    if (!event.data || event.data.type !== "streamlit:render") return;
    const args = event.data.args;
    if (!state.args || args.run_id !== state.args.run_id) state.steps = -1; // a new network
    // a timeline's past epoch (args.rewound), or the newest again after one: drawn whatever
    // step the view showed
    if (args.rewound || (state.args && state.args.rewound)) state.steps = -1;
    state.args = args;
    document.body.classList.toggle("lecture", Boolean(args.lecture));
    try {
      draw(args.net, args.steps);
    } catch (err) {
      console.error("netview: draw failed", err);
    }
    if (args.playing) poll();
  });
  send("streamlit:componentReady", { apiVersion: 1 });
})();
