// The keys of the entry page, in a dialog: "?" opens it when the agent is not typing in a box,
// the "Keys (?)" button too; Escape or "Close" shuts it and the focus goes back where it was.
//
// Listens to: keydown, click (#keys-help-open, #keys-help-close). Dispatches: none.
(function () {
  "use strict";

  function typing(el) {
    if (!el || !el.tagName) {
      return false;
    }
    return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(el.tagName) >= 0;
  }

  function dialog() {
    return document.getElementById("keys-help");
  }

  function open() {
    var box = dialog();
    if (box && !box.open) {
      box.showModal();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    event.preventDefault();
    open();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("#keys-help-open")) {
      open();
    } else if (target.closest && target.closest("#keys-help-close")) {
      dialog().close();
    }
  });
})();
