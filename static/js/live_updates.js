// A live story's open page follows its live updates (templates/jinja2/articles/article_detail.html).
// Every data-follow-seconds the page asks the site for itself again (revalidated: the page cache answers, and
// the browser's copy with 304 when nothing changed), takes the updates it has not shown yet and offers them
// with a button in a status region. Nothing moves under the reader until the button is pressed; then the new
// updates go on top, the story's "Updated" time is brought up to date and the keyboard goes to the newest.
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
    var waiting = []; // fetched updates not yet shown, newest first
    var updated = null; // the "Updated" time of the page the waiting updates came from
    var timer = null;
    var asking = false;
    var stopped = false;

    function known(id) {
      return document.getElementById(id) !== null || waiting.some(function (item) { return item.id === id; });
    }

    function offer() {
      button.textContent = section.dataset.newUpdates.replace("%(count)s", localDigits(waiting.length));
      button.hidden = waiting.length === 0;
    }

    function take(html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("section.live-updates");
      if (!fresh || !fresh.hasAttribute("data-follow-seconds")) { stopped = true; }
      if (!fresh) { return; }
      var found = [];
      fresh.querySelectorAll("article.live-update[id]").forEach(function (item) {
        if (!known(item.id)) { found.push(document.importNode(item, true)); }
      });
      if (found.length) {
        waiting = found.concat(waiting);
        var time = doc.querySelector(".article-meta .updated");
        updated = time ? document.importNode(time, true) : updated;
        offer();
      }
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

    // The header's "Updated" time, as the page the shown updates came from has it (a story updated within a
    // minute of its publication has none until then: it goes before the reading time).
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

    button.addEventListener("click", function () {
      var first = section.querySelector("article.live-update");
      waiting.forEach(function (item) { section.insertBefore(item, first); });
      var newest = waiting[0];
      waiting = [];
      showUpdated();
      if (newest) {
        newest.setAttribute("tabindex", "-1");
        newest.focus();
      }
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
