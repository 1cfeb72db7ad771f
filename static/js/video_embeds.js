// Story videos (articles/embeds.py): nothing is loaded from YouTube or Vimeo until the reader presses "Play
// video". Then the facade is replaced by the host's player, from the addresses the page's policy allows
// (YouTube's cookie-less domain, Vimeo with do-not-track). Without JavaScript the button stays hidden and the
// facade's plain link leads to the video on its host.
"use strict";
(function () {
  var PLAYERS = ["https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/"];

  function allowed(address) {
    return PLAYERS.some(function (start) { return address.indexOf(start) === 0; });
  }

  function play(figure) {
    var address = figure.dataset.player || "";
    if (!allowed(address)) { return; }
    var frame = document.createElement("iframe");
    frame.src = address;
    frame.title = figure.dataset.frameTitle || "";
    frame.setAttribute("allow", "fullscreen; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    var box = document.createElement("div");
    box.className = "video-frame";
    box.appendChild(frame);
    figure.querySelector(".video-facade").replaceWith(box);
    // The button the reader pressed is gone: keep the keyboard where the video now is.
    frame.focus();
  }

  // Every facade on the page not yet given its button; run again when a live story's page shows new updates
  // (static/js/live_updates.js announces them with a "newsroom:content" event).
  function start() {
    document.querySelectorAll("figure.video[data-player]:not([data-ready])").forEach(function (figure) {
      var button = figure.querySelector(".video-play");
      if (!button) { return; }
      figure.setAttribute("data-ready", "");
      button.hidden = false;
      button.addEventListener("click", function () { play(figure); });
    });
  }

  document.addEventListener("newsroom:content", start);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
