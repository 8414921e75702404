// The reference check beside the reference box (templates/orders/_reference_check.html): htmx
// asks after a pause in typing and when the box is left, and a newer question cancels an older
// one. An answer that arrives after the agent typed on, before the next question went, is about
// text no longer in the box: it is dropped, and the next answer says what the box holds now.
// While the check says something, the box is described by it (aria-describedby), and no longer
// once it says nothing: an empty description is no description. Nothing here touches the focus
// or the box's text. The same question (the same text, for the same tenant) is asked once: the
// box left straight after the pause asks nothing more, and a question that got no answer is
// asked again next time.
//
// Listens to: htmx:confirm, htmx:configRequest, htmx:afterRequest, htmx:beforeSwap,
// htmx:afterSwap (#reference-check).
// Dispatches: none.
(function () {
  "use strict";

  function box(said) {
    return document.getElementById(said.getAttribute("data-box") || "");
  }

  // What a question asks: the box's text, for the tenant chosen.
  function question(said) {
    var tenant = document.getElementById("id_tenant");
    return box(said).value + "\n" + (tenant ? tenant.value : "");
  }

  document.addEventListener("htmx:confirm", function (event) {
    var said = event.detail.elt;
    if (!said || said.id !== "reference-check" || !box(said)) {
      return;
    }
    if (said.getAttribute("data-question") === question(said)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var said = event.detail.elt;
    if (!said || said.id !== "reference-check" || !box(said)) {
      return;
    }
    said.setAttribute("data-asked", box(said).value);
    said.setAttribute("data-question", question(said));
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var said = event.detail.elt;
    if (!said || said.id !== "reference-check" || event.detail.successful) {
      return;
    }
    // No answer (the network, the desk, or a newer question cancelling it): ask again next time.
    said.removeAttribute("data-question");
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

  document.addEventListener("htmx:afterSwap", function (event) {
    var said = event.detail.elt;
    if (!said || said.id !== "reference-check" || !box(said)) {
      return;
    }
    var detail = { id: said.id, on: !!said.textContent.trim() };
    box(said).dispatchEvent(new CustomEvent("describedby:set", { bubbles: true, detail: detail }));
  });
})();
