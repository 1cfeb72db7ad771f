// The body editor (TinyMCE) in the admin's theme: its dark skin and a dark page to write on when the admin is
// dark, chosen with the admin's theme switch or "auto" on a device that asks for dark colours.
//
// django-tinymce loads this between TinyMCE itself and the script that starts each editor
// (settings.TINYMCE_EXTRA_MEDIA), so these defaults are in place before any editor starts. The admin's theme is
// on <html data-theme> from its own theme.js, which runs first. Switching the theme while a form is open
// changes the editor on the next load of the page.
"use strict";
(function () {
  if (!window.tinymce) { return; }
  var theme = document.documentElement.dataset.theme || "auto";
  var dark = theme === "dark" || (theme === "auto" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  if (dark) {
    window.tinymce.overrideDefaults({ skin: "oxide-dark", content_css: "dark" });
  }
})();
