/* judgebench report: the pair browser. All text goes into the page through textContent, never as markup. */
(function () {
  "use strict";
  var PAGE = 50;
  var D = JSON.parse(document.getElementById("jb-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var state = { run: "", cat: "", outcome: "", cons: "", nd: "", q: "", pairId: null, page: 0, open: -1 };
  var lowerQuestions = null; // built on the first text search only
  var matches = [];

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function fillSelect(select, values) {
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v.value; o.textContent = v.text;
      select.appendChild(o);
    });
  }

  /* Leaderboard and suite tables: a "Columns" chooser above each (every column but the first can be hidden). */
  function setColumn(table, c, show) {
    var n = table.tHead.rows[0].cells.length;
    for (var r = 0; r < table.rows.length; r++) {
      var cells = table.rows[r].cells;
      if (cells.length === n) cells[c].hidden = !show;  // group rows (one cell spanning all) stay
    }
  }

  function columnChooser(table, t) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    if (heads.length < 3) return;
    var box = el("details", null, "colchooser");
    box.appendChild(el("summary", "Columns"));
    for (var c = 1; c < heads.length; c++) {
      var label = el("label");
      var box2 = document.createElement("input");
      box2.type = "checkbox"; box2.checked = true; box2.dataset.col = String(c);
      box2.id = "col-" + t + "-" + c;
      box2.addEventListener("change", function (ev) { setColumn(table, +ev.target.dataset.col, ev.target.checked); });
      label.appendChild(box2);
      label.appendChild(document.createTextNode(" " + heads[c].textContent));
      box.appendChild(label);
    }
    var wrap = table.parentNode;
    wrap.parentNode.insertBefore(box, wrap);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.lb"), columnChooser);

  fillSelect($("f-run"), D.runs.map(function (r, i) { return { value: String(i), text: r.name + " (" + r.n + ")" }; }));
  fillSelect($("f-cat"), D.categories.map(function (c) { return { value: c, text: c }; }));

  function matchesFilter(it) {
    if (state.run !== "" && it.run !== +state.run) return false;
    var p = D.pairs[it.pair];
    if (state.pairId !== null && p.id !== state.pairId) return false;
    if (state.cat && p.category !== state.cat) return false;
    if (state.outcome && it.outcome !== state.outcome) return false;
    if (state.cons === "inconsistent" && it.consistent !== false) return false;
    if (state.cons === "consistent" && it.consistent !== true) return false;
    if (state.nd === "yes" && !it.no_decision) return false;
    if (state.nd === "no" && it.no_decision) return false;
    if (state.q) {
      if (!lowerQuestions) lowerQuestions = D.pairs.map(function (x) { return x.question.toLowerCase(); });
      if (lowerQuestions[it.pair].indexOf(state.q) < 0) return false;
    }
    return true;
  }

  function applyFilters() {
    matches = [];
    for (var i = 0; i < D.items.length; i++) if (matchesFilter(D.items[i])) matches.push(i);
    state.page = 0;
    render();
  }

  function decisionText(g) {
    if (!g) return "–";
    return g.swapped ? g.decision + " → " + g.original : g.decision;  // both computed in Python (report_data)
  }

  function render() {
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE, end = Math.min(matches.length, start + PAGE);
    $("count").textContent = matches.length + " of " + D.items.length + " judged pairs match" + (matches.length ? "; showing " + (start + 1) + "–" + end : "");
    $("page").textContent = "page " + (state.page + 1) + " of " + pages;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
    var body = $("rows");
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) {
      var idx = matches[k], it = D.items[idx], p = D.pairs[it.pair];
      var tr = document.createElement("tr");
      tr.dataset.item = String(idx);
      if (idx === state.open) tr.className = "open";
      tr.appendChild(el("td", k + 1));
      tr.appendChild(el("td", D.runs[it.run].name));
      var idCell = el("td");
      var a = el("a", p.id);
      a.href = p.link;  // "#pair=" + the id percent-encoded, made in Python (report_data)
      a.title = "permalink to this pair";
      idCell.appendChild(a);
      tr.appendChild(idCell);
      tr.appendChild(el("td", p.category));
      tr.appendChild(el("td", p.label));
      tr.appendChild(el("td", decisionText(it.games[0])));
      tr.appendChild(el("td", decisionText(it.games[1])));
      var o = el("td", it.outcome, "o-" + it.outcome);
      if (it.consistent === false) o.appendChild(el("span", "inconsistent", "badge"));
      if (it.no_decision) o.appendChild(el("span", "no decision", "badge"));
      tr.appendChild(o);
      var q = el("td", p.question.slice(0, 200), "q");
      q.title = p.question.slice(0, 1000);
      tr.appendChild(q);
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
  }

  function gameBlock(g, pair) {
    var label = pair.label;
    var box = el("div");
    box.appendChild(el("h3", "Game " + g.game + ": shown (" + g.shown + ")"));
    var dl = el("dl");
    dl.appendChild(el("dt", "decision as shown")); dl.appendChild(el("dd", g.decision));
    dl.appendChild(el("dt", "in original order")); dl.appendChild(el("dd", g.original + (g.original === label ? " (matches the label)" : "")));
    if (g.scores) { dl.appendChild(el("dt", "scores")); dl.appendChild(el("dd", g.scores.join(", "))); }
    if (g.error) { dl.appendChild(el("dt", "error")); dl.appendChild(el("dd", g.error, "o-incorrect")); }
    box.appendChild(dl);
    box.appendChild(el("pre", g.output || "(no raw output recorded)"));
    if (g.prompt !== null && g.prompt !== undefined) box.appendChild(promptBlock(D.prompts[g.prompt], pair));
    return box;
  }

  /* The judge's prompt, collapsed; filled when first opened (prompts are long and most are never read). Its parts are
     text, or 0/1/2 for the pair's question, response A, response B, which the data store once (report_data). */
  function promptBlock(prompt, p) {
    var shared = [p.question, p.A, p.B];
    var join = function (parts) { return parts.map(function (x) { return typeof x === "number" ? shared[x] : x; }).join(""); };
    var det = el("details", null, "prompt");
    var n = prompt.messages ? prompt.messages.length : 0;
    det.appendChild(el("summary", "Judge's prompt" + (n ? " (" + n + " message" + (n === 1 ? "" : "s") + ")" : "")));
    det.addEventListener("toggle", function () {
      if (!det.open || det.dataset.filled) return;
      det.dataset.filled = "1";
      if (prompt.messages) {
        prompt.messages.forEach(function (m) { det.appendChild(el("h4", m.role)); det.appendChild(el("pre", join(m.content))); });
      } else {
        det.appendChild(el("pre", join(prompt.text)));
      }
    });
    return det;
  }

  function openItem(idx) {
    state.open = idx;
    var it = D.items[idx], p = D.pairs[it.pair], run = D.runs[it.run];
    var d = $("detail");
    d.replaceChildren();
    d.appendChild(el("h2", "Pair " + p.id + " judged by " + run.name));
    var link = el("a", "permalink to this pair (#pair=…)", "permalink");
    link.href = p.link;
    d.appendChild(link);
    var meta = el("dl");
    [["source", p.source], ["category", p.category], ["responses from", p.response_model], ["label", p.label],
     ["rule", run.rule || "vote"],
     ["outcome under the run's rule", it.outcome + (it.consistent === false ? " (inconsistent)" : "") + (it.no_decision ? " (a game has no decision)" : "")],
     ["credit under the run's rule", it.credit === null || it.credit === undefined ? "–" : String(it.credit)]].forEach(function (kv) {
      meta.appendChild(el("dt", kv[0])); meta.appendChild(el("dd", kv[1]));
    });
    d.appendChild(meta);
    d.appendChild(el("h3", "Question"));
    d.appendChild(el("pre", p.question));
    var cols = el("div", null, "cols");
    ["A", "B"].forEach(function (side) {
      var box = el("div");
      box.appendChild(el("h3", "Response " + side + (p.label === side + ">" + (side === "A" ? "B" : "A") ? " (better, by the label)" : "")));
      box.appendChild(el("pre", p[side], p.label.charAt(0) === side && p.label.charAt(1) === ">" ? "better" : ""));
      cols.appendChild(box);
    });
    d.appendChild(cols);
    var games = el("div", null, "cols");
    it.games.forEach(function (g) { games.appendChild(gameBlock(g, p)); });
    d.appendChild(games);
    var others = D.items.filter(function (x) { return x.pair === it.pair && x !== it; });
    if (others.length) {
      d.appendChild(el("h3", "Other judge runs on this pair"));
      var ul = el("ul");
      others.forEach(function (x) {
        var games = x.games.map(function (g) { return "game " + g.game + " " + decisionText(g); }).join(", ");
        ul.appendChild(el("li", D.runs[x.run].name + ": " + games + ": " + x.outcome + (x.consistent === false ? " (inconsistent)" : "")));
      });
      d.appendChild(ul);
    }
    d.hidden = false;
    render();
    d.scrollIntoView({ block: "start" });
    d.focus({ preventScroll: true });
  }

  /* The permalink: "#pair=ID" shows that pair's judgments from every run (the other filters still apply) and opens
     one, the one already open when it is of this pair. Only the link changes the address; filters do not. */
  function hashPair() {
    var m = /^#pair=(.*)$/.exec(location.hash);
    if (!m) return null;
    try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; }
  }

  function applyHash() {
    state.pairId = hashPair();
    var focus = $("focus");
    applyFilters();
    if (state.pairId === null) { focus.hidden = true; return; }
    var runs = {}, all = 0;
    for (var i = 0; i < D.items.length; i++) if (D.pairs[D.items[i].pair].id === state.pairId) { runs[D.items[i].run] = 1; all++; }
    var nRuns = Object.keys(runs).length;
    $("focus-text").textContent = all
      ? "Showing only pair " + state.pairId + ", judged by " + nRuns + " run" + (nRuns === 1 ? "" : "s") + "."
      : "No pair with id " + state.pairId + " in this report.";
    focus.hidden = false;
    if (!matches.length) return;
    var cur = state.open >= 0 && matches.indexOf(state.open) >= 0 ? state.open : matches[0];
    openItem(cur);
  }

  $("focus-clear").addEventListener("click", function (ev) {
    ev.preventDefault();
    location.hash = "";  // hashchange -> applyHash shows every pair again
  });
  window.addEventListener("hashchange", applyHash);
  $("rows").addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr");
    if (tr && tr.dataset.item !== undefined) openItem(+tr.dataset.item);
  });
  $("prev").addEventListener("click", function () { state.page--; render(); });
  $("next").addEventListener("click", function () { state.page++; render(); });
  [["f-run", "run"], ["f-cat", "cat"], ["f-outcome", "outcome"], ["f-cons", "cons"], ["f-nd", "nd"]].forEach(function (pair) {
    $(pair[0]).addEventListener("change", function (ev) { state[pair[1]] = ev.target.value; applyFilters(); });
  });
  var timer = null;
  $("f-q").addEventListener("input", function (ev) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = ev.target.value.trim().toLowerCase(); applyFilters(); }, 150);
  });

  applyHash();  // applies the filters, and the permalink when the page was opened with one
  window.__jbReady = performance.now();
})();
