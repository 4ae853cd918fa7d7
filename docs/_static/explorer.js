/* rnnshapes explorer: fills div[data-rnnx] (docs/_ext/explorer.py); tests/browser proves it */
(() => {
"use strict";
const DEF = {kind: "LSTM", input: "4", hidden: "5", layers: "2", bi: false, bf: false, proj: "",
  bias: true, dropout: "0", L: "7", N: "3", unbatched: false, lengths: "", sorted: true, seq: "0"};
const BOOLS = ["bi", "bf", "bias", "unbatched", "sorted"];
const KINDS = {RNN_TANH: "nn.RNN (tanh)", RNN_RELU: "nn.RNN (relu)", LSTM: "nn.LSTM", GRU: "nn.GRU"};
const FULL = 12; // steps drawn in full; past that, summarised
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);
const tup = (a) => "(" + a.join(", ") + (a.length === 1 ? ",)" : ")");

// -- the configuration, refused as torch does
function readInt(v, name, errs, lo = -1e5, hi = 1e5) {
  const s = String(v).trim();
  if (!/^[+-]?\d+$/.test(s)) { errs.push(`${name} must be a whole number, got "${s}"`); return NaN; }
  const n = parseInt(s, 10);
  if (n < lo || n > hi) errs.push(`the explorer takes ${name} from ${lo} to ${hi}, got ${n}`);
  return n;
}

function model(st, data) {
  const errs = [];
  const kind = st.kind in KINDS ? st.kind : (errs.push(`unknown kind "${st.kind}"`), "LSTM");
  const base = kind.startsWith("RNN") ? "RNN" : kind;
  const lstm = base === "LSTM";
  const I = readInt(st.input, "input_size", errs);
  const H = readInt(st.hidden, "hidden_size", errs);
  const layers = readInt(st.layers, "num_layers", errs);
  const projGiven = String(st.proj).trim() !== "";
  const P = projGiven ? readInt(st.proj, "proj_size", errs) : 0;
  const dropS = String(st.dropout).trim();
  const drop = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(dropS) ? Number(dropS) : NaN;
  if (Number.isNaN(drop)) errs.push(`dropout must be a number, got "${dropS}"`);
  const L = readInt(st.L, "seq_len", errs, 0);
  const unbatched = st.unbatched;
  const lenS = unbatched ? "" : String(st.lengths).replace(/^\s*\[|\]\s*$/g, "").trim();
  let lengths = null;
  if (lenS) {
    const parts = lenS.split(/\s*[,\s]\s*/);
    lengths = parts.map((p) => readInt(p, "each length", errs));
    if (lengths.length > 1000) errs.push("the explorer takes at most 1000 lengths");
  }
  const N = unbatched ? 1 : lengths ? lengths.length : readInt(st.N, "batch", errs, 1);
  const seq = unbatched ? 0 : Math.min(readInt(st.seq, "the sequence shown", errs, 0), N - 1);
  const m = {kind, base, lstm, I, H, layers, P, projGiven, drop, L, N, unbatched, lengths, seq, D: st.bi ? 2 : 1, Ho: P > 0 ? P : H,
    bi: st.bi, bf: st.bf, bias: st.bias, sorted: st.sorted, packed: !!lengths, errors: errs};
  if (errs.length) return m;
  m.refusal = refusal(m, data);
  if (!m.refusal && layers > 6) errs.push(`the explorer draws 1 to 6 layers, got ${layers}`);
  return m;
}

function refusal(m, data) { // the first check torch fails, in torch's own order
  const R = data.refusals, at = (k) => ({key: k, ...R[k]});
  if (m.base !== "LSTM" && m.projGiven) return at("proj_not_lstm");
  if (!(m.drop >= 0 && m.drop <= 1)) return at("dropout_range");
  if (m.I <= 0) return at("input_size");
  if (m.H <= 0) return at("hidden_size");
  if (m.layers <= 0) return at("num_layers");
  if (m.P < 0) return at("proj_negative");
  if (m.P >= m.H) return at("proj_too_big");
  if (m.lengths) {
    const ls = m.lengths, sorted = ls.every((v, i) => i === 0 || ls[i - 1] >= v);
    if (m.sorted && !sorted) return at("lengths_unsorted");
    if (Math.min(...ls) <= 0) return at("lengths_zero");
    if (Math.max(...ls) > m.L) return {...at("lengths_too_long"), tooLong: Math.max(...ls)};
  } else if (m.L === 0) return at("seq_len_zero");
  return null;
}

// -- what the module returns: shapes as rnnshapes.shapes prints them
function shapes(m) {
  const {D, Ho} = m, hName = m.P > 0 ? "proj_size" : "hidden_size";
  const len = [m.L, "seq_len=" + m.L], n = [m.N, "batch=" + m.N];
  const rows = [m.layers * D, `num_layers*num_directions=${m.layers}*${D}`];
  const feat = [D * Ho, `num_directions*${hName}=${D}*${Ho}`];
  const seqOf = (last, l = len) => (m.unbatched ? [l, last] : m.bf ? [n, l, last] : [l, n, last]);
  const state = (last) => (m.unbatched ? [rows, last] : [rows, n, last]);
  const out = [];
  const row = (name, dims, note) => out.push({name, shape: tup(dims.map((d) => d[0])),
    dims: dims.map((d) => d[1]).join(", "), note});
  row("input", seqOf([m.I, "input_size=" + m.I]), m.packed ? "x, padded, before packing" : "");
  if (m.packed) {
    const T = Math.max(...m.lengths);
    const S = m.lengths.reduce((a, b) => a + b, 0);
    out.push({name: "output", shape: "PackedSequence", dims: `data ${tup([S, D * Ho])}: sum(lengths)=${S}, ${feat[1]}`,
      note: "packed, like its input"});
    row("padded", seqOf(feat, [T, "max(lengths)=" + T]), padded(m));
  } else row("output", seqOf(feat));
  const h = state([Ho, `${hName}=${Ho}`]), c = state([m.H, "hidden_size=" + m.H]);
  row("h_n", h);
  if (m.lstm) row("c_n", c);
  row("h0", h, "the initial state to pass: shaped like h_n");
  if (m.lstm) row("c0", c, "shaped like c_n");
  return out;
}
const padded = (m) => `pad_packed_sequence(output${m.bf ? ", batch_first=True" : ""})[0]`;

// -- the grid: one cell per layer, direction and step, of one sequence
function columns(m, len) {
  if (m.L <= FULL) return [...Array(m.L).keys()];
  const keep = new Set([0, 1, 2, m.L - 3, m.L - 2, m.L - 1, len - 2, len - 1, len].filter((t) => t >= 0 && t < m.L));
  const cols = [], ts = [...keep].sort((a, b) => a - b);
  ts.forEach((t, i) => { if (i && t > ts[i - 1] + 1) cols.push([ts[i - 1] + 1, t - 1]); cols.push(t); });
  return cols;
}

function cell(m, l, d, t, len) {
  const {D, Ho} = m, b = m.seq, k = l * D + d;
  const top = l === m.layers - 1, end = d ? 0 : len - 1;
  const bi = m.unbatched ? "" : `, ${b}`;
  const c = {l, d, t, k, u: `u.h[${l}, ${d}, ${t}${bi}]`, uc: m.lstm ? `u.c[${l}, ${d}, ${t}${bi}]` : "",
    out: "", hn: "", cn: "", role: "never"};
  const where = `layer ${l} ${d ? "backward" : "forward"}, step ${t}` + (m.unbatched ? "" : `, sequence ${b}`);
  if (t >= len) {
    c.role = "padding";
    const T = Math.max(...m.lengths);
    c.label = `${where}: padding, past this sequence's length ${len}: never computed; ` + (t < T ? `${c.u} holds zeros`
      : `past max(lengths) = ${T}, so not in the unrolled grid either (u.h has ${T} steps)`);
    if (t >= T) c.u = c.uc = "";
    return c;
  }
  if (top) {
    const half = D === 2 ? `, ${d * Ho}:${(d + 1) * Ho}` : "";
    const ix = m.unbatched ? `[${t}${half}]` : m.bf ? `[${b}, ${t}${half}]` : `[${t}, ${b}${half}]`;
    c.out = (m.packed ? padded(m) : "output") + ix;
  }
  if (t === end) {
    c.hn = `h_n[${k}${bi}]`;
    if (m.lstm) c.cn = `c_n[${k}${bi}]`;
  }
  c.role = c.out ? (c.hn ? "output h_n" : "output") : c.hn ? "h_n" : "never";
  const says = [];
  if (c.out) says.push(`in output: ${c.out}`);
  if (c.hn) says.push(`final step, ${c.out ? "also" : "only"} in h_n: ${c.hn}` + (c.cn ? `, and c_n: ${c.cn}` : ""));
  if (!says.length) says.push("never returned");
  says.push(`unrolled: ${c.u}` + (c.uc ? `, cell ${c.uc}` : ""));
  c.label = `${where}: ${says.join("; ")}`;
  return c;
}

function grid(m) {
  const {D, Ho} = m;
  const len = m.packed ? m.lengths[m.seq] : m.L;
  const cols = columns(m, len), rows = [];
  for (let l = m.layers - 1; l >= 0; l--) {
    for (let d = 0; d < D; d++) {
      const name = `layer ${l}` + (D === 2 ? (d ? " backward" : " forward") : "");
      const sub = l === m.layers - 1 ? "output" + (D === 2 ? `[..., ${d * Ho}:${(d + 1) * Ho}]` : "") + ", h_n" : "h_n only";
      rows.push({name, sub, l, d, cells: cols.map((t) => (Array.isArray(t) ? {gap: t} : cell(m, l, d, t, len)))});
    }
  }
  return {cols, rows, len};
}

// -- the classifier feature, and the line readers write instead
function feature(m) {
  const {D, Ho} = m, T = m.packed ? Math.max(...m.lengths) : m.L;
  const right = D === 2 ? "torch.cat([h_n[-2], h_n[-1]], dim=-1)" : "h_n[-1]";
  const out = m.packed ? padded(m) : "output";
  const wrong = out + (m.bf && !m.unbatched ? "[:, -1]" : "[-1]");
  const shorter = m.packed && Math.min(...m.lengths) < T;
  const isWrong = (D === 2 && T > 1) || shorter;
  const why = [];
  if (D === 2 && T > 1) why.push("the backward direction ends at step 0, and the last step holds its first");
  if (shorter) why.push(`a sequence shorter than max(lengths) = ${T} is padding (zeros) at the last step`);
  const ok = D === 2 ? `one step: the backward direction's final step is the last step too`
    : m.packed ? "every sequence is max(lengths) long, and the module has one direction"
      : "a one-direction module fed full-length sequences ends at the last step";
  const shape = m.unbatched ? `(D*H_out,) = (${D * Ho},)` : `(N, D*H_out) = (${m.N}, ${D * Ho})`;
  return {right, wrong, isWrong, why: isWrong ? why.join("; ") : ok, shape};
}

function code(m) {
  const kw = [];
  if (m.layers !== 1) kw.push(`num_layers=${m.layers}`);
  if (m.kind === "RNN_RELU") kw.push("nonlinearity='relu'");
  if (!m.bias) kw.push("bias=False");
  if (m.bf) kw.push("batch_first=True");
  if (m.drop) kw.push(`dropout=${m.drop}`);
  if (m.bi) kw.push("bidirectional=True");
  if (m.projGiven) kw.push(`proj_size=${m.P}`);
  return `nn.${m.base}(${[m.I, m.H, ...kw].join(", ")})`;
}

// -- a pasted constructor line, read as Python would
const ARGS = ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"];
const POS = {RNN: [...ARGS.slice(0, 3), "nonlinearity", ...ARGS.slice(3)], LSTM: [...ARGS, "proj_size"], GRU: ARGS};
const KEYS = {input_size: "input", hidden_size: "hidden", num_layers: "layers", bias: "bias", batch_first: "bf",
  dropout: "dropout", bidirectional: "bi", proj_size: "proj"};

function parseLine(src) {
  let s = src.trim().replace(/^[A-Za-z_][\w.]*\s*=(?!=)\s*/, "");
  const head = /^(?:(?:torch\s*\.\s*)?nn\s*\.\s*)?(RNN|LSTM|GRU)\s*\(/.exec(s);
  if (!head) return {error: "expected nn.RNN(...), nn.LSTM(...) or nn.GRU(...), with or without torch. in front"};
  const base = head[1];
  s = s.slice(head[0].length);
  const tok = /^\s*(?:([A-Za-z_]\w*)\s*=(?!=)\s*)?('[^'\\\n]*'|"[^"\\\n]*"|[+-]?(?:\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|True|False)\s*([,)])/;
  const args = [], kws = {};
  let closed = false;
  while (!closed) {
    if (/^\s*\)/.test(s)) { s = s.replace(/^\s*\)/, ""); break; }
    const t = tok.exec(s);
    if (!t) return {error: `cannot read the arguments from "${s.trim().slice(0, 40)}": the explorer reads numbers, True/False and 'tanh'/'relu'`};
    s = s.slice(t[0].length);
    closed = t[3] === ")";
    const v = t[2];
    if (t[1]) {
      if (t[1] in kws) return {error: `keyword argument repeated: ${t[1]}`};
      kws[t[1]] = v;
    } else if (Object.keys(kws).length) return {error: "a positional argument after a keyword one (Python refuses this)"};
    else args.push(v);
  }
  if (!/^\s*(#.*)?$/.test(s)) return {error: `unexpected text after the call: "${s.trim().slice(0, 40)}"`};
  const names = POS[base];
  if (args.length > names.length) return {error: `nn.${base} takes at most ${names.length} positional arguments here (${names.join(", ")})`};
  const got = {};
  args.forEach((v, i) => { got[names[i]] = v; });
  for (const [k, v] of Object.entries(kws)) {
    if (k in got) return {error: `${k} is given twice (positionally and by keyword)`};
    if (!(k in KEYS) && !(k === "nonlinearity" && base === "RNN")) {
      return {error: k === "device" || k === "dtype" ? `${k} does not change shapes: remove it`
        : k === "nonlinearity" ? `nn.${base} takes no nonlinearity (only nn.RNN does)` : `nn.${base} has no argument ${k}`};
    }
    got[k] = v;
  }
  if (!("input_size" in got && "hidden_size" in got)) return {error: "input_size and hidden_size are both needed"};
  const st = {kind: base, layers: "1", bi: false, bf: false, proj: "", bias: true, dropout: "0"};
  for (const [k, v] of Object.entries(got)) {
    const isBool = v === "True" || v === "False", isStr = /^['"]/.test(v), isInt = /^[+-]?(0(_?0)*|[1-9](_?\d)*)$/.test(v);
    if (k === "nonlinearity") {
      const nl = isStr ? v.slice(1, -1) : null;
      if (nl !== "tanh" && nl !== "relu") return {error: "nonlinearity must be 'tanh' or 'relu'"};
      st.kind = nl === "relu" ? "RNN_RELU" : "RNN_TANH";
    } else if (["bias", "batch_first", "bidirectional"].includes(k)) {
      if (!isBool) return {error: `${k} must be True or False, got ${v}`};
      st[KEYS[k]] = v === "True";
    } else if (k === "dropout") {
      if (isBool || isStr || /_/.test(v) || (/^[+-]?\d+$/.test(v) && !isInt)) return {error: `dropout must be a number, got ${v}`};
      st.dropout = String(Number(v));
    } else {
      if (!isInt) return {error: `${k} must be a whole number, got ${v}`};
      if (v.replace(/\D/g, "").length > 7) return {error: `${k} is too large for the explorer`};
      st[KEYS[k]] = String(parseInt(v.replace(/_/g, ""), 10));
    }
  }
  if (st.kind === "RNN") st.kind = "RNN_TANH";
  return {st};
}

// -- the URL fragment
function toFragment(st) {
  const p = [];
  for (const k of Object.keys(DEF)) {
    if (st[k] !== DEF[k]) p.push(k + "=" + encodeURIComponent(BOOLS.includes(k) ? (st[k] ? "1" : "0") : st[k]).replace(/%2C/g, ","));
  }
  return p.join("&");
}
function fromFragment(hash) {
  const parts = hash.replace(/^#/, "").split("&").filter(Boolean);
  if (!parts.length || !parts.every((kv) => Object.hasOwn(DEF, kv.split("=")[0]))) return null;
  const st = {...DEF};
  try {
    for (const kv of parts) {
      const i = kv.indexOf("=");
      const k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      st[k] = BOOLS.includes(k) ? v === "1" || v === "true" : v;
    }
  } catch { return null; } // a bad %-escape
  return st;
}

// -- drawing
const LEGEND = [["out", "in output (top layer): a bar below"], ["outhn", "in output and a row of h_n"],
  ["hn", "only in h_n (a lower layer's final step)"], ["never", "never returned"], ["pad", "padding (hatched)"]];
const CLS = {"output": "out", "output h_n": "outhn", "h_n": "hn", "never": "never", "padding": "pad"};

function form(id) {
  const num = (k, label, extra = 'inputmode="numeric"') => `<span class="rnnx-f"><label for="${id}-${k}">${label}</label><input id="${id}-${k}" name="${k}" ${extra}></span>`;
  const chk = (k, label) => `<span class="rnnx-chk"><input type="checkbox" id="${id}-${k}" name="${k}"><label for="${id}-${k}">${label}</label></span>`;
  return `<form novalidate autocomplete="off">
<fieldset><legend>Module</legend><div class="rnnx-fields">
<span class="rnnx-f"><label for="${id}-kind">kind</label><select id="${id}-kind" name="kind">${Object.entries(KINDS).map(([k, v]) => `<option value="${k}">${v}</option>`).join("")}</select></span>
${num("input", "input_size")}${num("hidden", "hidden_size")}${num("layers", "num_layers (1–6)")}
${num("proj", "proj_size (empty: not passed)")}${num("dropout", "dropout", 'inputmode="decimal"')}</div>
<div class="rnnx-checks">${chk("bi", "bidirectional")}${chk("bf", "batch_first")}${chk("bias", "bias")}</div></fieldset>
<fieldset><legend>Input</legend><div class="rnnx-fields">
${num("L", "seq_len (L)")}${num("N", "batch (N)")}
${num("lengths", "lengths (packed; empty: not)", 'placeholder="e.g. 7, 5, 2"')}
${num("seq", "sequence shown")}</div>
<div class="rnnx-checks">${chk("unbatched", "unbatched (2-D input)")}${chk("sorted", "enforce_sorted")}</div></fieldset>
<fieldset><legend>Or paste a constructor line</legend>
<label for="${id}-paste">constructor line, read when you press Enter or Read</label>
<div class="rnnx-paste"><input id="${id}-paste" name="paste" spellcheck="false"><button type="submit">Read</button></div>
<p class="rnnx-paste-msg" role="status" aria-live="polite"></p></fieldset></form>
<div class="rnnx-view"></div>`;
}

function table(m) {
  return `<table class="rnnx-shapes"><caption>Shapes (as <code>rnnshapes.shapes</code> prints them)</caption>
<thead><tr><th scope="col">tensor</th><th scope="col">shape</th><th scope="col">dimensions</th></tr></thead><tbody>` +
    shapes(m).map((r) => `<tr data-name="${r.name}" data-shape="${esc(r.shape)}" data-dims="${esc(r.dims)}"><th scope="row"><code>${r.name}</code></th><td><code>${esc(r.shape)}</code></td><td>${esc(r.dims)}${r.note ? `<br><small>${esc(r.note)}</small>` : ""}</td></tr>`).join("") +
    "</tbody></table>";
}

function gridHtml(m, g) {
  const head = g.cols.map((t) => `<th scope="col">${Array.isArray(t) ? "…" : "t=" + t}</th>`).join("");
  const body = g.rows.map((r, ri) => `<tr><th scope="row">${esc(r.name)}<br><small>${esc(r.sub)}</small></th>` + r.cells.map((c, ci) => {
    const pos = `data-r="${ri}" data-c="${ci}" tabindex="-1"`;
    if (c.gap) {
      const n = c.gap[1] - c.gap[0] + 1;
      return `<td role="gridcell" class="rnnx-gap" data-role="gap" ${pos} aria-label="steps ${c.gap[0]} to ${c.gap[1]} (${n} steps) not drawn: each like its neighbours">…</td>`;
    }
    const short = (e) => e.replace(/,.*\]$/, "]"), words = c.hn ? [short(c.hn), ...(c.cn ? [short(c.cn)] : [])] : c.role === "padding" ? ["pad"] : [];
    const label = words.length ? `${words.join(" ")}: ${c.label}` : c.label; // visible text first
    return `<td role="gridcell" class="rnnx-${CLS[c.role]}" data-role="${c.role}" data-l="${c.l}" data-d="${c.d}" data-t="${c.t}" data-out="${esc(c.out)}" data-hn="${esc(c.hn)}" data-cn="${esc(c.cn)}" data-u="${esc(c.u)}" data-uc="${esc(c.uc)}" ${pos} aria-label="${esc(label)}">${words.join("<br>") || (c.d ? "←" : "→")}</td>`;
  }).join("") + "</tr>").join("");
  const what = m.packed ? `sequence ${m.seq} of the packed batch (length ${g.len} of ${m.L} steps)` : m.unbatched ? "the one sequence" : `sequence ${m.seq} of ${m.N}`;
  const label = `State grid of ${what}: ${g.rows.length} rows (layers × directions) by ${m.L} steps`;
  return `<p class="rnnx-cap">${esc(label)}. Focus a cell (arrow keys move) to see where to read it.</p>
<div class="rnnx-gridbox" role="region" tabindex="0" aria-label="${esc(label)}, scrolls sideways">
<table role="grid" class="rnnx-grid" aria-label="${esc(label)}"><thead><tr><td></td>${head}</tr></thead><tbody>${body}</tbody></table></div>
<ul class="rnnx-legend">${LEGEND.filter(([k]) => k !== "pad" || g.len < m.L).map(([k, v]) => `<li><span class="rnnx-key rnnx-${k}" aria-hidden="true"></span>${v}</li>`).join("")}</ul>
<p class="rnnx-detail">Focus or hover a cell to name it.</p>`;
}

function featureHtml(m) {
  const f = feature(m), v = m.base.toLowerCase();
  const x = m.unbatched ? [m.L, m.I] : m.bf ? [m.N, m.L, m.I] : [m.L, m.N, m.I];
  const lines = [`${v} = ${code(m)}`, `x = torch.randn${tup(x)}`];
  let arg = "x";
  if (m.packed) {
    const o = (m.bf ? ", batch_first=True" : "") + (m.sorted ? "" : ", enforce_sorted=False");
    lines.push(`packed = pack_padded_sequence(x, [${m.lengths.join(", ")}]${o})`);
    arg = "packed";
  }
  lines.push(`output, ${m.lstm ? "(h_n, c_n)" : "h_n"} = ${v}(${arg})`, `feature = ${f.right}  # ${f.shape}`);
  return `<p class="rnnx-h">The classifier feature: the top layer's final state${m.bi ? ", both directions" : ""}</p>
<pre class="rnnx-code" data-right="${esc(f.right)}"><code>${esc(lines.join("\n"))}</code></pre>
<p class="rnnx-wrong" data-verdict="${f.isWrong ? "wrong" : "right"}" data-wrong="${esc(f.wrong)}"><code>feature = ${esc(f.wrong)}</code> is
<strong>${f.isWrong ? "✗ wrong here" : "✓ the same here"}</strong>: ${esc(f.why)}.</p>`;
}

function mount(root, index) {
  const data = JSON.parse(root.querySelector("script.rnnx-data").textContent);
  const id = "rnnx" + index, primary = index === 0;
  root.querySelector(".rnnx-fallback")?.remove();
  root.insertAdjacentHTML("beforeend", form(id));
  const f = root.querySelector("form"), out = root.querySelector(".rnnx-view");
  const el = (k) => f.elements[k], pmsg = root.querySelector(".rnnx-paste-msg");
  let st = (primary && fromFragment(location.hash)) || {...DEF}, focus = [0, 0];

  function setControls() {
    for (const k of Object.keys(DEF)) {
      if (BOOLS.includes(k)) el(k).checked = st[k]; else el(k).value = st[k];
    }
    const lengthsOn = !st.unbatched && String(st.lengths).trim() !== "";
    el("N").disabled = st.unbatched || lengthsOn;
    el("lengths").disabled = el("seq").disabled = st.unbatched;
    el("sorted").disabled = !lengthsOn;
  }

  function render(fromUser) {
    const m = model(st, data);
    if (m.packed && !m.errors.length && !m.unbatched) el("N").value = String(m.N);
    if (document.activeElement !== el("paste") && !m.errors.length) el("paste").value = code(m);
    let html;
    if (m.errors.length) {
      html = `<p class="rnnx-msg" data-kind="error" role="status">The explorer cannot read this: ${m.errors.map(esc).join("; ")}.</p>`;
    } else if (m.refusal) {
      const r = m.refusal;
      const ex = r.key === "lengths_too_long"
        ? `<p>A length (${r.tooLong}) is longer than seq_len = ${m.L}: <code>pack_padded_sequence</code> accepts it, then the module fails. For the example <code>${esc(r.code)}</code>, torch ${esc(data.torch)} said:</p>`
        : `<p>torch ${esc(data.torch)} refuses this configuration, as it refuses <code>${esc(r.code)}</code>:</p>`;
      html = `<div class="rnnx-msg" data-kind="refusal" data-key="${r.key}" role="status">${ex}<pre><code class="rnnx-torch">${esc(r.message)}</code></pre></div>`;
    } else {
      const g = grid(m), notes = m.unbatched && m.bf ? `<p class="rnnx-note">${esc(data.notes.batch_first_unbatched)}</p>` : "";
      html = `<p class="rnnx-msg" data-kind="ok"><code>${esc(code(m))}</code></p>${table(m)}${notes}${gridHtml(m, g)}${featureHtml(m)}`;
    }
    const a = document.activeElement, hadFocus = out.contains(a) && a.matches("td[role=gridcell]");
    out.innerHTML = html;
    const rows = out.querySelectorAll(".rnnx-grid tbody tr");
    if (rows.length) {
      focus = [Math.min(focus[0], rows.length - 1), Math.min(focus[1], rows[0].cells.length - 2)];
      const c = cellAt(focus[0], focus[1]);
      c.tabIndex = 0;
      if (hadFocus) c.focus();
    }
    if (!m.errors.length && !st.unbatched && String(m.seq) !== String(st.seq)) el("seq").value = st.seq = String(m.seq);
    const foreign = fromUser === "init" && location.hash && !fromFragment(location.hash);
    if (primary && fromUser !== "hash" && !foreign) {
      const frag = toFragment(st);
      if (location.hash.slice(1) !== frag) history.replaceState(history.state, "", frag ? "#" + frag : location.pathname + location.search);
    }
  }
  const cellAt = (r, c) => out.querySelector(`td[data-r="${r}"][data-c="${c}"]`);
  const detail = (c, p = out.querySelector(".rnnx-detail")) => { if (p && c) p.textContent = c.getAttribute("aria-label"); };

  f.addEventListener("input", (e) => {
    const k = e.target.name;
    if (!k || k === "paste") return;
    st = {...st, [k]: BOOLS.includes(k) ? e.target.checked : e.target.value};
    if (k === "lengths" || k === "unbatched") setControls();
    render("control");
  });
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const r = parseLine(el("paste").value);
    if (r.error) { pmsg.textContent = "Not read: " + r.error + "."; pmsg.dataset.kind = "error"; return; }
    st = {...st, ...r.st};
    pmsg.textContent = "Read: the controls now show this module."; pmsg.dataset.kind = "ok";
    setControls();
    el("paste").blur();
    render("paste");
  });
  out.addEventListener("keydown", (e) => {
    const c = e.target.closest("td[role=gridcell]");
    if (!c) return;
    const moves = {ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0]};
    let [r, col] = [+c.dataset.r, +c.dataset.c];
    if (e.key in moves) { r += moves[e.key][0]; col += moves[e.key][1]; }
    else if (e.key === "Home") col = 0; else if (e.key === "End") col = 1e9; else return;
    e.preventDefault();
    e.stopPropagation(); // Sphinx's doctools.js turns the page on arrow keys (navigation_with_keys)
    const rows = out.querySelectorAll(".rnnx-grid tbody tr"), n = rows[0].cells.length - 1;
    r = Math.max(0, Math.min(r, rows.length - 1)); col = Math.max(0, Math.min(col, n - 1));
    const next = cellAt(r, col);
    c.tabIndex = -1; next.tabIndex = 0; next.focus();
  });
  out.addEventListener("focusin", (e) => {
    const c = e.target.closest?.("td[role=gridcell]");
    if (c) { focus = [+c.dataset.r, +c.dataset.c]; detail(c); }
  });
  out.addEventListener("mouseover", (e) => detail(e.target.closest?.("td[role=gridcell]")));
  if (primary) {
    window.addEventListener("hashchange", () => {
      const s = fromFragment(location.hash);
      if (s) { st = s; setControls(); render("hash"); }
    });
  }
  setControls();
  render("init");
}

// Drawn near the viewport (at once for a URL state); the CSS keeps its room
function start() {
  const roots = [...document.querySelectorAll("div[data-rnnx]")], done = new Set();
  const go = (r) => { if (!done.has(r)) { done.add(r); mount(r, roots.indexOf(r)); } };
  const io = window.IntersectionObserver && new IntersectionObserver((es) => es.forEach((e) => e.isIntersecting && (io.unobserve(e.target), go(e.target))), {rootMargin: "50%"});
  roots.forEach((r, i) => (io && !(i === 0 && fromFragment(location.hash)) ? io.observe(r) : go(r)));
  window.addEventListener("hashchange", () => roots[0] && fromFragment(location.hash) && go(roots[0]));
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
