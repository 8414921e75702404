// The entry form's draft: the page's address becomes the draft's once it is saved, so a reload
// (or the browser brought back) opens the order as it was left; what was typed since the last
// save goes to the desk as the page is left; and a save that did not reach the desk is said
// beside "My drafts". The saving itself is htmx's (templates/orders/_drafts.html): never in the
// way of typing.
//
// Listens to: draft:saved {url} (the desk's answer to a save), input and change in the order
// form, draft-changed on the body, htmx:beforeRequest, htmx:afterRequest, htmx:sendError and
// htmx:responseError of the autosave (#draft-autosave), beforeunload.
// Dispatches: none.
(function () {
  "use strict";

  function autosave() {
    return document.getElementById("draft-autosave");
  }

  function isAutosave(event) {
    var elt = event.detail && event.detail.elt;
    return !!elt && elt.id === "draft-autosave";
  }

  // Changes counted as they happen; "saved" is the count the last save that reached the desk
  // carried, "asked" the count of the save on its way.
  var changes = 0;
  var asked = 0;
  var saved = 0;

  function changed(event) {
    if (event.type === "draft-changed" || (event.target.closest && event.target.closest("#order-form"))) {
      changes += 1;
    }
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.body.addEventListener("draft-changed", changed);

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isAutosave(event)) {
      asked = changes;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (isAutosave(event) && event.detail.successful) {
      saved = Math.max(saved, asked);
    }
  });

  document.addEventListener("draft:saved", function (event) {
    var url = event.detail && event.detail.url;
    if (url && window.location.pathname !== url) {
      history.replaceState(history.state, "", url);
    }
  });

  function notSaved(event) {
    var status = document.getElementById("draft-status");
    if (isAutosave(event) && status) {
      status.textContent = "Not saved as a draft just now: the desk could not be reached. It tries again as you type.";
    }
  }

  document.addEventListener("htmx:sendError", notSaved);
  document.addEventListener("htmx:responseError", notSaved);

  // Leaving the page (a reload, closing it, a link) with typing the autosave has not carried
  // yet: that last part goes now, in a request the browser finishes after the page has gone.
  // An order sent meanwhile is not made a draft again: the desk answers "saved already".
  window.addEventListener("beforeunload", function () {
    var save = autosave();
    var form = document.getElementById("order-form");
    if (!save || !form || changes === saved) {
      return;
    }
    var body = new URLSearchParams(new FormData(form));
    try {
      fetch(save.getAttribute("hx-post"), {
        method: "POST",
        body: body,
        keepalive: true,
        credentials: "same-origin",
        headers: {"HX-Request": "true"},
      });
    } catch (error) {
      // A body over the browser's limit for such requests: the last autosave stands.
    }
  });
})();
