// Every page: the dark-mode toggle (html.dark / html.light, saved in localStorage; the inline
// script in <head> applies it before the first paint) and "/" to search.
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
      try { localStorage.setItem("theme", next); } catch (e) { /* private mode */ }
      sync(button);
    });
    if (dark.addEventListener) dark.addEventListener("change", function () { sync(button); });
  }

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
