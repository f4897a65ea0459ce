// Every page: the dark-mode toggle and the "/" shortcut to search. Loaded with `defer`; the
// class on <html> was already set before the first paint by the inline script in <head>.
(function () {
  "use strict";
  var root = document.documentElement;
  var dark = window.matchMedia("(prefers-color-scheme: dark)");

  function isDark() {
    return root.classList.contains("dark") || (!root.classList.contains("light") && dark.matches);
  }

  function sync(button) {
    var on = isDark();
    button.setAttribute("aria-pressed", String(on));
    button.title = on ? "Switch to light mode" : "Switch to dark mode";
  }

  var button = document.querySelector("[data-theme-toggle]");
  if (button) {
    sync(button);
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.classList.remove("light", "dark");
      root.classList.add(next);
      try { localStorage.setItem("theme", next); } catch (e) { /* private mode: not remembered */ }
      sync(button);
    });
    // Follow the system while the reader has not chosen.
    if (dark.addEventListener) dark.addEventListener("change", function () { sync(button); });
  }

  // "/" focuses the search box, or opens the search page from anywhere else.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var input = document.getElementById("search-input");
    var link = document.querySelector("[data-search-link]");
    if (input) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });
})();
