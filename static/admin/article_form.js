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

// Authors are printed in the order they are picked (the byline's, lead writer first), and the browser posts
// them in the order of the select's options. Select2 adds a newly found author as the last option but puts a
// removed one picked again back where it first stood; moving the picked author's option last makes "remove,
// then pick again" move an author to the end of the byline.
document.addEventListener("DOMContentLoaded", function () {
  var authors = document.getElementById("id_authors");
  var $ = window.django && window.django.jQuery;
  if (!authors || !$) { return; }
  $(authors).on("select2:select", function (event) {
    var picked = String(event.params.data.id);
    var option = Array.prototype.find.call(authors.options, function (o) { return o.value === picked; });
    if (option && option !== authors.options[authors.options.length - 1]) {
      authors.appendChild(option);
      option.selected = true;
      $(authors).trigger("change.select2");  // Select2 shows the chosen authors in the options' order
    }
  });
});
