/* The knowledge library: the canvas query of knowledge/canvas.py, in the browser.
   The CSV and Markdown downloads follow knowledge/formats.py byte for byte (a
   browser test checks it): change both together. Text goes in with textContent only. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("framework-data").textContent);
  var S = data.strings;
  // The page's own words (core/site_texts.py), translated on a translated page; S and
  // LABEL stay English for the downloads, which follow knowledge/formats.py.
  var U = data.ui;
  function say(key, values) {
    return U[key].replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  function dimension(d) { return U["dimension_" + d]; }
  // A translated page lists the texts it gives in English ("<id>:<field>").
  var T = data.translation || null;
  var FALLBACK = new Set(T ? T.fallbacks : []);
  var SEP = "; ";
  var PAGE = 50;
  var DIMS = data.dimensions.map(function (d) { return d.key; });
  var LABEL = {};
  var NAMES = {};
  var INDEX = {};
  var processes = data.processes;

  data.dimensions.forEach(function (d) {
    LABEL[d.key] = d.label;
    NAMES[d.key] = new Map(d.values);
    INDEX[d.key] = new Map();
  });
  var FIELD = { authority: "authorities", stage: "stages", risk: "risks" };

  function addTo(dim, value, pos) {
    var set = INDEX[dim].get(value);
    if (!set) { set = new Set(); INDEX[dim].set(value, set); }
    set.add(pos);
  }
  processes.forEach(function (p, pos) {
    addTo("principle", p.principle, pos);
    ["authority", "stage", "risk"].forEach(function (dim) {
      p[FIELD[dim]].forEach(function (v) { addTo(dim, v, pos); });
    });
  });

  // ---- query (knowledge/canvas.py CanvasIndex.query) ----------------------------------

  function matching(sel) {
    var cand = null;
    for (var i = 0; i < DIMS.length; i++) {
      var chosen = sel[DIMS[i]];
      if (!chosen.length) { continue; }
      var union = new Set();
      chosen.forEach(function (v) {
        var hit = INDEX[DIMS[i]].get(v);
        if (hit) { hit.forEach(function (p) { union.add(p); }); }
      });
      if (cand === null) {
        cand = union;
      } else {
        var both = new Set();
        cand.forEach(function (p) { if (union.has(p)) { both.add(p); } });
        cand = both;
      }
      if (!cand.size) { return []; }
    }
    if (cand === null) { return processes.map(function (_p, i) { return i; }); }
    return Array.from(cand).sort(function (a, b) { return a - b; });
  }

  function intersects(values, wanted) {
    for (var i = 0; i < values.length; i++) { if (wanted.has(values[i])) { return true; } }
    return false;
  }

  function query(sel) {
    var wantA = new Set(sel.authority);
    var wantS = new Set(sel.stage);
    return matching(sel).map(function (pos, i) {
      var p = processes[pos];
      var practices = [];
      p.practices.forEach(function (q) {
        var effA = q.authorities.length ? q.authorities : p.authorities;
        var effS = q.stages.length ? q.stages : p.stages;
        if (wantA.size && !intersects(effA, wantA)) { return; }
        if (wantS.size && !intersects(effS, wantS)) { return; }
        practices.push({
          id: q.id,
          text: q.text,
          authorities: effA,
          stages: effS,
          narrowedAuthorities: q.authorities.length > 0,
          narrowedStages: q.stages.length > 0,
          references: q.references
        });
      });
      return { number: i + 1, process: p, practices: practices };
    });
  }

  // ---- shared text pieces (knowledge/formats.py) --------------------------------

  function label(dim, id) { return id + " " + NAMES[dim].get(id); }
  function labels(dim, ids) { return ids.map(function (id) { return label(dim, id); }).join(SEP); }
  function names(dim, ids) { return ids.map(function (id) { return NAMES[dim].get(id); }).join(SEP); }
  function ref(id) { return data.references[id]; }
  function referenceText(id) {
    var r = ref(id);
    return r[1] ? r[0] + " (" + r[1] + ")" : r[0];
  }
  function references(ids) { return ids.map(referenceText).join(SEP); }
  function selected(sel, dim) { return labels(dim, sel[dim]) || S.any; }
  function processText(p) { return p.id + " " + (p.text !== null ? p.text : S.textGap); }
  function shownNarrowing(q) {
    var parts = [];
    if (q.narrowedAuthorities) {
      parts.push(dimension("authority").toLowerCase() + ": " + labels("authority", q.authorities));
    }
    if (q.narrowedStages) {
      parts.push(dimension("stage").toLowerCase() + ": " + labels("stage", q.stages));
    }
    return parts.length ? " " + say("only_for", { parts: parts.join("; ") }) : "";
  }
  function narrowing(q) {
    var parts = [];
    if (q.narrowedAuthorities) {
      parts.push(LABEL.authority.toLowerCase() + ": " + labels("authority", q.authorities));
    }
    if (q.narrowedStages) {
      parts.push(LABEL.stage.toLowerCase() + ": " + labels("stage", q.stages));
    }
    return parts.length ? " (only for " + parts.join("; ") + ")" : "";
  }
  var SAFE_URL = /^https?:\/\/[A-Za-z0-9._~:\/?#\[\]@!$&()*+,;=%-]+$/;

  // ---- CSV ------------------------------------------------------------------------------

  var FORMULA_START = ["=", "+", "-", "@", "\t", "\r"];
  function csvCell(value) {
    if (FORMULA_START.indexOf(value.charAt(0)) >= 0 && value.length > 0) { value = "'" + value; }
    return "\"" + value.split("\"").join("\"\"") + "\"";
  }
  function toCsv(recs) {
    var rows = [S.csvColumns];
    recs.forEach(function (rec) {
      var p = rec.process;
      var head = [
        String(rec.number), p.principle, NAMES.principle.get(p.principle), p.id,
        p.text !== null ? p.text : "",
        p.risks.join(SEP), names("risk", p.risks),
        p.authorities.join(SEP), names("authority", p.authorities),
        p.stages.join(SEP), names("stage", p.stages),
        references(p.references)
      ];
      if (!rec.practices.length) { rows.push(head.concat(["", "", "", "", ""])); }
      rec.practices.forEach(function (q) {
        rows.push(head.concat([
          q.id, q.text, q.authorities.join(SEP), q.stages.join(SEP), references(q.references)
        ]));
      });
    });
    return rows.map(function (row) { return row.map(csvCell).join(",") + "\r\n"; }).join("");
  }

  // ---- Markdown -------------------------------------------------------------------------

  function mdInline(text) {
    return text.replace(/([\\`*_\[\]<>|~])/g, "\\$1").replace(/\r\n|\r|\n/g, "<br>");
  }
  function mdReference(id) {
    var r = ref(id);
    var title = mdInline(r[0]);
    if (r[1] && SAFE_URL.test(r[1])) { return title + " <" + r[1] + ">"; }
    if (r[1]) { return title + " (" + mdInline(r[1]) + ")"; }
    return title;
  }
  function mdReferences(ids) { return ids.map(mdReference).join(SEP); }

  function toMarkdown(sel, recs) {
    var total = recs.length;
    var out = ["# " + S.canvasTitle, "", "## Selected dimensions", ""];
    out.push("| " + DIMS.map(function (d) { return LABEL[d]; }).join(" | ") + " |");
    out.push("|" + DIMS.map(function () { return " --- |"; }).join(""));
    out.push("| " + DIMS.map(function (d) { return mdInline(selected(sel, d)); }).join(" | ") + " |");
    out.push("", "**Total recommendations " + total + "**");
    recs.forEach(function (rec) {
      var p = rec.process;
      out.push("", "## Recommendation " + rec.number + " of " + total, "");
      out.push("- **Principle:** " + mdInline(label("principle", p.principle)));
      out.push("- **Process recommendation:** " + mdInline(processText(p)));
      out.push("- **Mitigated risk:** " + mdInline(labels("risk", p.risks) || S.noneGiven));
      if (rec.practices.length) {
        out.push("- **Illustrative practices:**");
        rec.practices.forEach(function (q) {
          var refs = mdReferences(q.references);
          var extra = refs ? " (reference: " + refs + ")" : "";
          out.push("  - " + mdInline(q.id + " " + q.text + narrowing(q)) + extra);
        });
      } else {
        out.push("- **Illustrative practices:** " + S.noPractice);
      }
      out.push("- **Responsible authority:** " +
        mdInline(labels("authority", p.authorities) || S.noneGiven));
      out.push("- **Life-cycle stage:** " + mdInline(labels("stage", p.stages) || S.noneGiven));
      out.push("- **Additional resources / reference:** " + (mdReferences(p.references) || "n.d."));
    });
    return out.join("\n") + "\n";
  }

  // ---- page -----------------------------------------------------------------------------

  // A text, or on a translated page a text given in English: in its own language and
  // direction (so an Arabic page does not reorder it), with the page's word for English.
  function textOf(context, text) {
    if (!FALLBACK.has(context)) { return document.createTextNode(text); }
    var frag = document.createDocumentFragment();
    var span = el("span", text, "fallback");
    span.lang = "en";
    span.dir = "ltr";
    frag.appendChild(span);
    frag.appendChild(el("span", " (" + T.english + ")", "fallback-note"));
    return frag;
  }

  function processNode(p) {
    if (p.text === null) { return p.id + " " + U.text_gap; }
    if (!FALLBACK.has(p.id + ":text")) { return p.id + " " + p.text; }
    var frag = document.createDocumentFragment();
    frag.appendChild(document.createTextNode(p.id + " "));
    frag.appendChild(textOf(p.id + ":text", p.text));
    return frag;
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  var form = document.getElementById("filters");
  var boxes = {};
  data.dimensions.forEach(function (d) {
    var fieldset = el("fieldset");
    fieldset.id = "filter-" + d.key;
    fieldset.appendChild(el("legend", dimension(d.key)));
    var count = el("p", "", "count");
    count.id = "count-" + d.key;
    count.setAttribute("aria-hidden", "true");  // the checkboxes say it already
    count.dir = "auto";  // an English phrase on a right-to-left page keeps its order
    fieldset.appendChild(count);
    var options = el("div", null, "options");
    boxes[d.key] = [];
    d.values.forEach(function (v) {
      var row = el("label", null, "option");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = d.key;
      input.value = v[0];
      input.id = "opt-" + d.key + "-" + v[0];
      row.appendChild(input);
      var text = el("span");
      text.appendChild(el("span", v[0], "id"));
      text.appendChild(document.createTextNode(" "));
      text.appendChild(textOf(v[0] + ":name", v[1]));
      row.appendChild(text);
      options.appendChild(row);
      boxes[d.key].push(input);
    });
    fieldset.appendChild(options);
    form.appendChild(fieldset);
  });

  function selection() {
    var sel = {};
    DIMS.forEach(function (d) {
      sel[d] = boxes[d].filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    });
    return sel;
  }

  var current = { sel: selection(), recs: [] };
  var shown = 0;
  var cards = document.getElementById("cards");
  var more = document.getElementById("more");

  function dd(dl, term, value) {
    dl.appendChild(el("dt", term));
    var node = el("dd");
    if (typeof value === "string") { node.textContent = value; } else { node.appendChild(value); }
    dl.appendChild(node);
  }

  function referenceNodes(ids) {
    var frag = document.createDocumentFragment();
    ids.forEach(function (id, i) {
      var r = ref(id);
      if (i) { frag.appendChild(document.createTextNode(SEP)); }
      if (r[1] && SAFE_URL.test(r[1])) {
        var a = el("a", r[0]);
        a.href = r[1];
        a.rel = "noopener noreferrer";
        frag.appendChild(a);
      } else {
        frag.appendChild(document.createTextNode(referenceText(id)));
      }
    });
    return frag;
  }

  function card(rec, total) {
    var p = rec.process;
    var li = el("li");
    var article = el("article", null, "card");
    article.tabIndex = -1;
    var headingId = "rec-" + rec.number;
    article.setAttribute("aria-labelledby", headingId);
    var h = el("h3", say("card_title", { n: rec.number, total: total }));
    h.id = headingId;
    article.appendChild(h);
    var dl = el("dl");
    dd(dl, U.term_principle, label("principle", p.principle));
    dd(dl, U.term_process, processNode(p));
    dd(dl, U.term_risk, labels("risk", p.risks) || U.none_given);
    if (rec.practices.length) {
      var ul = el("ul");
      rec.practices.forEach(function (q) {
        var item = el("li");
        item.setAttribute("data-practice", q.id);
        item.appendChild(el("span", q.id, "id"));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(textOf(q.id + ":text", q.text));
        var note = shownNarrowing(q);
        if (note) { item.appendChild(el("span", note, "note")); }
        if (q.references.length) {
          // "reference: {references}" around the links, in brackets.
          var around = U.reference.split("{references}");
          item.appendChild(document.createTextNode(" (" + around[0]));
          item.appendChild(referenceNodes(q.references));
          item.appendChild(document.createTextNode((around[1] || "") + ")"));
        }
        ul.appendChild(item);
      });
      dd(dl, U.term_practices, ul);
    } else {
      dd(dl, U.term_practices, U.no_practice);
    }
    dd(dl, U.term_authority, labels("authority", p.authorities) || U.none_given);
    dd(dl, U.term_stage, labels("stage", p.stages) || U.none_given);
    if (p.references.length) {
      dd(dl, U.term_references, referenceNodes(p.references));
    } else {
      dd(dl, U.term_references, U.no_reference);
    }
    article.appendChild(dl);
    li.appendChild(article);
    return li;
  }

  function showMore(focusFirst) {
    var total = current.recs.length;
    var end = Math.min(total, shown + PAGE);
    var first = null;
    for (var i = shown; i < end; i++) {
      var node = card(current.recs[i], total);
      if (first === null) { first = node.firstChild; }
      cards.appendChild(node);
    }
    shown = end;
    more.hidden = shown >= total;
    more.textContent = say("more_count", { n: total - shown });
    if (focusFirst && first) { first.focus(); }
  }

  function writeHash(sel) {
    var parts = [];
    DIMS.forEach(function (d) {
      if (sel[d].length) { parts.push(d + "=" + sel[d].map(encodeURIComponent).join(",")); }
    });
    try {
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname);
    } catch (_e) { /* some file:// contexts refuse; the page works without it */ }
  }

  function readHash() {
    var hash = location.hash.replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (part) {
      var kv = part.split("=");
      if (!boxes[kv[0]] || kv.length !== 2) { return; }
      var wanted = kv[1].split(",").map(function (v) {
        try { return decodeURIComponent(v); } catch (_e) { return ""; }
      });
      boxes[kv[0]].forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
    });
  }

  function update() {
    var sel = selection();
    current = { sel: sel, recs: query(sel) };
    DIMS.forEach(function (d) {
      var n = sel[d].length;
      document.getElementById("count-" + d).textContent =
        n ? say("count_some", { n: n, total: boxes[d].length }) : U.count_none;
    });
    document.getElementById("summary").textContent = say("summary", {
      dimensions: DIMS.map(function (d) {
        return dimension(d) + ": " + (labels(d, sel[d]) || U.any);
      }).join(" \u00b7 ")
    });
    document.getElementById("total").textContent = say("total", { n: current.recs.length });
    var n = current.recs.length;
    document.getElementById("jump").textContent = n === 1 ? U.jump_one
      : (n ? say("jump_many", { n: n }) : U.jump_none);
    document.getElementById("empty").hidden = n > 0;
    cards.textContent = "";
    shown = 0;
    showMore(false);
    writeHash(sel);
  }

  function download(text, filename, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a");
    a.href = url;
    a.download = filename;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function toResults(event) {
    event.preventDefault();  // keep the selection in the address, not "#results"
    var results = document.getElementById("results");
    results.scrollIntoView();
    results.focus();
  }
  document.querySelector("a.skip").addEventListener("click", toResults);
  document.getElementById("jump").addEventListener("click", toResults);

  form.addEventListener("change", update);
  document.getElementById("clear").addEventListener("click", function () {
    DIMS.forEach(function (d) { boxes[d].forEach(function (b) { b.checked = false; }); });
    update();
  });
  more.addEventListener("click", function () { showMore(true); });
  document.getElementById("download-csv").addEventListener("click", function () {
    download(toCsv(current.recs), "safeguards-canvas.csv", "text/csv;charset=utf-8");
  });
  document.getElementById("download-md").addEventListener("click", function () {
    download(toMarkdown(current.sel, current.recs), "safeguards-canvas.md",
      "text/markdown;charset=utf-8");
  });

  // For tests and tools driving the page: the same text the downloads hold.
  window.safeguardsCanvas = {
    csv: function () { return toCsv(current.recs); },
    markdown: function () { return toMarkdown(current.sel, current.recs); }
  };

  readHash();
  update();
}());
