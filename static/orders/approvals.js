// The approvals queue and decision page from the keyboard: in the queue, ↓ ↑ (or J K) move
// between orders, Enter opens one, A approves it, R opens it to type the reason for refusing; on
// an order's decision page, A approves and R goes to the reason (Enter in it refuses). Keys are
// left alone while typing in a box; "?" lists them (static/orders/keys_help.js).
//
// Listens to: keydown, htmx:afterSwap. Dispatches: none.
(function () {
  "use strict";

  function typing(el) {
    if (!el || !el.tagName) {
      return false;
    }
    return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(el.tagName) >= 0;
  }

  function rows() {
    return Array.from(document.querySelectorAll("tr.queue-row"));
  }

  function focusFirstRow() {
    var active = document.activeElement;
    if (active && active !== document.body) {
      return;
    }
    var first = rows()[0];
    if (first) {
      first.focus();
    }
  }

  function move(row, step) {
    var all = rows();
    var next = all[all.indexOf(row) + step];
    if (next) {
      next.focus();
    }
  }

  function submit(form) {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function onRow(event, row) {
    var key = event.key;
    if (key === "ArrowDown" || key === "j") {
      move(row, 1);
    } else if (key === "ArrowUp" || key === "k") {
      move(row, -1);
    } else if (key === "Enter") {
      window.location.assign(row.dataset.decide);
    } else if (key === "a" || key === "A") {
      var form = row.querySelector("form.approve-form");
      if (!form) {
        return false;
      }
      submit(form);
    } else if (key === "r" || key === "R") {
      window.location.assign(row.dataset.decide + "?refuse=1");
    } else {
      return false;
    }
    return true;
  }

  function onDecisionPage(event) {
    var key = event.key;
    if (key === "a" || key === "A") {
      var approve = document.getElementById("approve-form");
      if (!approve) {
        return false;
      }
      submit(approve);
      return true;
    }
    if (key === "r" || key === "R") {
      var reason = document.getElementById("refuse-reason");
      if (!reason) {
        return false;
      }
      reason.focus();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var row = event.target.closest ? event.target.closest("tr.queue-row") : null;
    var handled = row ? onRow(event, row) : onDecisionPage(event);
    if (handled) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "approval-results") {
      focusFirstRow();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstRow);
  } else {
    focusFirstRow();
  }
})();
