// The search page: fetches search_index.json once and searches it as the reader types. Every
// query word must match; title > headings, tags > description > body, word starts count double.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.querySelector("[data-search-status]");
  if (!form || !input || !list) return;

  // What a match in each field is worth.
  var WEIGHTS = { title: 10, headings: 4, tags: 4, description: 3, body: 1 };
  var docs = null;
  var loading = null;
  var selected = -1;
  var results = [];

  function load() {
    if (!loading) {
      loading = fetch(form.getAttribute("data-index"))
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          docs = data.map(function (d) {
            var entry = { doc: d };
            for (var field in WEIGHTS) entry[field] = fold([].concat(d[field] || "").join(" "));
            return entry;
          });
        })
        .catch(function () { status.textContent = "The search index could not be loaded."; });
    }
    return loading;
  }

  // Lower case without accents, so "resume" finds "résumé".
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function fieldScore(field, word, weight) {
    var at = field.indexOf(word);
    if (at < 0) return 0;
    var start = at === 0 || /[^a-z0-9]/.test(field.charAt(at - 1));
    return weight * (start ? 2 : 1);
  }

  function score(entry, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var s = 0;
      for (var field in WEIGHTS) s += fieldScore(entry[field], words[i], WEIGHTS[field]);
      if (!s) return 0;
      total += s;
    }
    return total;
  }

  // A short excerpt of the body around the first matching word, with the words marked.
  function excerpt(entry, words) {
    var text = entry.doc.body || entry.doc.description || "";
    var at = -1;
    for (var i = 0; i < words.length && at < 0; i++) at = entry.body.indexOf(words[i]);
    if (at < 0) text = entry.doc.description || text.slice(0, 160);
    else {
      var from = Math.max(0, at - 60);
      text = (from > 0 ? "…" : "") + text.slice(from, at + 120) + "…";
    }
    return mark(text, words);
  }

  function mark(text, words) {
    var html = escapeHtml(text);
    var pattern = words.filter(Boolean).map(function (w) {
      return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|");
    return pattern ? html.replace(new RegExp("(" + pattern + ")", "gi"), "<mark>$1</mark>") : html;
  }

  function render(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.innerHTML = "";
    selected = -1;
    input.removeAttribute("aria-activedescendant");
    if (!words.length) {
      results = [];
      status.textContent = "";
      input.setAttribute("aria-expanded", "false");
      return;
    }
    results = docs
      .map(function (entry) { return { entry: entry, score: score(entry, words) }; })
      .filter(function (r) { return r.score > 0; })
      .sort(function (a, b) { return b.score - a.score || (b.entry.doc.date || "").localeCompare(a.entry.doc.date || ""); })
      .slice(0, 20);
    status.textContent = results.length
      ? results.length + (results.length === 1 ? " result" : " results") + " for “" + query.trim() + "”"
      : "No posts match “" + query.trim() + "”. Try fewer or shorter words.";
    results.forEach(function (r, i) {
      var d = r.entry.doc;
      var li = document.createElement("li");
      li.id = "search-result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var date = d.date ? new Date(d.date).toLocaleDateString(document.documentElement.lang || undefined, { year: "numeric", month: "short", day: "numeric" }) : "";
      var tags = (d.tags || []).map(function (t) { return "#" + t; }).join(" ");
      li.innerHTML = '<a href="' + escapeHtml(d.url) + '" tabindex="-1">' +
        '<span class="search-result-title">' + mark(d.title, words) + "</span>" +
        '<span class="search-result-meta">' + escapeHtml([date, tags].filter(Boolean).join(" · ")) + "</span>" +
        '<span class="search-result-text">' + excerpt(r.entry, words) + "</span></a>";
      list.appendChild(li);
    });
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    if (results.length) select(0);
  }

  function select(index) {
    var items = list.children;
    if (!items.length) return;
    if (selected >= 0 && items[selected]) items[selected].setAttribute("aria-selected", "false");
    selected = (index + items.length) % items.length;
    items[selected].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", items[selected].id);
    items[selected].scrollIntoView({ block: "nearest" });
  }

  function search() {
    var query = input.value;
    load().then(function () {
      if (docs && input.value === query) render(query);
    });
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
  }

  input.addEventListener("input", search);
  input.addEventListener("focus", load, { once: true });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); select(selected - 1); }
    else if (event.key === "Enter") {
      event.preventDefault();
      var link = selected >= 0 && list.children[selected] && list.children[selected].querySelector("a");
      if (link) window.location.href = link.href;
    } else if (event.key === "Escape") { input.value = ""; search(); }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; search(); }
  input.focus();
})();
