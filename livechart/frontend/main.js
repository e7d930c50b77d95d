// livechart: the browser half of livechart/__init__.py (Streamlit component API v1,
// spoken by hand, no build step).
//
// One Plotly chart per plot lives as long as the iframe. A render message changes
// only what it carries: the boundary picture (a layout image, swapped with
// Plotly.relayout once the new PNG is decoded, so no frame is ever empty), new
// curve rows (Plotly.extendTraces, at most CURVE_HZ redraws a second), and the
// points when their revision changes (Plotly.react with uirevision, which keeps
// the user's zoom). Nothing is cleared between ticks.
//
// Order. Every picture and curve row belongs to a training step of one run: a render
// carries args.step (the step of its picture), a frame header.steps. Renders are not
// always new: Streamlit re-sends the args of the page's LAST script run whenever the
// iframe's height or width changes (ComponentInstance's render effect), and those args
// are older than the frames fetched since. So the chart keeps the step of the picture it
// shows (state.shownStep) and ignores an older picture, whoever brings it; curve rows
// are keyed by epoch and only ever added. Only a new run_id starts again from nothing.
//
// For benchmarks and tests: window.livechartFrames counts the boundary images
// applied by Plotly, #boundary[data-frame] mirrors it, #boundary[data-step] holds the
// step of the picture shown, window.livechartPreviews
// counts the pictures drawn before Plotly had loaded, window.livechartLastApply
// holds the performance.now() of the last 256 applications, window.livechartStats
// the rest.
"use strict";

