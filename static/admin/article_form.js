// Keep the article form's text fields in the story's writing direction when its language changes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var language = document.getElementById("id_language");
  if (!language) { return; }
  var fields = ["id_kicker", "id_headline", "id_slug", "id_standfirst", "id_byline"];
  function apply() {
    var dir = language.value === "ar" ? "rtl" : "auto";
    fields.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.setAttribute("dir", dir); }
    });
    if (window.tinymce && window.tinymce.get("id_body")) {
      window.tinymce.get("id_body").getBody().setAttribute("dir", language.value === "ar" ? "rtl" : "ltr");
    }
  }
  language.addEventListener("change", apply);
});
