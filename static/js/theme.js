// A reader's choice of light or dark pages, kept in this browser only (localStorage; no cookie, so the page
// cache still serves every reader the same bytes). Loaded in <head> before the stylesheet, without "defer", so a
// chosen theme is on <html> (data-theme, read by static/css/site.css) before the page is first painted. Until
// the reader chooses, the pages follow the device. The footer's "Dark mode" button is hidden in the HTML and
// shown here, so a reader without scripts is not offered a button that does nothing.
(function () {
  "use strict";
  var KEY = "newsroom-theme";
  var root = document.documentElement;
  var device = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "dark" || value === "light" ? value : null;
    } catch (error) {
      return null; // storage refused (a private window, a blocked site): follow the device
    }
  }

  function apply(theme) {
    if (theme) {
      root.setAttribute("data-theme", theme);
    }
    // The browser paints the canvas before the stylesheet arrives by this (base.html's meta), so it agrees too.
    var meta = document.querySelector('meta[name="color-scheme"]');
    if (meta && theme) {
      meta.setAttribute("content", theme);
    }
  }

  function isDark() {
    var theme = root.getAttribute("data-theme");
    return theme ? theme === "dark" : device.matches;
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("button.theme-switch");
    if (!button) {
      return;
    }
    function show() {
      button.setAttribute("aria-pressed", isDark() ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var theme = isDark() ? "light" : "dark";
      apply(theme);
      try {
        window.localStorage.setItem(KEY, theme);
      } catch (error) {
        // not kept: this page still changes
      }
      show();
    });
    if (device.addEventListener) {
      device.addEventListener("change", show); // the device switched while the reader has not chosen
    }
    show();
    button.hidden = false;
  });
})();
