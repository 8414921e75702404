// The reference check beside the reference box (templates/orders/_reference_check.html): htmx
// asks after a pause in typing and when the box is left, and a newer question cancels an older
// one. An answer that arrives after the agent typed on, before the next question went, is about
// text no longer in the box: it is dropped, and the next answer says what the box holds now.
// Nothing here touches the focus or the box.
//
// Listens to: htmx:configRequest, htmx:beforeSwap (#reference-check). Dispatches: none.
(function () {
  "use strict";

  function box(said) {
    return document.getElementById(said.getAttribute("data-box") || "");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var said = event.detail.elt;
    if (!said || said.id !== "reference-check" || !box(said)) {
      return;
    }
    said.setAttribute("data-asked", box(said).value);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var said = event.detail.elt;
    if (!said || said.id !== "reference-check" || !box(said)) {
      return;
    }
    if (said.getAttribute("data-asked") !== box(said).value) {
      event.detail.shouldSwap = false;
    }
  });
})();
