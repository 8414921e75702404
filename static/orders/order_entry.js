// Keyboard-first order entry: Enter moves on to the next everyday field (passing by the optional
// ones, which Tab still reaches) instead of sending; Enter in the last line's quantity adds a line
// at once, copied from the blank line the page holds (#line-template), so no key typed after it
// lands anywhere else; Enter on an empty new line goes on to the address; Ctrl+Delete removes the
// line; Ctrl+Enter sends; a refused order comes back focused on its first problem; leaving a
// half-keyed order asks first; and a product on two lines is said beside each of them (a caller
// repeating themselves), never blocking and never moving the focus.
//
// Listens to: keydown, input, click (Remove, Add line), submit, beforeunload; change of a line's
// hidden product id (lookups.js says it when a product is picked, typed as an id or typed over);
// htmx:load of new line rows (pasted, repeated from a caller's order, or the form sent back);
// htmx:afterSettle of
// the order form (#order-form, sent back with problems) and, after Ctrl+Enter in a box still
// waiting for Clarus, of its suggestions; htmx:responseError and htmx:sendError of the order form;
// and the entry page's own events:
//   lookup:settled (late: false) and lookup:pending, from lookups.js: move on from the box (past
//   the quantity when the box said it: detail.quantity); after Ctrl+Enter in a box not settled
//   yet, lookup:settled (late or not) of that box sends the order;
//   lines:pasted, from paste_lines.js: the order has changed (ask before leaving it, save it).
// Dispatches: lines:added {row} on the new row (bubbling) when it adds a line; draft-changed on
// the body when a line is removed or lines are pasted.
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

  function focusable(el) {
    return !el.disabled && el.type !== "hidden" && !el.hidden && el.offsetParent !== null && el.tabIndex >= 0;
  }

  function optional(el) {
    return !!el.closest(".field.optional");
  }

  // The next field Enter goes to: optional fields are passed by (Tab still stops in them).
  // Only the fields after the current one are looked at: a long order has hundreds before the
  // address, and asking each whether it shows costs a millisecond per hundred.
  function focusNext(form, current) {
    var items = Array.from(form.querySelectorAll("input, select, textarea, button"));
    var from = focusable(current) ? items.indexOf(current) + 1 : 0;
    for (var at = from; at < items.length; at += 1) {
      if (focusable(items[at]) && !optional(items[at])) {
        items[at].focus();
        return;
      }
    }
  }

  function lineStatus(text) {
    var status = document.getElementById("line-status");
    if (status) {
      status.textContent = text;
    }
  }

  // A new blank line, now: copied from the page's template row, numbered after the others.
  function addLine() {
    var total = document.getElementById("id_lines-TOTAL_FORMS");
    var template = document.getElementById("line-template");
    var index = Number(total.value);
    if (index >= Number(template.dataset.max)) {
      lineStatus("An order has at most " + template.dataset.max + " lines.");
      return null;
    }
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    document.getElementById("order-lines").appendChild(row);
    total.value = String(index + 1);
    // Its lookups answer from the first key typed into it.
    htmx.process(row);
    row.querySelector(".line-product").focus();
    lineStatus("");
    row.dispatchEvent(new CustomEvent("lines:added", { bubbles: true, detail: { row: row } }));
    return row;
  }

  function firstAddressField() {
    return document.getElementById("id_delivery_name");
  }

  function isLookup(el) {
    return !!(el.classList && el.classList.contains("lookup-input"));
  }

  // Enter's "next field": a line's product → its quantity (or, when the box said the quantity
  // too, on as from the quantity); an empty line → the address; a quantity → the next line's
  // product, or a new line; anything else → the next everyday field.
  function moveOn(form, target, saidQuantity) {
    var row = target.closest(".line-row");
    if (row && target.classList.contains("line-product")) {
      var quantity = row.querySelector(".line-quantity");
      if (!target.value.trim() && !quantity.value.trim()) {
        firstAddressField().focus();
      } else if (saidQuantity) {
        moveOn(form, quantity, false);
      } else {
        quantity.focus();
      }
      return;
    }
    if (row && target.classList.contains("line-quantity")) {
      var rows = visibleRows(form);
      var next = rows[rows.indexOf(row) + 1];
      if (next) {
        next.querySelector(".line-product").focus();
      } else {
        addLine();
      }
      return;
    }
    focusNext(form, target);
  }

  // The same product on two lines: beside each, the number of the other line (the first, if
  // more), in the desk's words (#order-lines data-repeated: "{line}" is the number), tied to the
  // product box by aria-describedby as the desk ties it when it shows the form again
  // (orders/forms/entry.py, REPEATED_PRODUCT). Nothing here touches a value or the focus.
  function productOf(row) {
    var hidden = row.querySelector('input[name$="-product_id"]');
    return hidden ? hidden.value.trim() : "";
  }

  function describedBy(input, id, on) {
    input.dispatchEvent(new CustomEvent("describedby:set", { bubbles: true, detail: { id: id, on: on } }));
  }

  function sayRepeat(row, text) {
    var id = row.id.replace(/-row$/, "") + "-repeat";
    var note = document.getElementById(id);
    if (note ? note.textContent === text : !text) {
      // Nothing said, nothing to say (most lines of a long order): nothing to touch.
      return;
    }
    var input = row.querySelector(".line-product");
    if (!input) {
      return;
    }
    if (!text) {
      if (note) {
        note.remove();
      }
      describedBy(input, id, false);
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "line-repeat";
      note.id = id;
      note.setAttribute("role", "status");
      input.closest(".lookup").appendChild(note);
    }
    note.textContent = text;
    describedBy(input, id, true);
  }

  function markRepeats() {
    var form = orderForm();
    var lines = document.getElementById("order-lines");
    if (!form || !lines) {
      return;
    }
    var words = lines.dataset.repeated || "";
    // Each line read once: a product picked on line 200 looks at 200 lines, not 200 × 200.
    var shown = new Map();
    var numbers = {};
    visibleRows(form).forEach(function (row, at) {
      var product = productOf(row);
      shown.set(row, { number: at + 1, product: product });
      if (product) {
        (numbers[product] = numbers[product] || []).push(at + 1);
      }
    });
    Array.from(lines.querySelectorAll(".line-row")).forEach(function (row) {
      var line = shown.get(row);
      var others = line && line.product ? numbers[line.product].filter(function (each) {
        return each !== line.number;
      }) : [];
      sayRepeat(row, others.length ? words.replace("{line}", String(others[0])) : "");
    });
  }

  // Rows arrive several at a time (a paste): look once they are all in.
  var repeatsDue = false;
  function markRepeatsSoon() {
    if (!repeatsDue) {
      repeatsDue = true;
      setTimeout(function () {
        repeatsDue = false;
        markRepeats();
      }, 0);
    }
  }

  document.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name && /^lines-\d+-product_id$/.test(name)) {
      markRepeats();
    }
  });

  htmx.onLoad(function (root) {
    if (root.classList && (root.classList.contains("line-row") || root.querySelector(".line-row"))) {
      markRepeatsSoon();
    }
  });

  function removeLine(row) {
    var form = orderForm();
    var rows = visibleRows(form);
    var previous = rows[rows.indexOf(row) - 1] || rows[rows.indexOf(row) + 1];
    // The row stays in the form, marked for deletion, so Django's formset numbering holds.
    row.querySelector(".line-delete").checked = true;
    row.hidden = true;
    orderChanged();
    // The lines after it move up a number.
    markRepeats();
    if (previous) {
      previous.querySelector(".line-product").focus();
    } else {
      addLine();
    }
  }

  var dirty = false;

  // A change no box's input event tells (a line removed, lines pasted): ask before leaving the
  // order, and save the draft (templates/orders/_drafts.html listens to draft-changed).
  function orderChanged() {
    dirty = true;
    document.body.dispatchEvent(new CustomEvent("draft-changed", { bubbles: true }));
  }

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
    if (!form || !form.contains(target)) {
      return;
    }
    if (event.key === "Delete" && event.ctrlKey && target.closest(".line-row")) {
      event.preventDefault();
      removeLine(target.closest(".line-row"));
      return;
    }
    if (event.key !== "Enter") {
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      sendWhenSettled(form, target);
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

  function send(form) {
    form.requestSubmit(document.getElementById("send-order"));
  }

  // Ctrl+Enter straight after typing or scanning a code ("SKU x2", a barcode) that Enter has not
  // settled yet: settle it first, as Enter would (lookups.js), then send, so that an exact code is
  // not refused as "not picked". If Clarus's answer is still on its way, send when it settles the
  // box, or after SETTLE_WAIT_MS; if a choice is left to make, send now and the desk says so
  // beside the box.
  var SETTLE_WAIT_MS = 3000;

  function sendWhenSettled(form, target) {
    if (!isLookup(target) || !target.value.trim() || target.dataset.picked === target.value) {
      send(form);
      return;
    }
    var done = false;
    var timer = null;
    function go() {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      document.removeEventListener("lookup:settled", whenSettled);
      document.removeEventListener("htmx:afterSettle", whenAnswered);
      send(form);
    }
    function whenSettled(event) {
      if (event.target === target) {
        go();
      }
    }
    // The answer came and was put in place without settling the box (several match): send now.
    function whenAnswered(event) {
      if (event.target.dataset && event.target.dataset.input === target.id) {
        document.removeEventListener("htmx:afterSettle", whenAnswered);
        go();
      }
    }
    document.addEventListener("lookup:settled", whenSettled);
    document.addEventListener("htmx:afterSettle", whenAnswered);
    timer = setTimeout(go, SETTLE_WAIT_MS);
    target.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    if (target.dataset.pending !== "1") {
      go();
    }
  }

  function lookupDone(event) {
    var form = orderForm();
    var input = event.target;
    // A late answer settles a box the agent has already left: the focus stays where they are.
    if (!form || !form.contains(input) || event.detail.late) {
      return;
    }
    moveOn(form, input, !!event.detail.quantity);
  }
  document.addEventListener("lookup:settled", lookupDone);
  document.addEventListener("lookup:pending", lookupDone);

  document.addEventListener("lines:pasted", orderChanged);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".remove-line, #add-line");
    if (!button || !orderForm() || !orderForm().contains(button)) {
      return;
    }
    if (button.id === "add-line") {
      // Without this script the button posts the form and the desk sends it back a line longer.
      event.preventDefault();
      addLine();
      dirty = true;
      return;
    }
    removeLine(button.closest(".line-row"));
  });

  // The form came back with problems: the desk marked the first one autofocus; take the agent
  // there (htmx would otherwise put the focus back where it was, or lose it with the button).
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = orderForm();
    // Dispatched on the new form itself (the request's own element was the old one).
    if (!form || event.target !== form) {
      return;
    }
    var first = form.querySelector("[autofocus]");
    var banner = document.getElementById("order-problem");
    if (first) {
      first.focus();
      first.scrollIntoView({ block: "center" });
    } else if (banner) {
      banner.scrollIntoView({ block: "center" });
    }
  });

  // No answer at all (the connection dropped, the desk is down): htmx keeps the form as typed and
  // says nothing, so the agent would not know whether it went. Its form token makes one order of
  // however many sends (orders.services.submission), so sending again is safe.
  document.addEventListener("htmx:sendError", function (event) {
    var sendStatus = document.getElementById("send-status");
    if (event.detail.elt && event.detail.elt.id === "order-form" && sendStatus) {
      sendStatus.textContent =
        "The desk did not answer: check the connection and send again (an order is never sent twice).";
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
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
