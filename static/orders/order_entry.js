// Keyboard-first order entry: Enter moves on instead of sending, Enter in a line's quantity adds
// the next line, Ctrl+Enter sends, "Add line" focuses the new row, and leaving a half-keyed order
// asks first.
//
// Listens to: keydown, input, click (Remove), submit, beforeunload; htmx:afterSwap of the order
// form (#order-form, sent back with problems) and of "Add line" (#add-line); htmx:responseError of
// "Add line"; and the entry page's own events:
//   lookup:settled (late: false) and lookup:pending, from lookups.js: move on from the box;
//   lines:pasted, from paste_lines.js: the order has changed (ask before leaving it).
// Dispatches: none.
(function () {
  "use strict";

  function orderForm() {
    return document.getElementById("order-form");
  }

  function visibleRows(form) {
    return Array.from(form.querySelectorAll(".line-row")).filter(function (row) {
      return !row.hidden;
    });
  }

  function focusables(form) {
    return Array.from(form.querySelectorAll("input, select, textarea, button")).filter(function (el) {
      return !el.disabled && el.type !== "hidden" && !el.hidden && el.offsetParent !== null && el.tabIndex >= 0;
    });
  }

  function focusNext(form, current) {
    var items = focusables(form);
    var next = items[items.indexOf(current) + 1];
    if (next) {
      next.focus();
    }
  }

  function isLookup(el) {
    return !!(el.classList && el.classList.contains("lookup-input"));
  }

  // Enter's "next field": a line's product → its quantity; a quantity → the next line's product,
  // or a new line; anything else → the next field.
  function moveOn(form, target) {
    var row = target.closest(".line-row");
    if (row && target.classList.contains("line-product")) {
      row.querySelector(".line-quantity").focus();
      return;
    }
    if (row && target.classList.contains("line-quantity")) {
      var rows = visibleRows(form);
      var next = rows[rows.indexOf(row) + 1];
      if (next) {
        next.querySelector(".line-product").focus();
      } else {
        document.getElementById("add-line").click();
      }
      return;
    }
    focusNext(form, target);
  }

  var dirty = false;

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#order-form")) {
      dirty = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && orderForm()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id === "order-form") {
      dirty = false;
    }
  });

  document.addEventListener("keydown", function (event) {
    var form = orderForm();
    var target = event.target;
    if (!form || !form.contains(target) || event.key !== "Enter") {
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("send-order"));
      return;
    }
    if (target.tagName === "TEXTAREA" || target.tagName === "BUTTON" || target.tagName === "SUMMARY") {
      return;
    }
    if (isLookup(target) && !event.altKey && !event.shiftKey) {
      // Enter in a lookup box is the lookup's: it says lookup:settled or lookup:pending when the
      // agent may move on, and nothing while there is still a choice to make.
      return;
    }
    // A scanner or an agent pressing Enter means "next field", never "send the order".
    event.preventDefault();
    moveOn(form, target);
  });

  function lookupDone(event) {
    var form = orderForm();
    var input = event.target;
    // A late answer settles a box the agent has already left: the focus stays where they are.
    if (!form || !form.contains(input) || event.detail.late) {
      return;
    }
    moveOn(form, input);
  }
  document.addEventListener("lookup:settled", lookupDone);
  document.addEventListener("lookup:pending", lookupDone);

  document.addEventListener("lines:pasted", function () {
    dirty = true;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".remove-line");
    if (!button) {
      return;
    }
    var form = orderForm();
    var row = button.closest(".line-row");
    var rows = visibleRows(form);
    var previous = rows[rows.indexOf(row) - 1] || rows[rows.indexOf(row) + 1];
    // The row stays in the form, marked for deletion, so Django's formset numbering holds.
    row.querySelector(".line-delete").checked = true;
    row.hidden = true;
    dirty = true;
    if (previous) {
      previous.querySelector(".line-product").focus();
    } else {
      document.getElementById("add-line").focus();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.target;
    if (swapped && swapped.id === "order-form") {
      // The form came back with problems: take the agent to the first one.
      var firstError = swapped.querySelector(".field.has-error input, .field.has-error select, .field.has-error textarea");
      var banner = document.getElementById("order-problem");
      if (firstError) {
        firstError.focus();
        firstError.scrollIntoView({ block: "center" });
      } else if (banner) {
        banner.scrollIntoView({ block: "center" });
      }
      return;
    }
    if (swapped && swapped.id === "order-lines" && event.detail.elt.id === "add-line") {
      var rows = visibleRows(orderForm());
      var last = rows[rows.length - 1];
      if (last) {
        // Wire the row's lookups now, not when htmx settles it a moment later: an agent or a
        // scanner typing into it before then would otherwise raise no suggestions.
        htmx.process(last);
        var product = last.querySelector(".line-product");
        product.focus();
        // Focused now; htmx would focus [autofocus] again when the row settles, and by then a
        // scanner may already have moved on to the quantity.
        product.removeAttribute("autofocus");
      }
      document.getElementById("line-status").textContent = "";
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = document.getElementById("line-status");
    var elt = event.detail.elt;
    if (status && elt && elt.id === "add-line") {
      status.textContent = event.detail.xhr.responseText;
    }
    // The order was not taken (too large, say): htmx keeps the form as typed; say why beside
    // the button. The desk's refusals come as plain words (clarus_admin/errors.py).
    var sendStatus = document.getElementById("send-status");
    if (elt && elt.id === "order-form" && sendStatus) {
      var xhr = event.detail.xhr;
      var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
      sendStatus.textContent = plain
        ? xhr.responseText
        : "The desk did not take the order (" + xhr.status + "): nothing was sent. Try again.";
    }
  });
})();
