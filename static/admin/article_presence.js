// Soft presence on the article form: tell the server we have it open, and show who else has.
// The element #desk-presence carries the endpoint in data-url; entries expire on the server after 60 s.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("desk-presence");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!box || !token || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var label = box.getAttribute("data-label") || "Also open now by:";

  function show(others) {
    if (!others.length) { box.textContent = ""; return; }
    box.textContent = label + " " + others.map(function (p) { return p.name; }).join(", ");
  }

  function beat() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { others: [] }; })
      .then(function (data) { show(data.others || []); })
      .catch(function () { /* the notice is a courtesy; the version check protects the text */ });
  }

  beat();
  window.setInterval(beat, 20000);
  window.addEventListener("pagehide", function () {
    if (!navigator.sendBeacon) { return; }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    body.append("leave", "1");
    navigator.sendBeacon(url, body);
  });
});
