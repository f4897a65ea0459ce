// galley serve: live reload. Injected into HTML pages by `galley serve` only; never in a build.
(function () {
  "use strict";
  var scrollKey = "galley-scroll:" + location.pathname;
  var serverKey = "galley-server";
  // The build this page was served from (the server marks its own script tag). Every hello
  // compares it with the server's, so a page that missed a rebuild, while its socket was down
  // or the server restarted, reloads; messages applied in place (css, error) move it forward.
  var me = document.currentScript;
  var served = me && me.dataset.server ? me.dataset.server : null;
  var version = me && me.dataset.version ? Number(me.dataset.version) : null;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(0, parseInt(saved, 10) || 0); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    links.forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("galley-reload", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = url.toString();
      fresh.onload = function () { link.remove(); };
      link.after(fresh);
    });
  }

  var overlayId = "galley-error-overlay";
  function hideOverlay() {
    var old = document.getElementById(overlayId);
    if (old) old.remove();
  }
  function showOverlay(diagnostics) {
    hideOverlay();
    var box = document.createElement("div");
    box.id = overlayId;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "Build error");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.92);color:#f5f5f5;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow:auto;padding:2rem;";
    var title = document.createElement("h2");
    title.textContent = "galley: the last change does not build";
    title.style.cssText = "margin:0 0 .5rem;font:600 1.25rem system-ui,sans-serif;color:#ff8a8a;";
    var note = document.createElement("p");
    note.textContent = "This page shows the last good build. Fix the file and save: the overlay goes away on its own.";
    note.style.cssText = "margin:0 0 1rem;font-family:system-ui,sans-serif;color:#ccc;";
    var close = document.createElement("button");
    close.textContent = "Dismiss";
    close.style.cssText = "position:absolute;top:1rem;right:1rem;font:inherit;padding:.25rem .75rem;cursor:pointer;";
    close.onclick = hideOverlay;
    box.append(title, note, close);
    diagnostics.forEach(function (d) {
      var where = document.createElement("div");
      where.className = "galley-error-location";
      where.textContent = d.file ? d.file + (d.line ? ":" + d.line + (d.column ? ":" + d.column : "") : "") : "";
      where.style.cssText = "color:#8ab4ff;margin-top:1rem;";
      var pre = document.createElement("pre");
      pre.className = "galley-error-message";
      pre.textContent = d.text || d.message;
      pre.style.cssText = "white-space:pre-wrap;margin:.25rem 0 0;";
      box.append(where, pre);
    });
    document.body.appendChild(box);
  }

  // Versions go up by one per rebuild: a gap means a rebuild this page never applied.
  function missed(next) {
    return version !== null && next > version + 1;
  }

  var delay = 250;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/__galley/livereload");
    socket.onopen = function () { delay = 250; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "hello") {
        var known = served || sessionStorage.getItem(serverKey);
        sessionStorage.setItem(serverKey, message.server);
        // A restarted server may hold different content: reload once it is back.
        if (known && known !== message.server) { reload(); return; }
        if (version !== null && version !== message.version) { reload(); return; }
        if (message.error) showOverlay(message.error); else hideOverlay();
      } else if (version !== null && message.version <= version) {
        // Already applied: the page was served from this build or a later one.
      } else if (message.type === "reload" || missed(message.version)) {
        reload();
      } else if (message.type === "css") {
        version = message.version;
        hideOverlay();
        swapStylesheets();
      } else if (message.type === "error") {
        version = message.version;
        showOverlay(message.diagnostics);
      }
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 2000);
    };
  }
  connect();
})();
