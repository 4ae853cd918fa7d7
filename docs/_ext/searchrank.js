/* rnnshapes: rank Sphinx's search results with BM25F over docs/_ext/search.py's index.
 *
 * Loaded as html_search_scorer, so it runs inside language_data.js: after searchtools.js has
 * defined Search, before searchindex.js calls Search.setIndex and the query runs. It replaces
 * Search._performSearch (Sphinx 9.0: searchtools.js), which keeps only the pages holding every
 * word of the query, with a ranking in which a page need not hold them all; the rest of Sphinx's
 * search page (the box, the result list, the summaries, the highlighting) is Sphinx's own.
 * tests/test_search_index.py checks that searchtools.js still has what this replaces.
 */
(() => {
  "use strict";
  if (typeof Search === "undefined" || !Search._performSearch) return;
  const sphinxSearch = Search._performSearch;
  // The index (_static/searchrank-data.js) is deferred: it is read at the first query, which
  // Sphinx runs from DOMContentLoaded, after deferred scripts.
  let DATA, stop, U, n, F, step, avg;
  function load() {
    if (DATA || !window.RNNSHAPES_SEARCH) return !!DATA;
    DATA = window.RNNSHAPES_SEARCH;
    stop = new Set(DATA.stop);
    U = DATA.units; n = U.length; F = DATA.fields; step = F.length + 1;
    avg = F.map((_, f) => DATA.lengths.reduce((s, l) => s + l[f], 0) / n || 1);
    return true;
  }
  // Each field's weight, and how much a long field dilutes it (BM25F). Tuned by hand on the
  // 'tuned' set of tests/browser/search_queries.json, so its hit rates are in-sample (when the
  // weights were set, tuned on either half alone, the other half scored within 3 points); the
  // 'fresh' set measures new questions.
  const WEIGHTS = {title: 3, headings: 3, entries: 3, text: 1, code: 0.3};
  const B = {title: 0.3, headings: 0.5, entries: 0.5, text: 0.5, code: 0.75};
  const K1 = 3, SYNONYM = 0.5, HEADING = 0.6, KEEP = 0.25, MOST = 20;
  const stemmer = new Stemmer();
  // (S: the spaces of Python's ASCII \s; JavaScript's \s also takes a pasted no-break space)
  const S = "[ \\t\\n\\v\\f\\r]", re = (source, flags) => new RegExp(source.replaceAll("\\s", S), flags);
  const INDEX = re(String.raw`\[\s*(?:-?\d+|:|\.\.\.)?(?:\s*[:,]\s*(?:-?\d+|:|\.\.\.)?)*\s*\]`, "g");
  const SHAPE = re(String.raw`\(\s*\d+(?:\s*,\s*\d+)+\s*,?\s*\)|(?<![A-Za-z0-9_\])])\[\s*\d+(?:\s*,\s*\d+)+\s*\]`, "g");
  const ND = re(String.raw`\b(\d)\s*-?\s*(?:d|dims?|dimensions?|dimensional)\b`, "g");
  const sizes = (shape) => shape.match(/\d+/g);
  const SETTING = re(String.raw`\b([a-z_][a-z0-9_]*)\s*=\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![\w.])`, "g");
  const own = (o, k) => (Object.hasOwn(o, k) ? o[k] : undefined); // not "constructor" of {}

  // As tokens(query=True) in docs/_ext/search.py: where shapes differ, shapes as their numbers of
  // axes, index expressions, settings ("dropout=0.5"), then words and their parts, stemmed.
  const expression = (e) => { e = e.replace(/\s+/g, ""); while (e.endsWith(",:]")) e = e.slice(0, -3) + "]"; return e; };
  function tokens(text) {
    text = text.toLowerCase().replace(ND, (_, d) => ` ${d}d `);
    const shapes = (text.match(SHAPE) || []).map(sizes), out = [];
    shapes.slice(1).forEach((b, i) => { // mismatches(): which axes of two shapes in a row differ
      const a = shapes[i];
      if (a.length === b.length && a.join() !== b.join()) out.push(`${a.length}d:` + a.map((x, j) => (x !== b[j] ? j : "")).join(""));
    });
    const same = shapes.length > 1 && new Set(shapes.map((s) => s.length)).size === 1;
    text = text.replace(SHAPE, (s) => (same ? " " : ` ${sizes(s).length}d `));
    out.push(...(text.match(INDEX) || []).map(expression).filter((e) => e !== "[]"));
    for (const [, name, value] of text.matchAll(SETTING)) out.push(`${name}=${value}`, ...(Number(value) === 0 ? ["zero"] : []));
    for (const word of text.match(/[\p{L}\p{N}_]+/gu) || []) {
      const parts = /_/.test(word.replace(/^_+|_+$/g, "")) ? [word, ...word.split("_")] : [word];
      for (const p of [...parts]) { const m = /^([a-z]{2,})[0-9]+$/.exec(p); if (m) parts.push(m[1]); }
      for (const p of parts) {
        if (p.length < 2 || /^\d+$/.test(p) || stopwords.has(p) || stop.has(p)) continue;
        out.push(stemmer.stemWord(p));
      }
    }
    return out;
  }


  // [score, page, best section] for the pages worth showing, best first. (No "-word" exclusions:
  // Sphinx 9's splitQuery drops the minus, so its excludedTerms is always empty.)
  function rank(query) {
    const words = tokens(query), weights = new Map(words.map((t) => [t, 1])), named = [], meant = new Set();
    words.forEach((_, i) => [1, 2, 3].forEach((k) => {
      if (i + k > words.length) return;
      const phrase = words.slice(i, i + k), key = phrase.join(" ");
      const add = (s, v) => weights.set(s, Math.max(weights.get(s) || 0, v));
      for (const s of own(DATA.synonyms, key) || []) add(s, SYNONYM);
      const same = own(DATA.same, key);
      if (!same) return;
      same.forEach((s) => { add(s, 1); meant.add(s); });
      phrase.forEach((t, j) => { if (!same.includes(t)) named[i + j] = true; });
    }));
    // the words of a name that counts as another ("time step" as "step") count less on their own
    const free = new Set(words.filter((_, i) => !named[i]));
    for (const t of new Set(words)) if (!free.has(t) && !meant.has(t)) weights.set(t, Math.min(weights.get(t), SYNONYM));
    const scores = new Float64Array(n);
    for (const [t, w] of weights) {
      const post = own(DATA.postings, t);
      if (!post) continue;
      const df = post.length / step, idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < post.length; i += step) {
        const u = post[i];
        let tf = 0;
        F.forEach((name, f) => {
          const c = post[i + 1 + f];
          if (c) tf += (WEIGHTS[name] * c) / (1 - B[name] + (B[name] * DATA.lengths[u][f]) / avg[f]);
        });
        scores[u] += w * idf * (tf / (K1 + tf));
        // a word of the section's own heading (often a reader's question) counts once more
        if (post[i + 2]) scores[u] += (HEADING * w * idf) / Math.sqrt(DATA.lengths[u][1]);
      }
    }
    const best = new Map(); // page -> [score, unit]: a page scores as its best section
    scores.forEach((s, u) => {
      const d = U[u][0];
      if (s > 0 && !(best.get(d)?.[0] >= s)) best.set(d, [s, u]);
    });
    const pages = [...best].map(([d, [s, u]]) => [s * DATA.priors[d], d, u]);
    const top = Math.max(0, ...pages.map((p) => p[0]));
    return pages.filter((p) => p[0] >= KEEP * top)
      .sort((a, b) => b[0] - a[0] || (DATA.docs[a[1]] < DATA.docs[b[1]] ? -1 : 1)).slice(0, MOST);
  }

  // for tests/browser/test_browser_search.py: the same words as Python's
  Search.rnnshapesTokens = (text) => (load(), tokens(text));
  Search._performSearch = (query, searchTerms, excludedTerms, highlightTerms, objectTerms) => {
    if (!load()) return sphinxSearch(query, searchTerms, excludedTerms, highlightTerms, objectTerms);
    _removeChildren(document.getElementById("search-progress"));
    const index = Search._index, results = [];
    for (const [score, d, u] of rank(query)) {
      const file = index.docnames.indexOf(DATA.docs[d]), [, anchor, heading] = U[u];
      if (file < 0) continue;
      const title = heading ? `${index.titles[file]} > ${heading}` : index.titles[file];
      results.push([index.docnames[file], title, anchor ? "#" + anchor : "", null, score, index.filenames[file], SearchResultKind.text]);
    }
    // API objects (rnnshapes.final_state, ...) after the pages, as Sphinx finds them
    const seen = new Set(results.map((r) => r[0]));
    for (const term of objectTerms) {
      for (const r of Search.performObjectSearch(term, objectTerms)) {
        if (!seen.has(r[0] + r[2])) { seen.add(r[0] + r[2]); results.push(r); }
      }
    }
    return results.reverse(); // Sphinx shows the last result first
  };
})();
