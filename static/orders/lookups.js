// Lookups by code or name on the entry page. htmx asks the desk for suggestions (debounced, a
// newer request replacing an older one); this script lets the keyboard choose them: ↓ and ↑ move,
// Enter picks, or settles what was typed or scanned (an exact SKU, barcode or Clarus id), Escape
// closes. A pick fills the hidden Clarus id and what the agent saw, for the audit.
//
// Plain Enter in a .lookup-input belongs to this script alone (it never lets the browser send the
// form). It tells the page what came of it with bubbling events on the box (detail.input):
//   lookup:settled  {input, late: false, quantity}  the box holds its value (picked, a typed
//                                          Clarus id, already picked, or empty): the agent may
//                                          move on (quantity: a product box said it too, "SKU x4");
//   lookup:pending  {input, quantity}     not answered yet: Clarus was asked at once, the agent
//                                          may move on, and the box settles when the answer comes;
//   lookup:settled  {input, late: true}   that later answer settled the box.
// When the agent still has to choose, nothing is sent and the focus stays. A late answer never
// moves the focus: if it leaves a choice to make, the box says so and waits for the agent.
// Listens to: keydown, mousedown, input, focusout, change, and htmx:beforeSwap, htmx:afterSwap,
// htmx:responseError, htmx:sendError, htmx:beforeRequest, htmx:afterRequest, htmx:load
// (htmx.onLoad).
(function () {
  "use strict";

  var SLOW_MS = 1000;
  var STILL_TO_CHOOSE = "Several match: choose one with ↓ and Enter.";
  var LEFT_TO_CHOOSE = "Several match: go back to this box and choose one with ↓ and Enter.";
  // A product box that says its quantity too: "4 x SKU", "SKU x4", "SKU 4" (a SKU with a digit or
  // a hyphen). The desk reads it (orders/forms/paste.py, line_text_parse); this only tells where
  // Enter goes before the desk has answered.
  var QUANTITY_SAID = /^[0-9]+(?:[.,][0-9]+)?\s*[x×]\s+\S|\S\s+[x×]\s*[0-9]+(?:[.,][0-9]+)?$|^\S*[0-9\-_\/.]\S*\s+[0-9]+(?:[.,][0-9]+)?$/i;

  function isLookup(el) {
    return !!(el && el.classList && el.classList.contains("lookup-input"));
  }

  function results(input) {
    return input.closest(".lookup").querySelector(".lookup-results");
  }

  function options(input) {
    return Array.from(results(input).querySelectorAll("[role=option]"));
  }

  function idInput(input) {
    return document.getElementById(input.dataset.idInput);
  }

  function isProduct(input) {
    return input.dataset.kind === "product";
  }

  function norm(text) {
    return (text || "").trim().replace(/\s+/g, " ").toLowerCase();
  }

  function lineField(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  // The text the shown suggestions answer, or null if none are shown.
  function answeredFor(input) {
    var marked = results(input).querySelector("[data-for]");
    return marked ? norm(marked.dataset.for) : null;
  }

  // What the answer read as the product's code, without a quantity said with it ("SKU x4").
  function typedCode(input) {
    var marked = results(input).querySelector("[data-typed-code]");
    return marked ? norm(marked.dataset.typedCode) : norm(input.value);
  }

  function saidQuantity(input) {
    var marked = results(input).querySelector("[data-quantity]");
    return marked ? marked.dataset.quantity : "";
  }

  function active(input) {
    return results(input).querySelector("[role=option][aria-selected=true]");
  }

  function setActive(input, option) {
    options(input).forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close(input) {
    results(input).textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function say(input, text) {
    var note = document.createElement("p");
    note.className = "lookup-problem";
    note.setAttribute("role", "alert");
    note.textContent = text;
    results(input).appendChild(note);
    place(input);
  }

  // The list opens straight under its box, over the lines the box's field has below it (its
  // help, a warning, an error), not below them.
  function place(input) {
    results(input).style.top = input.offsetTop + input.offsetHeight + "px";
  }

  // Ask for suggestions now. A row htmx has just added is wired up only once it settles, and a
  // scanner can be faster than that: wire it up first (a no-op if it already is).
  function askNow(input) {
    htmx.process(input);
    htmx.trigger(input, "lookup-now");
  }

  function changed(hidden) {
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function stockText(value) {
    var number = Number(value);
    return number === 0 ? "none available" : String(number) + " available";
  }

  function span(parent, className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    parent.appendChild(element);
    parent.appendChild(document.createTextNode(" "));
  }

  // Show a line's description and stock, and warn (never block) when the quantity is more.
  function showLine(row, note) {
    var info = row.querySelector(".line-info");
    var description = lineField(row, "description").value;
    var available = lineField(row, "available").value;
    info.textContent = "";
    if (note) {
      span(info, "line-description", note);
    }
    if (description) {
      span(info, "line-description", description);
    }
    if (available !== "") {
      span(info, "line-stock", stockText(available));
    }
    checkStock(row);
  }

  function checkStock(row) {
    var info = row.querySelector(".line-info");
    var available = lineField(row, "available").value;
    var quantity = Number(row.querySelector(".line-quantity").value);
    var warning = info.querySelector(".line-warning");
    var over = available !== "" && quantity > Number(available);
    if (over && !warning) {
      span(info, "line-warning", "More than is available: it can still be sent.");
      info.querySelector(".line-warning").setAttribute("role", "status");
    } else if (!over && warning) {
      warning.remove();
    }
  }

  function pick(input, option) {
    if (isProduct(input)) {
      var row = input.closest(".line-row");
      var quantity = row.querySelector(".line-quantity");
      var said = saidQuantity(input);
      if (said && !quantity.value.trim()) {
        quantity.value = said;
      }
      input.value = option.dataset.code;
      lineField(row, "description").value = option.dataset.description || "";
      lineField(row, "available").value = option.dataset.available || "";
      showLine(row);
    } else {
      var code = option.dataset.code;
      var name = option.dataset.name || "";
      input.value = name && name !== code ? code + " · " + name : code;
      document.getElementById(input.dataset.labelInput).value = JSON.stringify({ code: code, name: name });
    }
    var hidden = idInput(input);
    hidden.value = option.dataset.id;
    input.dataset.picked = input.value;
    close(input);
    changed(hidden);
  }

  // Digits that name nothing Clarus could find (or Clarus is down): they are the Clarus id.
  function useTypedId(input, digits) {
    var hidden = idInput(input);
    hidden.value = digits;
    input.dataset.picked = input.value;
    if (isProduct(input)) {
      var row = input.closest(".line-row");
      lineField(row, "description").value = "";
      lineField(row, "available").value = "";
      showLine(row, "Clarus id " + digits + ", not found by code: sent as it is.");
    } else {
      document.getElementById(input.dataset.labelInput).value = "";
    }
    close(input);
    changed(hidden);
  }

  function unpick(input) {
    delete input.dataset.picked;
    var hidden = idInput(input);
    var had = hidden.value;
    hidden.value = "";
    if (isProduct(input)) {
      var row = input.closest(".line-row");
      lineField(row, "description").value = "";
      lineField(row, "available").value = "";
      showLine(row);
    } else {
      document.getElementById(input.dataset.labelInput).value = "";
    }
    if (had) {
      changed(hidden);
    }
  }

  // Settle what was typed against the suggestions for it; false if the agent must choose.
  function settle(input) {
    var list = options(input);
    var text = typedCode(input);
    var exact = list.filter(function (option) {
      return option.dataset.exact === "true" || norm(option.dataset.code) === text;
    });
    if (exact.length === 1) {
      pick(input, exact[0]);
      return true;
    }
    if (list.length === 1) {
      pick(input, list[0]);
      return true;
    }
    if (!list.length && /^\d+$/.test(text)) {
      useTypedId(input, text);
      return true;
    }
    if (list.length) {
      setActive(input, list[0]);
      input.setAttribute("aria-expanded", "true");
    }
    return false;
  }

  function tell(input, name, detail) {
    input.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  function settled(input, late, quantity) {
    tell(input, "lookup:settled", { input: input, late: late, quantity: !!quantity });
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isLookup(input)) {
      return;
    }
    var list = options(input);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!list.length) {
        askNow(input);
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var index = list.indexOf(active(input));
      index = index < 0 && step < 0 ? list.length - 1 : (index + step + list.length) % list.length;
      setActive(input, list[index]);
      input.setAttribute("aria-expanded", "true");
      return;
    }
    if (event.key === "Escape") {
      if (results(input).textContent.trim()) {
        event.preventDefault();
        close(input);
      }
      return;
    }
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) {
      return;
    }
    // Enter in a lookup never sends the order; the page moves on when told to by the events.
    event.preventDefault();
    var withQuantity = isProduct(input) && QUANTITY_SAID.test(input.value.trim());
    var chosen = active(input);
    if (chosen) {
      pick(input, chosen);
      settled(input, false, withQuantity);
      return;
    }
    if (!input.value.trim() || input.dataset.picked === input.value) {
      settled(input, false);
      return;
    }
    var busy = input.closest(".lookup").classList.contains("htmx-request");
    if (!busy && answeredFor(input) === norm(input.value)) {
      // Otherwise stay: moving on would leave nothing chosen.
      if (settle(input)) {
        settled(input, false, withQuantity);
      }
      return;
    }
    // Not answered yet (a scanner is faster than the debounce): ask now, let the agent move on,
    // and settle when the answer comes; a typed or scanned exact code needs nothing more.
    input.dataset.pending = "1";
    askNow(input);
    tell(input, "lookup:pending", { input: input, quantity: withQuantity });
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".lookup-results [role=option]");
    if (!option) {
      return;
    }
    event.preventDefault();
    var input = document.getElementById(option.closest(".lookup-results").dataset.input);
    pick(input, option);
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (isLookup(target)) {
      if (target.dataset.picked !== undefined && target.dataset.picked !== target.value) {
        unpick(target);
      }
      return;
    }
    if (target.classList && target.classList.contains("line-quantity")) {
      checkStock(target.closest(".line-row"));
    }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!isLookup(input) || input.dataset.pending) {
      return;
    }
    // Tab away from an exact code: take it, as Enter would.
    if (input.dataset.picked !== input.value && answeredFor(input) === norm(input.value)) {
      var exact = options(input).filter(function (option) {
        return option.dataset.exact === "true" || norm(option.dataset.code) === norm(input.value);
      });
      if (exact.length === 1) {
        pick(input, exact[0]);
        return;
      }
    }
    close(input);
  });

  // An answer to what the box no longer holds (typing went on while it was on its way, within
  // the debounce, before a newer request could replace it) is dropped: the newer one follows.
  // Each request notes the box's text as it was asked.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isLookup(event.detail.elt) && event.detail.xhr) {
      event.detail.xhr.askedFor = event.detail.elt.value;
    }
  });

  // An answer for a box the agent has left, with nothing pending, is dropped too: it would only
  // close, and with it go what the box says (a choice still to make, asked for by Enter, whose
  // answer came before the one the typing's pause asked for).
  document.addEventListener("htmx:beforeSwap", function (event) {
    // Fired on the target: the box that asked is the request's element.
    var input = event.detail.requestConfig && event.detail.requestConfig.elt;
    var xhr = event.detail.xhr;
    if (!isLookup(input) || !xhr) {
      return;
    }
    var stale = typeof xhr.askedFor === "string" && xhr.askedFor !== input.value;
    var left = document.activeElement !== input && !input.dataset.pending;
    if (stale || left) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var choice = target.closest && target.closest(".lookup-choice[data-error-id]");
    if (choice && target.classList.contains("lookup-control")) {
      // A choice list Clarus filled in place of one the desk refused: still tied to its error.
      var control = target.querySelector("select, input:not([type=hidden])");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", choice.dataset.errorId);
      }
      return;
    }
    if (!target.classList || !target.classList.contains("lookup-results")) {
      return;
    }
    var input = document.getElementById(target.dataset.input);
    if (!input) {
      return;
    }
    place(input);
    input.setAttribute("aria-expanded", options(input).length ? "true" : "false");
    if (input.dataset.pending) {
      delete input.dataset.pending;
      if (settle(input)) {
        settled(input, true);
      } else if (document.activeElement !== input) {
        // Enter moved on before the answer came, and there is still a choice to make: say so
        // beside the box, and leave the focus where the agent is typing now.
        var several = options(input).length > 0;
        close(input);
        say(input, several ? LEFT_TO_CHOOSE : "Nothing in Clarus matches: go back to this box and change it.");
      } else if (options(input).length) {
        say(input, STILL_TO_CHOOSE);
      }
    }
  });

  function problemOnTheWay(event) {
    var input = event.detail.elt;
    if (!isLookup(input)) {
      return;
    }
    close(input);
    say(input, "The desk could not ask Clarus just now: you can type the Clarus id.");
    if (input.dataset.pending) {
      delete input.dataset.pending;
      if (/^\d+$/.test(norm(input.value))) {
        useTypedId(input, norm(input.value));
        settled(input, true);
      }
    }
  }
  document.addEventListener("htmx:responseError", problemOnTheWay);
  document.addEventListener("htmx:sendError", problemOnTheWay);

  // Say so beside the field when Clarus is slow to answer.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var field = event.detail.elt.closest && event.detail.elt.closest(".lookup, .lookup-choice");
    if (!field) {
      return;
    }
    clearTimeout(field.slowTimer);
    field.slowTimer = setTimeout(function () {
      field.classList.add("lookup-slow");
    }, SLOW_MS);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var field = event.detail.elt.closest && event.detail.elt.closest(".lookup, .lookup-choice");
    if (field) {
      clearTimeout(field.slowTimer);
      field.classList.remove("lookup-slow");
    }
  });

  // A choice list keeps what the agent saw beside the id it sends.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select.lookup-select")) {
      var option = select.selectedOptions[0];
      document.getElementById(select.dataset.labelInput).value =
        option && option.value ? JSON.stringify({ code: option.dataset.code, name: option.dataset.name }) : "";
      return;
    }
    if (select.id === "id_tenant") {
      // Another tenant's ids mean nothing here: start the lookups again.
      document.querySelectorAll("#order-form .lookup-input").forEach(function (input) {
        input.value = "";
        unpick(input);
      });
    }
  });

  // What the server rendered as picked stays picked until the agent types over it.
  htmx.onLoad(function (root) {
    var inputs = isLookup(root) ? [root] : Array.from(root.querySelectorAll(".lookup-input"));
    inputs.forEach(function (input) {
      var hidden = idInput(input);
      if (hidden && hidden.value) {
        input.dataset.picked = input.value;
      }
    });
  });
})();
