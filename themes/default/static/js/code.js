// Post pages: a copy button per code block, and the table of contents collapsed on narrow
// screens (it is a sticky sidebar on wide ones).
(function () {
  "use strict";
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="9" y="9" width="11" height="11" rx="2"/><path d="M5 15V5a2 2 0 0 1 2-2h8"/></svg>';

  // The code without line numbers; for a `console` session, only the commands after "$ ".
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

  // execCommand: for plain http:// (no navigator.clipboard) and a refused clipboard permission.
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject();
  }

  function copy(text) {
    if (!navigator.clipboard) return legacyCopy(text);
    return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
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
  if (details && !window.matchMedia("(min-width: 70rem)").matches) details.open = false;
})();
