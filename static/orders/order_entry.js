// Keyboard-first order entry: Enter moves on instead of sending, Enter in a line's quantity adds
// the next line, Ctrl+Enter sends, many lines pasted into a product box become rows, and leaving
// a half-keyed order asks first.
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
    // A scanner or an agent pressing Enter means "next field", never "send the order".
    event.preventDefault();
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
    if (swapped && swapped.id === "order-lines" && event.detail.elt.id === "paste-lines") {
      afterPaste(swapped);
      return;
    }
    if (swapped && swapped.id === "order-lines") {
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
    if (status && elt && (elt.id === "add-line" || elt.id === "paste-lines")) {
      status.textContent = event.detail.xhr.responseText;
    }
    if (elt && elt.id === "paste-lines") {
      pasteFailed();
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

  // Many lines pasted into a product box (from a spreadsheet or an e-mail) become rows: the desk
  // asks Clarus for every code at once (orders:paste_lines) and sends back the rows. A single
  // value, with no tab or line break, is pasted into the box as ever.
  var pastes = [];

  function pasteStatus(text) {
    var status = document.getElementById("paste-status");
    if (status) {
      status.textContent = text;
    }
  }

  function pasteFailed() {
    pastes = [];
    pasteStatus("The desk could not take the pasted lines just now: they are still in your clipboard, paste them again.");
  }

  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("line-product") || !event.clipboardData) {
      return;
    }
    var text = event.clipboardData.getData("text/plain") || event.clipboardData.getData("text") || "";
    // A cell copied from a spreadsheet ends with a line break: still a single value.
    if (!/[\t\r\n]/.test(text.replace(/[\r\n]+$/, ""))) {
      return;
    }
    event.preventDefault();
    var row = input.closest(".line-row");
    var index = (input.name.match(/^lines-(\d+)-product$/) || [])[1];
    var quantity = row.querySelector(".line-quantity");
    var hidden = document.getElementById(input.dataset.idInput);
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    // The row pasted into is taken by the first pasted line when nothing was keyed on it.
    var blank = (!input.value.trim() || whole) && !quantity.value.trim() && !(hidden && hidden.value);
    var count = text.split(/\r\n|\r|\n/).filter(function (line) {
      return line.trim();
    }).length;
    pastes.push({ text: text, into: blank && index !== undefined ? index : "" });
    dirty = true;
    pasteStatus("Asking Clarus about " + count + (count === 1 ? " pasted line…" : " pasted lines…"));
    htmx.trigger(document.getElementById("paste-lines"), "paste-lines");
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "paste-lines") {
      return;
    }
    var paste = pastes.shift() || { text: "", into: "" };
    event.detail.parameters.text = paste.text;
    event.detail.parameters.into = paste.into;
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt && event.detail.elt.id === "paste-lines") {
      pasteFailed();
    }
  });

  // The pasted rows are in: wire their lookups, then focus the first that needs the agent (the
  // server marks it autofocus), else the blank line after them.
  function afterPaste(lines) {
    lines.querySelectorAll(".line-row").forEach(function (row) {
      htmx.process(row);
    });
    var first = lines.querySelector("[autofocus]");
    lines.querySelectorAll("[autofocus]").forEach(function (element) {
      // Focused now; htmx would focus it again when the rows settle.
      element.removeAttribute("autofocus");
    });
    if (first) {
      first.focus();
      first.scrollIntoView({ block: "center" });
    }
    document.getElementById("line-status").textContent = "";
  }
})();