(function () {
  const boundaryDiv = document.getElementById("boundary");
  const curvesDiv = document.getElementById("curves-plot");
  const legendDiv = document.getElementById("curves-legend");
  const root = document.getElementById("root");
  const statusDiv = document.getElementById("status");

  // A random id for this iframe: a new one tells Python the chart was reloaded.
  const session = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);

  const LOG_SIZE = 256;
  const CURVE_HZ = 5;
  const RELOAD_AFTER_MS = 4000; // "unknown page" answers for this long: reload (pollLoop)
  const REPORT_FRAMES = 30; // frames between epoch reports while playing (see applyFrame)
  // Cumulative milliseconds spent in onRender, in image application (base64,
  // decode wait excluded, relayout) and in curve redraws: what one tick costs here.
  const stats = {
    renders: 0,
    resyncs: 0, // renders that carried the full history (curves_full)
    imagesReceived: 0,
    rows: 0, // curve rows drawn
    pointsRev: 0,
    session: session,
    renderMs: 0,
    imageMs: 0,
    curveMs: 0,
    framesFetched: 0, // frame answers applied (livechartFrames counts their pictures)
    reports: 0, // values sent to Python (each reruns the chart's fragment)
    stale: 0, // renders whose picture was older than the one shown (ignored)
    early: 0, // frame answers "not yet": asked before the pause the server named
    painted: 0, // pictures the page's painter drew from their bytes (args.painter)
    continued: 0, // new run ids taken as the replay of the run shown (args.replayed)
  };
  window.livechartFrames = 0;
  window.livechartLastApply = [];
  window.livechartStats = stats;

  const state = {
    plotted: false,
    args: null,
    theme: null,
    points: null, // {train: {x, y, c}, test: {x, y, c}}, c = class indices
    pointsRev: 0,
    imageId: 0,
    synced: false, // a new iframe lacks what was sent before it existed
    reportKey: "",
    extentKey: "",
    styleKey: "",
    curveKey: "",
    runId: null,
    epoch: null,
    shownStep: -Infinity, // the training step of the picture shown (or being decoded)
    rewound: false, // showing a past epoch (args.rewind), not the newest
    rewindMark: null, // the epoch the curves' line marks
    newest: null, // that picture: {bytes, extent, step}
    lastEpoch: -Infinity,
    pendingRows: [],
    rowsScheduled: false,
    lastFlush: -Infinity,
    imageURL: "",
    pendingImage: null,
    applying: false,
    frameHeight: -1,
    heightKey: "",
  };

  // ------------------------------------------------------------ Streamlit protocol

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  // The chart's value, read by Python before each tick: the points revision it
  // holds, and whether it has everything (false: send the full history and the
  // current image). Sent only when it changes: each report reruns the fragment.
  function report() {
    stats.reports += 1;
    send("streamlit:setComponentValue", {
      value: {
        points_rev: state.pointsRev,
        synced: state.synced,
        session: session,
        stopped: poll.stopped,
        epoch: state.epoch,
      },
      dataType: "json",
    });
  }

  function updateFrameHeight() {
    // The status line and the plots: the whole body, so nothing is clipped. While the
    // arguments that shape the chart stay the same, the frame only grows: the status line
    // wraps and unwraps as its numbers change width, and every new frame height makes
    // Streamlit re-send the last args (a render for nothing, and an old one).
    const args = state.args || {};
    const key = [args.height, args.lecture, Boolean(args.status), root.className].join("|");
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    const shrinks = height < state.frameHeight && key === state.heightKey;
    state.heightKey = key;
    if (height > 0 && height !== state.frameHeight && !shrinks) {
      state.frameHeight = height;
      send("streamlit:setFrameHeight", { height: height });
    }
  }

  // ----------------------------------------------------------------------- style

  function style(lecture) {
    // Mirrors scratchnet.plots._style.
    return lecture
      ? { font: 20, marker: 11, line: 4, outline: 2.5 }
      : { font: 13, marker: 7, line: 2, outline: 1.5 };
  }

  function themeOf(theme) {
    const t = theme || {};
    const bg = t.backgroundColor || "#ffffff";
    const text = t.textColor || "#31333F";
    return { bg: bg, text: text, key: bg + text };
  }

  // ---------------------------------------------------------------------- points

  // Wire format (livechart.pack_points): n float32 (x, y) pairs, n uint8 labels (or, when
  // the points carry values, n float32 values), n uint8 split flags (0 train, 1 test).
  function unpackPoints(view, n, values) {
    // Streamlit hands bytes as a view into a larger buffer that need not be
    // 4-byte aligned: copy into a buffer of our own before reading floats.
    const buffer = view.slice().buffer;
    const xy = new Float32Array(buffer, 0, 2 * n);
    const labels = values ? new Float32Array(buffer, 8 * n, n) : new Uint8Array(buffer, 8 * n, n);
    const split = new Uint8Array(buffer, (values ? 12 : 9) * n, n);
    const out = { train: { x: [], y: [], c: [] }, test: { x: [], y: [], c: [] } };
    for (let i = 0; i < n; i++) {
      const part = split[i] ? out.test : out.train;
      part.x.push(xy[2 * i]);
      part.y.push(xy[2 * i + 1]);
      part.c.push(labels[i]);
    }
    return out;
  }

  // Points carry values (args.color_scale: {colorscale, cmin, cmax}) or classes.
  function valued(args) {
    return Boolean(args && args.color_scale);
  }

  // The colour bar of a value scale: thin, beside the plot, as tall as half of it, titled
  // with what the values are (Plotly widens the right margin to make room for it).
  function colorBar(args) {
    const s = style(args.lecture);
    return {
      thickness: Math.round(0.8 * s.font),
      len: 0.5,
      x: 1.01,
      xpad: 4,
      y: 0.5,
      outlinewidth: 0,
      tickfont: { size: Math.round(0.85 * s.font) },
      title: { text: args.value_name || "value", side: "right", font: { size: s.font } },
    };
  }

  function pointTraces(args) {
    const s = style(args.lecture);
    const colors = args.colors;
    const p = state.points || { train: { x: [], y: [], c: [] }, test: { x: [], y: [], c: [] } };
    const scale = args.color_scale;
    // Classes: each point its class's colour. Values: the numbers, which Plotly colours
    // on the scale (cmin..cmax, clipped beyond), the train points with the colour bar.
    const classColor = (c) => colors[c % colors.length];
    const paint = (part) => (scale ? part.c : part.c.map(classColor));
    const onScale = (bar) =>
      scale
        ? { colorscale: scale.colorscale, cmin: scale.cmin, cmax: scale.cmax, showscale: bar }
        : {};
    const showTest = args.show_test && p.test.x.length > 0;
    const trainMarker = (color, bar) =>
      Object.assign(
        { size: s.marker, color: color, line: { color: "white", width: s.outline / 2 } },
        Array.isArray(color) ? onScale(bar) : {},
        bar && scale ? { colorbar: colorBar(args) } : {},
      );
    const testMarker = (color) => ({
      size: s.marker,
      color: "white",
      line: Object.assign(
        { color: color, width: s.outline },
        Array.isArray(color) && scale
          ? { colorscale: scale.colorscale, cmin: scale.cmin, cmax: scale.cmax }
          : {},
      ),
    });
    const hover = scale
      ? (split) =>
          `${args.value_name || "value"} %{customdata:.3g}<br>(%{x:.2f}, %{y:.2f})<extra>${split}</extra>`
      : (split) => `%{customdata}<br>(%{x:.2f}, %{y:.2f})<extra>${split}</extra>`;
    const labels = (part) => (scale ? part.c : part.c.map(className));
    // The points trace of each split stays out of the legend (its first point
    // would set the legend's colour); a grey stand-in in the same legend group
    // shows the split, and clicking it still hides the points.
    const legend = (name, marker, visible) => ({
      type: "scatter",
      mode: "markers",
      name: name,
      legendgroup: name,
      visible: visible,
      x: [null],
      y: [null],
      marker: marker,
      hoverinfo: "skip",
    });
    return [
      {
        type: "scatter",
        mode: "markers",
        name: "train",
        legendgroup: "train",
        showlegend: false,
        x: p.train.x,
        y: p.train.y,
        marker: trainMarker(paint(p.train), true),
        customdata: labels(p.train),
        hovertemplate: hover("train"),
      },
      {
        type: "scatter",
        mode: "markers",
        name: "test",
        legendgroup: "test",
        showlegend: false,
        visible: showTest,
        x: p.test.x,
        y: p.test.y,
        marker: testMarker(paint(p.test)),
        customdata: labels(p.test),
        hovertemplate: hover("test"),
      },
      legend("train", trainMarker("#777777", false), true),
      legend("test", testMarker("#777777"), showTest),
    ];
  }

  // What hovering a point calls its class: args.class_names, or "class c".
  function className(c) {
    const names = (state.args && state.args.class_names) || [];
    return names[c] !== undefined ? names[c] : "class " + c;
  }

  function imageGeometry(extent) {
    const [xmin, xmax, ymin, ymax] = extent;
    // Row 0 of the PNG is ymax: the image hangs from its top-left corner.
    return { x: xmin, y: ymax, sizex: xmax - xmin, sizey: ymax - ymin };
  }

  function boundaryLayout(args) {
    const s = style(args.lecture);
    const t = state.theme;
    const [xmin, xmax, ymin, ymax] = args.extent;
    const axis = { showgrid: false, zeroline: false, constrain: "domain", color: t.text };
    return {
      // Same uirevision: Plotly.react keeps the user's zoom and pan. A new
      // extent or points revision is a new picture: back to the full view.
      uirevision: state.extentKey + "|" + state.pointsRev,
      height: args.height,
      margin: { l: 40, r: 10, t: 8 + 2 * s.font, b: 30 },
      font: { size: s.font, color: t.text },
      paper_bgcolor: t.bg,
      plot_bgcolor: "white",
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom", bgcolor: "rgba(0,0,0,0)" },
      xaxis: Object.assign({ range: [xmin, xmax] }, axis),
      yaxis: Object.assign({ range: [ymin, ymax], scaleanchor: "x", scaleratio: 1 }, axis),
      images: [
        Object.assign(
          {
            source: state.imageURL,
            visible: state.imageURL !== "",
            xref: "x",
            yref: "y",
            sizing: "stretch",
            layer: "below",
          },
          imageGeometry(args.extent),
        ),
      ],
    };
  }

  // ---------------------------------------------------------------------- curves

  // One figure, loss above accuracy (or the score args.score_name names) on a shared
  // epoch axis. One figure because a
  // Plotly redraw costs about the same for one subplot or two; no Plotly legend
  // and no mode bar because they cost a third of it (the legend is HTML).
  const CURVE_COLORS = { train: "#333333", test: "#E07B00" }; // as scratchnet.plots
  // Trace order, and the column of a row [epoch, train_loss, test_loss,
  // train_acc, test_acc] that each trace plots.
  const CURVES = [
    { split: "train", metric: "loss", column: 1, yaxis: "y" },
    { split: "test", metric: "loss", column: 2, yaxis: "y" },
    { split: "train", metric: "score", column: 3, yaxis: "y2" },
    { split: "test", metric: "score", column: 4, yaxis: "y2" },
  ];
  const TRACE_INDICES = CURVES.map((_, i) => i);

  function curveTraces(args) {
    const s = style(args.lecture);
    return CURVES.map((c) => ({
      type: "scatter",
      mode: "lines",
      name: c.split,
      x: [],
      y: [],
      xaxis: "x",
      yaxis: c.yaxis,
      showlegend: false,
      line: { width: s.line, color: CURVE_COLORS[c.split], dash: c.split === "test" ? "dot" : "solid" },
      hovertemplate:
        "epoch %{x}: %{y:" +
        (c.metric === "loss" ? ".4g" : scorePercent(args) ? ".1%" : ".3f") +
        "}<extra>" +
        c.split +
        "</extra>",
    }));
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  // Pinned runs (args.pins: [{label, rows}]): their test loss and test score, dashed, in a
  // colour each, after the live curves (whose trace indices stay 0..3).
  const PIN_COLORS = ["#7B3294", "#1B9E77", "#A6611A"];
  function pinTraces(args) {
    const s = style(args.lecture);
    const traces = [];
    (args.pins || []).forEach((pin, i) => {
      const epochs = pin.rows.map((r) => r[0]);
      [[2, "y"], [4, "y2"]].forEach(([column, yaxis]) => {
        traces.push({
          type: "scatter", mode: "lines", name: pin.label, x: epochs,
          y: pin.rows.map((r) => r[column]), xaxis: "x", yaxis: yaxis, showlegend: false,
          line: { width: s.line, color: PIN_COLORS[i % PIN_COLORS.length], dash: "dash" },
          hovertemplate: "epoch %{x}: %{y:.4g}<extra>" + pin.label + " (test)</extra>",
        });
      });
    });
    return traces;
  }

  // Scores are fractions shown as percentages (accuracy) unless args.score_percent is false.
  function scorePercent(args) {
    return !args || args.score_percent !== false;
  }

  function curveLayout(args) {
    const s = style(args.lecture);
    const t = state.theme;
    const grid = "rgba(128,128,128,0.25)";
    const axis = { gridcolor: grid, color: t.text, zeroline: false };
    return {
      uirevision: "curves",
      height: args.height - legendDiv.offsetHeight,
      margin: { l: 16 + 3 * s.font, r: 10, t: 6, b: 12 + 2 * s.font },
      font: { size: s.font, color: t.text },
      paper_bgcolor: t.bg,
      plot_bgcolor: t.bg,
      showlegend: false,
      xaxis: Object.assign({ title: { text: "epoch" }, anchor: "y2", rangemode: "tozero" }, axis),
      yaxis: Object.assign(
        { title: { text: args.loss_name || "loss" }, domain: [0.56, 1], rangemode: "tozero" },
        axis,
      ),
      yaxis2: Object.assign(
        {
          title: { text: args.score_name || "accuracy" },
          domain: [0, 0.44],
          range: args.score_range || [0, 1.02],
          tickformat: scorePercent(args) ? ".0%" : "",
        },
        axis,
      ),
    };
  }

  function drawLegend(args) {
    const s = style(args.lecture);
    const key = (split) =>
      '<span style="margin-right:1.2em;white-space:nowrap">' +
      '<svg width="28" height="10" style="vertical-align:middle">' +
      '<line x1="0" y1="5" x2="28" y2="5" stroke="' +
      CURVE_COLORS[split] +
      '" stroke-width="' +
      s.line +
      '"' +
      (split === "test" ? ' stroke-dasharray="2,3"' : "") +
      "/></svg> " +
      split +
      "</span>";
    legendDiv.style.fontSize = s.font + "px";
    legendDiv.style.color = state.theme.text;
    const pins = (args.pins || []).map((pin, i) =>
      '<span class="pin" style="margin-right:1.2em;white-space:nowrap">' +
      '<svg width="28" height="10" style="vertical-align:middle"><line x1="0" y1="5" x2="28" ' +
      'y2="5" stroke="' + PIN_COLORS[i % PIN_COLORS.length] + '" stroke-width="' + s.line +
      '" stroke-dasharray="6,4"/></svg> ' + escapeHtml(pin.label) + "</span>");
    legendDiv.innerHTML = key("train") + key("test") + pins.join("");
  }

  // The [x, y] of each curve trace: what the figure shows now, or built from rows.
  function currentSeries() {
    return (curvesDiv.data || []).map((trace) => [trace.x || [], trace.y || []]);
  }

  function seriesFromRows(rows) {
    const epochs = rows.map((r) => r[0]);
    return CURVES.map((c) => [epochs.slice(), rows.map((r) => r[c.column])]);
  }

  // Draw the curves anew (style change, Reset, full history) with `series`.
  function rebuildCurves(args, series) {
    drawLegend(args);
    const traces = curveTraces(args);
    if (series) {
      traces.forEach((trace, i) => {
        if (i < CURVES.length && series[i]) {
          trace.x = series[i][0];
          trace.y = series[i][1];
        }
      });
    }
    Plotly.react(curvesDiv, [...traces, ...pinTraces(args)], curveLayout(args), CURVE_CONFIG);
  }

  // A line on the curves at the epoch a timeline shows (null: none).
  function markRewind(epoch) {
    if (epoch === state.rewindMark || !curvesDiv.data) return;
    state.rewindMark = epoch;
    const line = { type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1,
      line: { color: "#888888", width: 2, dash: "dot" } };
    Plotly.relayout(curvesDiv, { shapes: epoch === null ? [] : [line] });
  }

  function clearCurves() {
    state.lastEpoch = -Infinity;
    state.pendingRows = [];
    rebuildCurves(state.args, null);
  }

  // A full update (after a reload, or a gap): `rows` replace what the chart shows from
  // their first to their last epoch; rows the chart has beyond them (from frames newer
  // than the update) stay.
  function replaceCurves(rows) {
    flushRows();
    const fresh = [];
    let last = -Infinity;
    for (const r of rows || []) {
      if (r[0] > last) {
        fresh.push(r);
        last = r[0];
      }
    }
    if (!fresh.length) return;
    const first = fresh[0][0];
    const added = seriesFromRows(fresh);
    const series = currentSeries().map(([x, y], i) => {
      let keep = 0;
      while (keep < x.length && x[keep] < first) keep++;
      let after = keep;
      while (after < x.length && x[after] <= last) after++;
      return [
        x.slice(0, keep).concat(added[i][0], x.slice(after)),
        y.slice(0, keep).concat(added[i][1], y.slice(after)),
      ];
    });
    state.lastEpoch = Math.max(last, state.lastEpoch);
    rebuildCurves(state.args, series);
    stats.rows = series[0][0].length;
  }

  // Rows are [epoch, train_loss, test_loss, train_acc, test_acc]. Python resends
  // its last few rows on every tick, so rows this chart has are skipped, and a
  // batch that starts after the last row this chart has means rows went
  // missing: then it returns false (the rows are drawn all the same, and the
  // full update that follows fills the gap).
  function queueRows(rows) {
    rows = rows || [];
    const whole = !(rows.length && state.lastEpoch > -Infinity && rows[0][0] > state.lastEpoch);
    for (const r of rows) {
      if (r[0] > state.lastEpoch) {
        state.pendingRows.push(r);
        state.lastEpoch = r[0];
      }
    }
    if (state.pendingRows.length && !state.rowsScheduled && state.plotted) {
      state.rowsScheduled = true;
      // A redraw of the two curve plots costs 10-20 ms of main thread, the
      // boundary swap 1-2 ms: the curves move CURVE_HZ times a second at most, so
      // the boundary keeps its pace, and never while the tab is hidden (rAF).
      const wait = Math.max(0, state.lastFlush + 1000 / CURVE_HZ - performance.now());
      setTimeout(() => requestAnimationFrame(flushRows), wait);
    }
    return whole;
  }

  function flushRows() {
    state.rowsScheduled = false;
    state.lastFlush = performance.now();
    const rows = state.pendingRows;
    if (!rows.length) return;
    state.pendingRows = [];
    const t0 = performance.now();
    const epochs = rows.map((r) => r[0]);
    Plotly.extendTraces(
      curvesDiv,
      {
        x: CURVES.map(() => epochs.slice()),
        y: CURVES.map((c) => rows.map((r) => r[c.column])),
      },
      TRACE_INDICES,
    );
    stats.rows += rows.length;
    stats.curveMs += performance.now() - t0;
  }

  // ------------------------------------------------------------------- the image

  function base64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  // The picture as a URL for Plotly's layout image. Without a painter the bytes are a PNG.
  // With args.painter ({scripts, function, options}) they are whatever the page's painter
  // reads (the Playground: the network's weights): its scripts are loaded once, in order,
  // then window[function](bytes, options) returns the RGBA pixels ({width, height, data},
  // row 0 at the top), which a canvas encodes. So a frame can carry 258 numbers instead of
  // a picture, and the server only trains.
  const painter = { loaded: new Map(), canvas: null };

  function loadScript(src) {
    if (!painter.loaded.has(src)) {
      painter.loaded.set(
        src,
        new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = src;
          script.onload = resolve;
          script.onerror = () => {
            painter.loaded.delete(src); // a later picture tries again
            reject(new Error("could not load the painter " + src));
          };
          document.head.appendChild(script);
        }),
      );
    }
    return painter.loaded.get(src);
  }

  async function pictureURL(bytes, spec, step) {
    if (!spec) return "data:image/png;base64," + base64(bytes);
    for (const src of spec.scripts) await loadScript(src);
    const paint = window[spec.function];
    if (typeof paint !== "function") throw new Error("no painter function " + spec.function);
    const picture = paint(bytes, spec.options);
    const canvas = painter.canvas || (painter.canvas = document.createElement("canvas"));
    canvas.width = picture.width;
    canvas.height = picture.height;
    const pixels = new ImageData(picture.data, picture.width, picture.height);
    canvas.getContext("2d").putImageData(pixels, 0, 0);
    stats.painted += 1;
    window.livechartLastPainted = { step: step, bytes: bytes, rgba: picture.data, options: spec.options };
    return canvas.toDataURL("image/png");
  }

  // Take a picture of training step `step` unless the chart shows (or is decoding) one of
  // a newer step: a picture never replaces a newer one. One of the same step is taken
  // from a render only (`redrawn`): the page drew the same step again because something
  // else changed (a weight edited by hand, the colours, discretized output). True when taken.
  function offerImage(bytes, step, extent, redrawn) {
    if (step < state.shownStep || (step === state.shownStep && !redrawn)) return false;
    if (step === state.shownStep && state.newest && sameBytes(state.newest.bytes, bytes)) {
      return false; // Streamlit re-sent the last render: nothing new
    }
    state.shownStep = step;
    const painter = (state.args && state.args.painter) || null;
    state.newest = { bytes: bytes.slice(), extent: extent, step: step, painter: painter };
    if (preview.renders !== null) {
      previewPicture(state.newest); // Plotly is still loading: the preview shows it
      return true;
    }
    state.pendingImage = state.newest;
    applyImages();
    return true;
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  // Applies the newest image only; images that arrive while one is decoding
  // replace each other, so a slow browser skips frames instead of queueing them.
  async function applyImages() {
    if (state.applying) return;
    state.applying = true;
    try {
      while (state.pendingImage) {
        const job = state.pendingImage;
        state.pendingImage = null;
        let t0 = performance.now();
        let url;
        try {
          url = await pictureURL(job.bytes, job.painter, job.step);
          stats.imageMs += performance.now() - t0;
          const img = new Image();
          img.src = url;
          await img.decode(); // the old picture stays up until the new one is ready
        } catch (err) {
          console.warn("livechart: could not draw a boundary image", err);
          continue;
        }
        t0 = performance.now();
        state.imageURL = url;
        const update = { "images[0].source": url, "images[0].visible": true };
        const geometry = imageGeometry(job.extent);
        for (const k in geometry) update["images[0]." + k] = geometry[k];
        const done = Plotly.relayout(boundaryDiv, update);
        stats.imageMs += performance.now() - t0;
        await done;
        removePreview(); // Plotly's picture is up
        const frames = window.livechartFrames + 1;
        window.livechartFrames = frames;
        boundaryDiv.dataset.frame = String(frames);
        boundaryDiv.dataset.step = String(job.step);
        const log = window.livechartLastApply;
        log.push(performance.now());
        if (log.length > LOG_SIZE) log.splice(0, log.length - LOG_SIZE);
      }
    } finally {
      state.applying = false;
    }
  }

  // ------------------------------------------------------ frames while playing
  // While the page plays, the chart asks the server's frame route for each frame and
  // waits for the answer before it asks again, after the pause the server names: no
  // Streamlit rerun per frame, nothing queued or dropped (see server/frames.py). A frame:
  // 4 bytes (big-endian JSON length), the JSON header, then the PNG (none when the
  // picture did not change).

  const poll = {
    url: null,
    running: false,
    stopped: 0,
    urlSynced: 0,
    last: null,
    missing: 0, // "unknown page" answers in a row
    missingSince: null, // when the first of them came
    reported: 0, // when the epoch was last reported to Python
    sinceReport: 0, // frames applied since then
    reloading: false,
  };

  function startPolling(url) {
    poll.url = url;
    if (!poll.running) {
      poll.running = true;
      pollLoop();
    }
  }

  function stopPolling() {
    poll.url = null;
  }

  async function pollLoop() {
    while (poll.url) {
      const url = poll.url;
      const started = performance.now();
      let wait = 500; // the server is away or does not know the page: try again shortly
      try {
        const have = state.lastEpoch > 0 ? state.lastEpoch : 0;
        const steps = state.shownStep > -Infinity ? state.shownStep : -1;
        const response = await fetch(url + "?epoch=" + have + "&steps=" + steps, {
          cache: "no-store",
          credentials: "same-origin",
        });
        if (response.status === 404) {
          // This server does not know the page: the replica it played on went away and a
          // balancer sent us to another. The page reloads from its link, which carries the
          // epoch reached and the playing state (args.link_epoch, args.link_playing), so
          // the page it reloads can carry on from there. Not at once: Streamlit reconnects
          // by itself within a second or two, and its new session's render brings a new
          // frames_url (and a replay of the run, which the chart continues: no reload, no
          // epoch drawn again); the reload is for when it does not.
          poll.missing += 1;
          poll.missingSince = poll.missingSince ?? performance.now();
          const given = performance.now() - poll.missingSince >= RELOAD_AFTER_MS;
          if (poll.missing >= 3 && given && !poll.reloading) {
            poll.reloading = true;
            syncParentUrl({ epoch: state.epoch ?? 0, status: "training" }, true);
            window.parent.location.reload();
          }
        } else if (response.ok) {
          poll.missing = 0;
          poll.missingSince = null;
          const buffer = await response.arrayBuffer();
          const size = new DataView(buffer).getUint32(0);
          const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, size)));
          wait = header.next_ms ?? 50;
          // "busy" (the page's script holds the run) and "early" (asked before the pause
          // the server named; the server enforces it) carry nothing: ask again after next_ms.
          if (header.early) stats.early += 1;
          else if (!header.busy && poll.url === url) {
            applyFrame(header, new Uint8Array(buffer, 4 + size));
          }
        }
      } catch (err) {
        console.debug("livechart: frame request failed", err);
      }
      // The pause counts from the request's start: the server's answer time is part of it.
      const left = Math.max(0, wait - (performance.now() - started));
      await new Promise((resolve) => setTimeout(resolve, left));
    }
    poll.running = false;
  }

  function applyFrame(header, png) {
    if (String(header.run_id) !== String(state.runId)) return; // from before a Reset
    stats.framesFetched += 1;
    if (png.length) {
      offerImage(png, header.steps, state.args.extent);
      shareFrame(header, png);
    }
    queueRows(header.rows);
    // A render newer than this frame may have come meanwhile: the status never goes back.
    if (header.epoch >= (state.epoch ?? -Infinity)) {
      state.epoch = header.epoch;
      stats.epoch = header.epoch;
      if (header.rows.length) poll.last = header.rows.slice(-2);
      showStatus(header);
    }
    if (header.epoch >= (state.epoch ?? -Infinity)) syncParentUrl(header);
    // Every REPORT_FRAMES frames (a second at full pace), tell Python the epoch: the page
    // then writes it into the link through Streamlit, whose copy of the query string is the
    // one a reconnect uses. Counted in frames, not seconds: each report is a fragment rerun,
    // and a hundred pages reporting every second starved a server (nobody got frames,
    // new pages never loaded); by frames, reports slow down with the pace the server names.
    poll.sinceReport += 1;
    const now = performance.now();
    if (
      header.status === "training" &&
      poll.sinceReport >= REPORT_FRAMES &&
      now - poll.reported > 1000
    ) {
      poll.reported = now;
      poll.sinceReport = 0;
      report();
    }
    if (header.status !== "training") {
      stopPolling();
      poll.stopped += 1;
      report(); // the page reruns: it shows why training stopped and relabels Play
    }
  }

  // Other frames of the same page may follow the chart's frames instead of asking the
  // server themselves: each frame's picture bytes go to them as {type: "livechart:frame",
  // run_id, steps, epoch, painted: true when the bytes are the painter's input (not a PNG),
  // bytes: an ArrayBuffer}. (The Playground's network view draws its neurons from the
  // weights a painted frame carries: the diagram moves at the rate of the boundary.)
  function shareFrame(header, bytes) {
    if (window.parent === window) return;
    const message = {
      type: "livechart:frame",
      run_id: header.run_id,
      steps: header.steps,
      epoch: header.epoch,
      painted: Boolean(state.args && state.args.painter),
      bytes: bytes.slice().buffer,
    };
    for (let i = 0; i < window.parent.frames.length; i++) {
      const frame = window.parent.frames[i];
      if (frame !== window) frame.postMessage(message, window.location.origin);
    }
  }

  function lastRows(rows) {
    const fresh = rows.filter((r) => r && r.length);
    return fresh.slice(-2);
  }

  function metricText(value, percent) {
    if (value === null || value === undefined) return "–";
    return percent ? (100 * value).toFixed(1) + "%" : value.toFixed(3);
  }

  // "Epoch N", and the latest losses and accuracies with their change since the
  // epoch before, while the page plays (Streamlit's own metrics return on Pause).
  function showStatus(header) {
    const rows = poll.last || [];
    const now = rows[rows.length - 1];
    const before = rows.length > 1 ? rows[0] : null;
    // Part of an epoch (a few minibatches a frame): the epoch with its fraction, 3.25.
    const p = header.progress;
    const epoch = typeof p === "number" && !Number.isInteger(p) ? p.toFixed(2) : header.epoch;
    const parts = [`<span class="headline"><strong>Epoch ${epoch}</strong> · ${header.status}</span>`];
    const args = state.args || {};
    const loss = args.loss_name || "loss";
    const score = args.score_name || "accuracy";
    const names = ["train " + loss, "test " + loss, "train " + score, "test " + score];
    names.forEach((name, i) => {
      if (!now) return;
      const value = now[i + 1];
      const percent = i >= 2 && scorePercent(args);
      let delta = "";
      if (before && value !== null && before[i + 1] !== null) {
        const d = value - before[i + 1];
        const text = percent ? (100 * d).toFixed(1) + "%" : d.toFixed(3);
        const zero = Number(text.replace("%", "")) === 0; // no change at the shown precision
        const good = i >= 2 ? d >= 0 : d <= 0; // a score rises, a loss falls
        const kind = zero ? "same" : good ? "up" : "down";
        delta = ` <span class="${kind}">${zero ? "±" : d > 0 ? "+" : ""}${zero ? text.replace("-", "") : text}</span>`;
      }
      parts.push(
        `<span class="metric">${name}<span class="value"><b>${metricText(value, percent)}</b>${delta}</span></span>`,
      );
    });
    statusDiv.innerHTML = parts.join("");
  }

  // The page's link can carry the epoch reached and whether it plays (the query parameters
  // named by args.link_epoch and args.link_playing; none when they are not given), so that a
  // page that reconnects to another server can replay to it.
  function syncParentUrl(header, force = false) {
    const epochName = state.args && state.args.link_epoch;
    const playName = state.args && state.args.link_playing;
    if (!epochName && !playName) return;
    const now = performance.now();
    if (!force && now - poll.urlSynced < 1000 && header.status === "training") return;
    poll.urlSynced = now;
    try {
      const url = new URL(window.parent.location.href);
      if (epochName) url.searchParams.set(epochName, String(header.epoch));
      if (playName && header.status === "training") url.searchParams.set(playName, "1");
      else if (playName) url.searchParams.delete(playName);
      window.parent.history.replaceState(window.parent.history.state, "", url.toString());
    } catch (err) {
      console.debug("livechart: cannot update the page's link", err);
    }
  }

  // --------------------------------------------------------------- before Plotly
  // plotly.min.js is 4.8 MB: compiling it takes a second or more on these machines,
  // longer than the rest of the page. So this script tells Streamlit it is ready at
  // once and loads Plotly beside it. Until Plotly is there, each render is kept and
  // the newest picture is drawn as a preview: the boundary image and the points, where
  // the Plotly chart will put them (no axes, no zoom yet). Plotly then replays the
  // kept renders in order, and the preview goes when Plotly's first picture is up.

  const preview = { renders: [], div: null, points: null, failed: false, step: -Infinity };

  function loadPlotly() {
    const script = document.createElement("script");
    script.src = "plotly.min.js";
    script.onload = () => {
      const renders = preview.renders;
      preview.renders = null;
      renders.forEach(render);
      // Frames fetched meanwhile may hold a newer picture than any render: Plotly gets it.
      if (state.plotted && state.newest && state.newest !== state.pendingImage) {
        state.pendingImage = state.newest;
        applyImages();
      }
    };
    script.onerror = () => {
      preview.failed = true;
      statusDiv.hidden = false;
      statusDiv.textContent = "The chart could not load its plotting library: reload the page.";
      updateFrameHeight();
    };
    document.head.appendChild(script);
  }

  // The plot area Plotly will use (boundaryLayout: these margins, equal x and y
  // scales with constrain "domain", so the axes shrink to fit and stay centred).
  function plotArea(args) {
    const s = style(args.lecture);
    const [xmin, xmax, ymin, ymax] = args.extent;
    const margin = { l: 40, r: 10, t: 8 + 2 * s.font, b: 30 };
    const width = boundaryDiv.clientWidth - margin.l - margin.r;
    const height = args.height - margin.t - margin.b;
    const scale = Math.min(width / (xmax - xmin), height / (ymax - ymin));
    const w = scale * (xmax - xmin);
    const h = scale * (ymax - ymin);
    return { left: margin.l + (width - w) / 2, top: margin.t + (height - h) / 2, w, h, scale };
  }

  // Before Plotly, a render also does what needs no Plotly: it takes the run, its curve
  // rows (drawn once Plotly is there) and the playing state, so that a Play pressed now
  // plays now (frames show in the preview) rather than once Plotly has loaded, which
  // took 3-8 s on a busy machine and longer under load.
  // A new run_id starts the chart again, unless the new run replays the one it shows: after
  // a reconnect to another server (args.replayed), the same lineage (settings and recorded
  // changes) is the same run, rebuilt from the link up to the last epoch the page reported.
  // The chart then keeps what it shows, and its frames ask from its own step, which the
  // server trains up to (server/frames.py): nothing shown is trained or drawn again.
  function startsAgain(args) {
    if (state.runId === null || args.run_id === state.runId) return false;
    const shown = state.args;
    if (args.replayed && args.lineage && shown && shown.lineage === args.lineage) {
      stats.continued += 1;
      return false;
    }
    return true;
  }

  function previewState(args) {
    if (startsAgain(args)) {
      state.pendingRows = [];
      state.lastEpoch = -Infinity;
      state.shownStep = -Infinity;
      state.newest = null;
      state.epoch = null;
    }
    state.args = args;
    state.runId = args.run_id;
    if (!(args.epoch < state.epoch)) state.epoch = args.epoch;
    queueRows(args.curves);
    if (args.frames_url && args.playing) startPolling(args.frames_url);
    else stopPolling();
  }

  // A newer picture in the preview (a frame's, before Plotly has loaded).
  function previewPicture(picture) {
    const img = preview.div && preview.div.querySelector("img");
    if (!img || picture.step < preview.step) return;
    preview.step = picture.step;
    previewImage(img, picture.bytes, picture.painter, picture.step, true);
  }

  // The preview's image: the newest picture asked for wins, whichever is drawn first.
  // `counted`: a frame's picture (drawPreview counts its own, with the points).
  function previewImage(img, bytes, spec, step, counted) {
    pictureURL(bytes, spec, step).then(
      (url) => {
        if (step < preview.step || !img.isConnected) return;
        img.src = url;
        if (counted) window.livechartPreviews = (window.livechartPreviews || 0) + 1;
      },
      (err) => console.warn("livechart: could not draw the preview", err),
    );
  }

  function drawPreview(data) {
    const args = data.args;
    if (args.points) preview.points = unpackPoints(args.points, args.points_n, valued(args));
    if (preview.failed) return;
    previewState(args);
    statusDiv.hidden = !args.status; // the status line as onRender shows it (paused)
    statusDiv.classList.toggle("lecture", Boolean(args.lecture));
    if (args.status && !(args.frames_url && args.playing)) {
      poll.last = (args.curves || []).slice(-2).length ? lastRows(args.curves) : poll.last;
      showStatus({ epoch: args.epoch, status: args.status, progress: args.progress });
    }
    const step = args.step ?? args.epoch;
    if (!args.image || step < preview.step) return; // never an older picture
    preview.step = step;
    let div = preview.div;
    if (!div) {
      div = preview.div = document.createElement("div");
      div.id = "preview";
      div.innerHTML = "<img alt='decision boundary' /><canvas></canvas>";
      boundaryDiv.appendChild(div);
    }
    boundaryDiv.style.minHeight = args.height + "px";
    div.style.height = args.height + "px";
    div.style.background = themeOf(data.theme).bg;
    const area = plotArea(args);
    const img = div.querySelector("img");
    previewImage(img, args.image.slice(), args.painter || null, step);
    Object.assign(img.style, {
      left: area.left + "px",
      top: area.top + "px",
      width: area.w + "px",
      height: area.h + "px",
    });
    const canvas = div.querySelector("canvas");
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(boundaryDiv.clientWidth * ratio);
    canvas.height = Math.round(args.height * ratio);
    canvas.style.width = boundaryDiv.clientWidth + "px";
    canvas.style.height = args.height + "px";
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    const s = style(args.lecture);
    const [xmin, , , ymax] = args.extent;
    const colors = args.colors;
    const dot = (part, filled) => {
      for (let i = 0; i < part.x.length; i++) {
        const color = args.color_scale
          ? scaleColor(part.c[i], args.color_scale)
          : colors[part.c[i] % colors.length];
        ctx.beginPath();
        ctx.arc(
          area.left + (part.x[i] - xmin) * area.scale,
          area.top + (ymax - part.y[i]) * area.scale,
          s.marker / 2,
          0,
          2 * Math.PI,
        );
        ctx.fillStyle = filled ? color : "white";
        ctx.strokeStyle = filled ? "white" : color;
        ctx.lineWidth = filled ? s.outline / 2 : s.outline;
        ctx.fill();
        ctx.stroke();
      }
    };
    const p = preview.points;
    if (p) {
      dot(p.train, true);
      if (args.show_test) dot(p.test, false);
    }
    window.livechartPreviews = (window.livechartPreviews || 0) + 1;
  }

  // A value's colour on a scale {colorscale: [[0, "#rrggbb"], ...], cmin, cmax}, blended
  // between its stops as Plotly blends them (linearly in RGB), clipped at the ends.
  function scaleColor(value, scale) {
    const t = Math.min(1, Math.max(0, (value - scale.cmin) / (scale.cmax - scale.cmin)));
    const stops = scale.colorscale;
    let i = 1;
    while (i < stops.length - 1 && stops[i][0] < t) i++;
    const [t0, c0] = stops[i - 1];
    const [t1, c1] = stops[i];
    const w = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
    const rgb = (c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));
    const [a, b] = [rgb(c0), rgb(c1)];
    return "rgb(" + a.map((v, k) => Math.round(v + w * (b[k] - v))).join(",") + ")";
  }

  function removePreview() {
    if (preview.div) {
      preview.div.remove();
      preview.div = null;
      boundaryDiv.style.minHeight = "";
    }
  }

  // ---------------------------------------------------------------------- render

  const MAIN_CONFIG = {
    displaylogo: false,
    responsive: true,
    doubleClick: "reset",
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  };
  const CURVE_CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };

  function onRender(data) {
    const args = data.args;
    stats.renders += 1;
    const fresh = startsAgain(args);
    state.args = args;
    const theme = themeOf(data.theme);

    let pointsChanged = false;
    if (args.points && args.points_rev !== state.pointsRev) {
      state.points = unpackPoints(args.points, args.points_n, valued(args));
      state.pointsRev = args.points_rev;
      stats.pointsRev = state.pointsRev;
      pointsChanged = true;
    }

    const extentKey = args.extent.join(",");
    const styleKey = [
      args.lecture, args.show_test, args.height, args.colors.join(), theme.key,
      JSON.stringify(args.color_scale || null), args.value_name,
    ].join("|");
    const curveKey = [
      args.lecture, args.height, theme.key, args.loss_name, args.score_name,
      args.score_percent, (args.score_range || []).join(),
      JSON.stringify((args.pins || []).map((p) => [p.label, p.rows.length])),
    ].join("|");
    const layoutChanged =
      !state.plotted || extentKey !== state.extentKey || styleKey !== state.styleKey;
    state.extentKey = extentKey;
    state.styleKey = styleKey;
    state.theme = theme;

    if (!state.plotted) {
      Plotly.newPlot(boundaryDiv, pointTraces(args), boundaryLayout(args), MAIN_CONFIG);
      rebuildCurves(args, null);
      state.curveKey = curveKey;
      state.plotted = true;
      flushRows(); // rows that frames brought before Plotly was there
    } else {
      if (pointsChanged || layoutChanged) {
        Plotly.react(boundaryDiv, pointTraces(args), boundaryLayout(args), MAIN_CONFIG);
      }
      if (curveKey !== state.curveKey) {
        flushRows();
        rebuildCurves(args, currentSeries());
        state.curveKey = curveKey;
      }
    }

    // Reset: a new run. (Not an older epoch: a render re-sent by Streamlit is older than
    // the frames fetched since, and that is no reason to start again.)
    if (fresh) {
      clearCurves();
      state.shownStep = -Infinity;
      state.newest = null;
      state.epoch = null;
    }
    state.runId = args.run_id;
    // A timeline (args.rewind): the picture of a past epoch, or the newest again after one,
    // is taken whatever step the chart showed.
    const rewound = args.rewind !== null && args.rewind !== undefined;
    if (rewound || state.rewound) state.shownStep = -Infinity;
    state.rewound = rewound;
    markRewind(rewound ? args.rewind : null);
    const step = args.step ?? args.epoch;
    const stale = step < state.shownStep; // older than the picture shown: keep what is shown
    if (stale) stats.stale += 1;
    if (!(args.epoch < state.epoch)) state.epoch = args.epoch;
    stats.epoch = state.epoch;
    // Rows are keyed by epoch and only added: an older render can fill a gap, never undo.
    if (args.curves_full) {
      stats.resyncs += 1;
      replaceCurves(args.curves); // everything Python has: a full update
    } else if (!queueRows(args.curves)) {
      state.synced = false; // rows are missing: ask for everything
    }

    if (args.image) {
      stats.imagesReceived += 1;
      state.imageId = args.image_id;
      offerImage(args.image, step, args.extent, true);
    } else if (args.image_id !== state.imageId && !args.curves_full) {
      state.synced = false; // an image never reached us (a skipped render)
    }
    if (args.curves_full) state.synced = true;

    const framesMode = Boolean(args.frames_url && args.playing);
    if (framesMode) startPolling(args.frames_url);
    else stopPolling();
    // With a status (the app's frame mode) the chart shows the epoch and the metrics,
    // playing or paused, so nothing on the page moves when Play is pressed.
    statusDiv.hidden = !args.status;
    statusDiv.classList.toggle("lecture", Boolean(args.lecture));
    if (args.status && rewound) {
      poll.last = args.rewind_rows || [];
      showStatus({ epoch: args.rewind, status: args.status, progress: args.rewind });
    } else if (args.status && !framesMode && !stale) {
      poll.last = (args.curves || []).slice(-2).length ? lastRows(args.curves) : poll.last;
      showStatus({ epoch: args.epoch, status: args.status, progress: args.progress });
    }

    const reportKey = state.pointsRev + "|" + state.synced;
    if (reportKey !== state.reportKey) {
      state.reportKey = reportKey;
      report();
    }
    updateFrameHeight();
  }

  function layoutForWidth() {
    root.classList.toggle("narrow", window.innerWidth < 560);
  }

  function render(data) {
    const t0 = performance.now();
    try {
      onRender(data);
    } catch (err) {
      console.error("livechart: render failed", err);
    }
    stats.renderMs += performance.now() - t0;
  }

  // ------------------------------------------------------------------ overlay
  // Another frame of the same page may show a picture over the plane for a while, in place
  // of the boundary and under the points: {type: "livechart:overlay", source: an image URL
  // or null to take it away, label: a line of text, extent: [xmin, xmax, ymin, ymax]}
  // (the Playground's network view does, for the neuron under the mouse, as TensorFlow
  // Playground does). The boundary goes on updating beneath it.
  const overlayLabel = document.getElementById("overlay-label");

  function showOverlay(message) {
    const source = message.source || null;
    overlayLabel.hidden = !source;
    overlayLabel.textContent = source ? message.label || "" : "";
    boundaryDiv.dataset.overlay = source ? "1" : "";
    if (!state.plotted || !state.args) return;
    const extent = message.extent || state.args.extent;
    const image = source
      ? Object.assign(
          { source, xref: "x", yref: "y", sizing: "stretch", layer: "below", visible: true },
          imageGeometry(extent),
        )
      : null;
    Plotly.relayout(boundaryDiv, { "images[1]": image });
  }

  window.addEventListener("message", (event) => {
    if (event.data && event.data.type === "livechart:overlay") {
      if (event.origin === window.location.origin) showOverlay(event.data);
      return;
    }
    if (event.data && event.data.type === "streamlit:render") {
      if (preview.renders === null) {
        render(event.data);
        return;
      }
      preview.renders.push(event.data); // Plotly is still loading
      try {
        drawPreview(event.data);
      } catch (err) {
        console.error("livechart: preview failed", err);
      }
      updateFrameHeight();
    }
  });
  window.addEventListener("resize", layoutForWidth);
  new ResizeObserver(updateFrameHeight).observe(document.body);
  layoutForWidth();
  loadPlotly();
  send("streamlit:componentReady", { apiVersion: 1 });
})();
