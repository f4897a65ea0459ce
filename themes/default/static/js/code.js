// Post pages: a copy button on every code block, and the table of contents (collapsed on
// narrow screens, current section marked on wide ones). No framework; loaded with `defer`.
(function () {
  "use strict";
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="9" y="9" width="11" height="11" rx="2"/><path d="M5 15V5a2 2 0 0 1 2-2h8"/></svg>';

  // The text a reader wants on the clipboard: the code without line numbers; for a `console`
  // session, only the commands (lines after "$ "), without prompts or output.
  function codeText(pre) {
    var code = pre.querySelector("code") || pre;
    var copy = code.cloneNode(true);
    copy.querySelectorAll(".ln").forEach(function (n) { n.remove(); });
    var text = copy.textContent.replace(/\n$/, "");
    if (pre.getAttribute("data-lang") === "console") {
      var commands = text.split("\n").filter(function (l) { return l.indexOf("$ ") === 0; });
      if (commands.length) text = commands.map(function (l) { return l.slice(2); }).join("\n");
    }
    return text;
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.querySelectorAll("figure.code-block").forEach(function (figure) {
    var pre = figure.querySelector("pre");
    var code = pre && pre.querySelector("code");
    if (!pre || (code && code.getAttribute("data-copy") === "false")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.innerHTML = ICON + "<span>Copy</span>";
    button.setAttribute("aria-label", "Copy code to clipboard");
    var label = button.querySelector("span");
    var timer;
    button.addEventListener("click", function () {
      copy(codeText(pre)).then(function () {
        label.textContent = "Copied";
        button.setAttribute("data-copied", "");
      }, function () {
        label.textContent = "Press Ctrl+C";
      }).then(function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          label.textContent = "Copy";
          button.removeAttribute("data-copied");
        }, 2000);
      });
    });
    var header = figure.querySelector(".code-header");
    (header || figure).appendChild(button);
  });

  var toc = document.querySelector(".toc");
  if (!toc) return;
  var details = toc.querySelector("details");
  var wide = window.matchMedia("(min-width: 70rem)");
  if (details && !wide.matches) details.open = false;

  // Mark the section being read: the last heading above the top fifth of the window.
  var links = Array.prototype.slice.call(toc.querySelectorAll("a[href^='#']"));
  var targets = links.map(function (a) { return document.getElementById(decodeURIComponent(a.hash.slice(1))); });
  var current = null;
  var ticking = false;
  function update() {
    ticking = false;
    var line = window.innerHeight / 5;
    var index = -1;
    for (var i = 0; i < targets.length; i++) {
      if (targets[i] && targets[i].getBoundingClientRect().top <= line) index = i;
    }
    var link = index >= 0 ? links[index] : null;
    if (link === current) return;
    if (current) current.removeAttribute("aria-current");
    if (link) link.setAttribute("aria-current", "true");
    current = link;
  }
  window.addEventListener("scroll", function () {
    if (!ticking) { ticking = true; window.requestAnimationFrame(update); }
  }, { passive: true });
  update();
})();
