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
// them in the order of the select's options; Select2 shows the chosen authors in that order too. Select2 adds a
// newly found author as the last option but puts a removed one picked again back where it first stood, so the
// picked author's option is moved last.
//
// Under the field, a list of the chosen authors gives each a "Move up" and a "Move down" button that swap its
// option with its neighbour's. Their wording comes translated in the select's data-byline-* attributes
// (articles/admin.py, BylinePicker). Without JavaScript there is no list, and the form saves the order posted.
// The stories chosen for the related box (SeeAlsoPicker) get the same list: every select carrying
// data-byline-order does.
document.addEventListener("DOMContentLoaded", function () {
  var $ = window.django && window.django.jQuery;
  if (!$) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-byline-order]"), function (select) {
    orderedPicker(select, $);
  });
});

function orderedPicker(authors, $) {
  var wording = authors.dataset;
  var arrows = { up: "\u2191", down: "\u2193" };
  var wordingFor = { up: wording.bylineMoveUp, down: wording.bylineMoveDown };

  var box = document.createElement("div");
  box.className = "byline-order";
  box.hidden = true;
  var heading = document.createElement("p");
  heading.id = authors.id + "_order_label";
  heading.className = "byline-order-label";
  heading.textContent = wording.bylineOrder;
  var list = document.createElement("ol");
  list.setAttribute("aria-labelledby", heading.id);
  var status = document.createElement("p");
  status.className = "byline-order-status";
  status.setAttribute("role", "status");
  box.append(heading, list, status);
  (authors.closest(".related-widget-wrapper") || authors.parentNode).appendChild(box);

  // The translated wording with its %(name)s placeholders filled in.
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, key) { return key in values ? values[key] : whole; });
  }

  function chosen() {
    return Array.prototype.filter.call(authors.options, function (option) { return option.selected; });
  }

  // Numbers in the page's language; Arabic with Arabic-Indic digits, as on the public site (newsroom/jinja2.py).
  var language = document.documentElement.lang || "en";
  var numerals = new Intl.NumberFormat(language === "ar" ? "ar-u-nu-arab" : language);

  function button(option, direction, impossible) {
    var label = fill(wordingFor[direction], { name: option.text });
    var control = document.createElement("button");
    control.type = "button";
    control.className = "byline-move";
    control.textContent = arrows[direction];
    control.title = label;
    control.setAttribute("aria-label", label);
    control.dataset.value = option.value;
    control.dataset.direction = direction;
    control.disabled = impossible;
    control.addEventListener("click", function () { move(option, direction); });
    return control;
  }

  function render() {
    var options = chosen();
    list.replaceChildren.apply(list, options.map(function (option, at) {
      var item = document.createElement("li");
      var name = document.createElement("bdi");
      name.textContent = option.text;
      item.append(button(option, "up", at === 0), button(option, "down", at === options.length - 1), name);
      return item;
    }));
    // One author has nothing to be moved past.
    box.hidden = options.length < 2;
  }

  function move(option, direction) {
    var options = chosen();
    var at = options.indexOf(option);
    var neighbour = options[direction === "up" ? at - 1 : at + 1];
    if (!neighbour) { return; }
    if (direction === "up") {
      authors.insertBefore(option, neighbour);
    } else {
      authors.insertBefore(neighbour, option);
    }
    option.selected = neighbour.selected = true;
    $(authors).trigger("change.select2");
    render();
    var place = chosen().indexOf(option) + 1;
    status.textContent = fill(wording.bylineMoved, {
      name: option.text, position: numerals.format(place), count: numerals.format(options.length)
    });
    // Keep the keyboard on the author just moved: the same button, or the other one once at the end.
    var buttons = list.querySelectorAll("button");
    var own = Array.prototype.filter.call(buttons, function (b) { return b.dataset.value === option.value; });
    var next = own.filter(function (b) { return b.dataset.direction === direction && !b.disabled; })[0] ||
      own.filter(function (b) { return !b.disabled; })[0];
    if (next) { next.focus(); }
  }

  $(authors).on("select2:select", function (event) {
    var picked = String(event.params.data.id);
    var option = Array.prototype.find.call(authors.options, function (o) { return o.value === picked; });
    if (option && option !== authors.options[authors.options.length - 1]) {
      authors.appendChild(option);
      option.selected = true;
      $(authors).trigger("change.select2");
    }
    render();
  });
  $(authors).on("change", function () {
    status.textContent = "";
    render();
  });
  render();
}

// Filing a story in a section that suggests a type of work (Section.default_genre, e.g. Opinion: opinion) picks
// that type, so an opinion piece is not labelled as news because nobody thought of the field. The suggestions
// come in the section picker's data-section-genres attribute (articles/admin.py). A type picked by hand is
// never changed; moving the story on to a section without a suggestion puts back the type it had before the
// suggestion. Without JavaScript the field is simply there to pick.
document.addEventListener("DOMContentLoaded", function () {
  var section = document.getElementById("id_section");
  var radios = document.querySelectorAll('input[type="radio"][name="genre"]');
  if (!section || !radios.length || !section.dataset.sectionGenres) { return; }
  var suggested = JSON.parse(section.dataset.sectionGenres);
  var byHand = false;
  var before = null;  // the type the form had before a suggestion changed it

  function current() {
    var checked = Array.prototype.find.call(radios, function (radio) { return radio.checked; });
    return checked ? checked.value : null;
  }
  function pick(value) {
    Array.prototype.forEach.call(radios, function (radio) { radio.checked = radio.value === value; });
  }
  function follow() {
    if (byHand) { return; }
    var wanted = suggested[section.value];
    if (wanted) {
      if (before === null) { before = current(); }
      pick(wanted);
    } else if (before !== null) {
      pick(before);
      before = null;
    }
  }
  Array.prototype.forEach.call(radios, function (radio) {
    radio.addEventListener("change", function () { byHand = true; });
  });
  // Select2 announces a new choice with jQuery's "change", which listeners added with addEventListener miss.
  var $ = window.django && window.django.jQuery;
  if ($) { $(section).on("change", follow); } else { section.addEventListener("change", follow); }
});
// The desk panel's byline and picture pickers for live updates (templates/admin/articles/article/live_byline.html,
// live_picture.html): Select2 names its box by the entry chosen, so a box with none has no name for a screen reader. Name it by its label,
// once Select2 has drawn it (Django's autocomplete script draws the boxes as the page's scripts start).
window.addEventListener("load", function () {
  document.querySelectorAll('.desk-panel select[name="author"], .desk-panel select[name="image"]').forEach(function (select) {
    var label = select.closest("label");
    var name = label ? label.firstChild.textContent.trim() : "";
    var box = select.nextElementSibling;
    if (!name || !box) { return; }
    box.querySelectorAll('[role="textbox"], [role="combobox"]').forEach(function (part) {
      part.setAttribute("aria-label", name);
    });
  });
});
