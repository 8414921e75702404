// Many lines pasted into a product box (from a spreadsheet or an e-mail) become rows: the desk
// asks Clarus for every code at once (orders:paste_lines, through the hidden #paste-lines) and
// sends back the rows. A single value, with no tab or line break, is pasted into the box as ever.
//
// Listens to: paste on a line's product box (.line-product); htmx:configRequest, htmx:sendError,
// htmx:responseError and htmx:afterSwap of #paste-lines; keydown (capturing: has the agent typed
// since the paste?).
// Dispatches: lines:pasted {count} on #order-lines (bubbling) when it takes a paste: the order has
// changed, though no field saw an input event.
(function () {
  "use strict";

  var pastes = [];
  // The box pasted into, and whether the agent has typed since: the pasted rows take the focus
  // only from an agent still waiting in that box.
  // (By id: the row pasted into comes back from the desk as a new element.)
  var pastedFrom = "";
  var typedSincePaste = false;

  // htmx says afterSwap on what it swapped (#order-lines): the request's own element is in its
  // requestConfig; the other events name it as detail.elt.
  function isPaste(event) {
    var config = event.detail.requestConfig;
    var elt = (config && config.elt) || event.detail.elt;
    return !!(elt && elt.id === "paste-lines");
  }

  document.addEventListener("keydown", function (event) {
    if (!event.ctrlKey && !event.metaKey && ["Shift", "Control", "Alt", "Meta"].indexOf(event.key) < 0) {
      typedSincePaste = true;
    }
  }, true);

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
    pastedFrom = input.id;
    typedSincePaste = false;
    document.getElementById("order-lines").dispatchEvent(
      new CustomEvent("lines:pasted", { bubbles: true, detail: { count: count } })
    );
    pasteStatus("Asking Clarus about " + count + (count === 1 ? " pasted line…" : " pasted lines…"));
    htmx.trigger(document.getElementById("paste-lines"), "paste-lines");
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (!isPaste(event)) {
      return;
    }
    var paste = pastes.shift() || { text: "", into: "" };
    event.detail.parameters.text = paste.text;
    event.detail.parameters.into = paste.into;
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (isPaste(event)) {
      pasteFailed();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (!isPaste(event)) {
      return;
    }
    // The desk's reason (too many lines) goes where "Add line" says its own.
    var status = document.getElementById("line-status");
    if (status) {
      status.textContent = event.detail.xhr.responseText;
    }
    pasteFailed();
  });

  // The pasted rows are in: wire their lookups, then focus the first that needs the agent (the
  // server marks it autofocus), else the blank line after them; but only if the agent is still
  // in the box they pasted into (or nowhere) and has typed nothing since: a late answer never
  // takes the focus from a field the agent has moved on to.
  document.addEventListener("htmx:afterSwap", function (event) {
    var lines = event.detail.target;
    if (!isPaste(event) || !lines || lines.id !== "order-lines" || event.target !== lines) {
      return;
    }
    lines.querySelectorAll(".line-row").forEach(function (row) {
      htmx.process(row);
    });
    var first = lines.querySelector("[autofocus]");
    lines.querySelectorAll("[autofocus]").forEach(function (element) {
      // Focused now; htmx would focus it again when the rows settle.
      element.removeAttribute("autofocus");
    });
    var now = document.activeElement;
    var waiting = !typedSincePaste && (!now || now === document.body || (!!pastedFrom && now.id === pastedFrom));
    pastedFrom = "";
    if (first && waiting) {
      first.focus();
      first.scrollIntoView({ block: "center" });
    }
    document.getElementById("line-status").textContent = "";
  });
})();
