// A live story's open page follows its live updates (templates/jinja2/articles/article_detail.html).
// Every data-follow-seconds the page asks the site for itself again (revalidated: the page cache answers, and
// the browser's copy with 304 when nothing changed), takes the updates it has not shown yet and offers them
// with a button in a status region, as it offers the corrections and removals of updates it shows. Nothing
// moves under the reader until the button is pressed; then the new updates go on top, corrected ones are
// replaced, removed ones go, the story's "Updated" time, its key events and its pinned update are brought up to
// date and the keyboard goes to the newest.
// Polling pauses while the tab is hidden, and stops for
// good when the story is gone (404, 410) or its page no longer follows (no longer live, or turned off).
"use strict";
(function () {
  var ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";

  function localDigits(number) {
    var text = String(number);
    if (document.documentElement.lang !== "ar") { return text; }
    return text.replace(/[0-9]/g, function (digit) { return ARABIC_DIGITS[Number(digit)]; });
  }

  function follow(section) {
    var seconds = Number(section.dataset.followSeconds);
    var button = section.querySelector("button.live-new");
    if (!(seconds > 0) || !button || !window.fetch || !window.DOMParser) { return; }
    var address = window.location.pathname;
    // What the newest page asked for holds that this one does not show yet, worked out again on every answer:
    var waiting = []; // new updates, newest first
    var changed = []; // [shown update's id, its corrected version or null when it was removed]
    var updated = null; // the story's "Updated" time
    var keyEvents = null; // the list of key events (titled updates), or false when the newest page has none
    var pinned = null; // the pinned update's box when the newest page pins another (false: none), else null
    var timer = null;
    var asking = false;
    var stopped = false;

    function postedAt(item) {
      var time = item.querySelector(".live-update-link > time");
      return time ? Date.parse(time.getAttribute("datetime")) : NaN;
    }

    function editedAt(item) {
      var time = item.querySelector(".live-update-edited time");
      return time ? time.getAttribute("datetime") : "";
    }

    function offer() {
      if (waiting.length) {
        button.textContent = section.dataset.newUpdates.replace("%(count)s", localDigits(waiting.length));
      } else {
        button.textContent = section.dataset.changedUpdates;
      }
      button.hidden = waiting.length === 0 && changed.length === 0 && pinned === null;
    }

    function take(html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("section.live-updates");
      if (!fresh || !fresh.hasAttribute("data-follow-seconds")) { stopped = true; }
      if (!fresh) { return; }
      var items = Array.prototype.slice.call(fresh.querySelectorAll("article.live-update[id]"));
      var byId = {};
      items.forEach(function (item) { byId[item.id] = item; });
      // The answer holds every update readers see, or only the newest: then an older one missing is not gone.
      var oldest = fresh.hasAttribute("data-all-updates") || !items.length ? -Infinity : postedAt(items[items.length - 1]);
      waiting = items.filter(function (item) { return document.getElementById(item.id) === null; })
        .map(function (item) { return document.importNode(item, true); });
      changed = [];
      section.querySelectorAll("article.live-update[id]").forEach(function (shown) {
        var now = byId[shown.id];
        if (now && editedAt(now) !== editedAt(shown)) {
          changed.push([shown.id, document.importNode(now, true)]);
        } else if (!now && postedAt(shown) >= oldest) {
          changed.push([shown.id, null]);
        }
      });
      var time = doc.querySelector(".article-meta .updated");
      updated = time ? document.importNode(time, true) : null;
      var events = fresh.querySelector("nav.key-events");
      keyEvents = events ? document.importNode(events, true) : false;
      // A pin is offered as a change when the newest page pins another update, or the same one corrected.
      var pin = fresh.querySelector("div.live-pinned");
      var shownPin = section.querySelector("div.live-pinned");
      var pinNow = pin ? pin.dataset.pinned : "";
      pinned = pinNow === (shownPin ? shownPin.dataset.pinned : "") ? null : (pin ? document.importNode(pin, true) : false);
      offer();
    }

    function schedule() {
      if (!stopped && timer === null && !document.hidden) { timer = window.setTimeout(ask, seconds * 1000); }
    }

    function ask() {
      timer = null;
      if (stopped || asking || document.hidden) { return; }
      asking = true;
      window.fetch(address, { cache: "no-cache", credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (response.status === 404 || response.status === 410) { stopped = true; }
          return response.ok ? response.text() : null;
        })
        .then(function (html) { if (html) { take(html); } })
        .catch(function () { /* offline or the site is down: ask again later */ })
        .then(function () { asking = false; schedule(); });
    }

    // The header's "Updated" time, as the newest answer has it (a story updated within a minute of its
    // publication has none until then: it goes before the reading time).
    function showUpdated() {
      var shown = document.querySelector(".article-meta .updated");
      if (!updated) { return; }
      if (shown) {
        shown.replaceWith(updated);
      } else {
        var reading = document.querySelector(".article-meta .reading-time");
        if (reading) { reading.before(updated, " "); }
      }
      updated = null;
    }

    // Put `fresh` (an element of the newest answer; false: none there; null: no change) in place of the
    // section's element matching `selector`, or after `before` when the page has none, or take it away.
    function swap(selector, fresh, before) {
      var shown = section.querySelector(selector);
      if (fresh === null) { return; }
      if (shown && fresh) {
        shown.replaceWith(fresh);
      } else if (shown) {
        shown.remove();
      } else if (fresh) {
        before().after(fresh);
      }
    }

    function heading() { return section.querySelector("h2"); }

    // The key events go after the section's heading and the pinned update; the pinned update after the heading.
    function showKeyEvents() {
      swap("nav.key-events", keyEvents, function () { return section.querySelector("div.live-pinned") || heading(); });
      keyEvents = null;
    }

    function showPinned() {
      swap("div.live-pinned", pinned, heading);
      pinned = null;
    }

    button.addEventListener("click", function () {
      var focus = waiting[0] || null;
      changed.forEach(function (change) {
        var shown = document.getElementById(change[0]);
        if (!shown) { return; }
        if (change[1]) {
          shown.replaceWith(change[1]);
          focus = focus || change[1];
        } else {
          shown.remove();
        }
      });
      var first = section.querySelector("article.live-update[id]");
      // A story started live without updates says they will appear: the first one takes that sentence's place.
      var placeholder = section.querySelector("p.live-waiting");
      if (placeholder && waiting.length) {
        first = placeholder.nextSibling;
        placeholder.remove();
      }
      waiting.forEach(function (item) { section.insertBefore(item, first); });
      waiting = [];
      changed = [];
      showUpdated();
      showKeyEvents();
      showPinned();
      // What was put in may hold videos: their script (static/js/video_embeds.js) gives them their buttons.
      document.dispatchEvent(new CustomEvent("newsroom:content"));
      // The keyboard goes to the newest update shown, else the first corrected one, else (only removals) the
      // section's heading, so it is not left on the button as it hides.
      focus = focus || section.querySelector("h2");
      focus.setAttribute("tabindex", "-1");
      focus.focus();
      offer();
    });

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        window.clearTimeout(timer);
        timer = null;
      } else if (!asking) {
        ask();
      }
    });
    schedule();
  }

  function start() {
    var section = document.querySelector("section.live-updates[data-follow-seconds]");
    if (section) { follow(section); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
