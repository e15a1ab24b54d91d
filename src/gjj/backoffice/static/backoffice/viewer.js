// The case screen's materials viewer: one material at a time, next/previous, zoom and rotate.
// Images are transformed in place; PDFs open in the browser's own viewer.
(function () {
  "use strict";
  var root = document.querySelector("[data-viewer]");
  if (!root) { return; }
  var picks = Array.prototype.slice.call(root.querySelectorAll(".bo-viewer__pick"));
  var image = root.querySelector("#viewer-image");
  var pdf = root.querySelector("#viewer-pdf");
  var caption = root.querySelector("#viewer-caption");
  var stage = root.querySelector("#viewer-stage");
  if (!picks.length || !image) { return; }
  var state = { index: 0, scale: 1, turn: 0 };

  function apply() {
    image.style.transform = "scale(" + state.scale + ") rotate(" + state.turn + "deg)";
    image.dataset.scale = String(state.scale);
    image.dataset.rotation = String(state.turn);
  }

  function show(index) {
    state.index = (index + picks.length) % picks.length;
    state.scale = 1;
    state.turn = 0;
    var pick = picks[state.index];
    picks.forEach(function (p) { p.removeAttribute("aria-current"); });
    pick.setAttribute("aria-current", "true");
    var isPdf = pick.dataset.kind === "application/pdf";
    image.hidden = isPdf;
    pdf.hidden = !isPdf;
    if (isPdf) {
      pdf.src = pick.dataset.src;
    } else {
      image.src = pick.dataset.src;
      image.alt = pick.dataset.name;
    }
    caption.textContent = pick.dataset.name + "（第 " + (state.index + 1) + " / " + picks.length + " 份）";
    apply();
  }

  var actions = {
    prev: function () { show(state.index < 0 ? picks.length - 1 : state.index - 1); },
    next: function () { show(state.index + 1); },
    "zoom-in": function () { state.scale = Math.min(4, Math.round((state.scale + 0.25) * 100) / 100); apply(); },
    "zoom-out": function () { state.scale = Math.max(0.25, Math.round((state.scale - 0.25) * 100) / 100); apply(); },
    rotate: function () { state.turn = (state.turn + 90) % 360; apply(); },
    reset: function () { state.scale = 1; state.turn = 0; apply(); }
  };

  picks.forEach(function (pick, index) {
    pick.addEventListener("click", function () { show(index); });
  });
  root.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.action](); });
  });
  stage.addEventListener("keydown", function (event) {
    var key = { ArrowLeft: "prev", ArrowRight: "next", "+": "zoom-in", "-": "zoom-out", r: "rotate" }[event.key];
    if (key) { event.preventDefault(); actions[key](); }
  });
  // Nothing is loaded until the reviewer picks a material: every opening is an audited view.
  caption.textContent = "请选择要查看的材料（共 " + picks.length + " 份）";
  state.index = -1;
})();
