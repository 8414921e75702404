// The entry form's draft: says so beside "My drafts" when an autosave did not reach the desk.
// The saving itself is htmx's (templates/orders/_drafts.html): never in the way of typing.
//
// Listens to: htmx:sendError and htmx:responseError of the autosave (#draft-autosave).
// Dispatches: none.
(function () {
  "use strict";

  function notSaved(event) {
    var elt = event.detail.elt;
    var status = document.getElementById("draft-status");
    if (elt && elt.id === "draft-autosave" && status) {
      status.textContent = "Not saved as a draft just now: the desk could not be reached. It tries again as you type.";
    }
  }

  document.addEventListener("htmx:sendError", notSaved);
  document.addEventListener("htmx:responseError", notSaved);
})();
