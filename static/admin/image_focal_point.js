// The focal point: click the picture on an image's admin page to set the point every crop keeps in frame.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var picker = document.querySelector(".focal-picker");
  var xInput = document.getElementById("id_focal_x");
  var yInput = document.getElementById("id_focal_y");
  if (!picker || !xInput || !yInput) { return; }  // read-only page: nothing to set
  var picture = picker.querySelector("img");
  var marker = picker.querySelector(".focal-marker");
  picker.classList.add("is-editable");

  function clamp(value) { return Math.min(1, Math.max(0, value)); }
  function place() {
    marker.style.left = (clamp(parseFloat(xInput.value) || 0) * 100) + "%";
    marker.style.top = (clamp(parseFloat(yInput.value) || 0) * 100) + "%";
  }
  picture.addEventListener("click", function (event) {
    var box = picture.getBoundingClientRect();
    xInput.value = clamp((event.clientX - box.left) / box.width).toFixed(3);
    yInput.value = clamp((event.clientY - box.top) / box.height).toFixed(3);
    place();
  });
  xInput.addEventListener("input", place);
  yInput.addEventListener("input", place);
  place();
});
