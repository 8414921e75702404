// Who is calling: the caller box's suggestions (↓ ↑ Enter Escape), picking a caller (their panel
// loads beside the form), "Use" an address (fills every address field), "Repeat these lines"
// (an earlier order's lines into this one, numbered after the rows the page has).
// Keys: Alt+C the caller box; Alt+A uses the first address offered; Alt+R repeats the lines of
// the caller's last order.
//
// Listens to: keydown (on the window, capturing), input, click (a suggestion, "Use"), DOMContentLoaded; htmx:afterSwap of the
// suggestions (#caller-suggestions), of the panel (#caller-details) and of the order form
// (#order-form, sent back with problems) and of the repeated lines (#order-lines: the blank line
// after them takes the focus only if the agent is still waiting); htmx:configRequest of "Repeat
// these lines".
// Dispatches (on body): caller-picked (the panel loads), recent-addresses-now (on
// #recent-addresses: the account's or customer's addresses load), draft-changed (the form
// changed without typing, so the draft is saved).
(function () {
  "use strict";

  var pickOnArrival = false;
  // Where the agent was when they asked for an earlier order's lines, and whether they have
  // typed since: the repeated lines take the focus only from an agent who is still waiting.
  // (By id: the blank row the agent was on comes back from the desk as a new element.)
  var repeatFrom = null;
  var typedSinceRepeat = false;

  function box() {
    return document.getElementById("caller-search");
  }

  function suggestions() {
    return document.getElementById("caller-suggestions");
  }

  function options() {
    var list = suggestions();
    return list ? Array.from(list.querySelectorAll("[role=option]")) : [];
  }

  function active() {
    var list = suggestions();
    return list ? list.querySelector("[role=option][aria-selected=true]") : null;
  }

  function highlight(option) {
    options().forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      box().setAttribute("aria-activedescendant", option.id);
    } else {
      box().removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    var list = suggestions();
    if (list) {
      list.innerHTML = "";
    }
    box().setAttribute("aria-expanded", "false");
    box().removeAttribute("aria-activedescendant");
  }

  function tell(name, target) {
    (target || document.body).dispatchEvent(new CustomEvent(name, { bubbles: true }));
  }

  function pick(option) {
    document.getElementById("caller-order").value = option.dataset.order;
    box().value = option.dataset.name;
    close();
    tell("caller-picked");
    tell("draft-changed");
  }

  function firstOf(selector) {
    var details = document.querySelector("#caller-details " + selector);
    return details || document.querySelector("#recent-addresses " + selector);
  }

  function useAddress(button) {
    var form = document.getElementById("order-form");
    var values;
    try {
      values = JSON.parse(button.dataset.address);
    } catch (error) {
      return;
    }
    Object.keys(values).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field || field.type === "hidden") {
        return;
      }
      field.value = values[name] || (field.tagName === "SELECT" ? field.value : "");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    var reference = document.getElementById("id_reference");
    if (document.activeElement === button || document.activeElement === box()) {
      (reference && !reference.value ? reference : document.getElementById("id_delivery_name")).focus();
    }
    tell("draft-changed");
  }

  function blankRowIndex() {
    var rows = Array.from(document.querySelectorAll("#order-lines .line-row")).filter(function (row) {
      return !row.hidden;
    });
    var last = rows[rows.length - 1];
    if (!last) {
      return null;
    }
    var product = last.querySelector(".line-product");
    var quantity = last.querySelector(".line-quantity");
    if (product.value.trim() || quantity.value.trim()) {
      return null;
    }
    var match = /^id_lines-(\d+)-product$/.exec(product.id);
    return match ? match[1] : null;
  }

  // On the window, before the page's other keys (static/orders/order_entry.js moves on at Enter):
  // Enter in the caller box is this script's alone.
  window.addEventListener("keydown", function (event) {
    if (!event.altKey && !event.ctrlKey && !event.metaKey && ["Shift", "Control", "Alt", "Meta"].indexOf(event.key) < 0) {
      typedSinceRepeat = true;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var key = (event.code || "").replace("Key", "").toLowerCase();
      if (key === "c" && box()) {
        event.preventDefault();
        box().focus();
        box().select();
        return;
      }
      var target = key === "a" ? firstOf(".use-address") : key === "r" ? firstOf(".repeat-lines") : null;
      if (target) {
        event.preventDefault();
        // A panel htmx has just swapped in is wired up only once it settles (≈20 ms later): an
        // agent as quick as that still gets their lines.
        htmx.process(target);
        target.click();
      }
      return;
    }
    if (event.target !== box()) {
      return;
    }
    var all = options();
    var index = all.indexOf(active());
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (all.length) {
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(all[(index + step + all.length) % all.length]);
      }
    } else if (event.key === "Enter") {
      // The box's own Enter: pick, never "next field" or "send" (static/orders/order_entry.js).
      event.preventDefault();
      event.stopImmediatePropagation();
      if (all.length) {
        pick(active() || all[0]);
      } else if (box().value.trim()) {
        pickOnArrival = true;
        tell("caller-search-now", box());
      }
    } else if (event.key === "Escape") {
      close();
    }
  }, true);

  document.addEventListener("input", function (event) {
    if (event.target === box()) {
      pickOnArrival = false;
      // A new search names no caller yet.
      document.getElementById("caller-order").value = "";
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("#caller-suggestions [role=option]");
    if (option) {
      pick(option);
      return;
    }
    var use = event.target.closest && event.target.closest(".use-address");
    if (use) {
      useAddress(use);
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.classList && elt.classList.contains("repeat-lines")) {
      repeatFrom = document.activeElement;
      typedSinceRepeat = false;
      var into = blankRowIndex();
      if (into !== null) {
        event.detail.parameters.into = into;
      }
    }
  });

  // htmx says afterSwap on what it swapped (detail.elt is #order-lines): the button that asked is
  // the request's own element.
  function isRepeat(event) {
    var config = event.detail.requestConfig;
    return !!(config && config.elt && config.elt.classList && config.elt.classList.contains("repeat-lines"));
  }

  function reload() {
    var order = document.getElementById("caller-order");
    if (order && order.value) {
      tell("caller-picked");
    }
    var customer = document.getElementById("id_customer_id");
    var account = document.getElementById("id_account_id");
    var recent = document.getElementById("recent-addresses");
    if (recent && ((customer && customer.value) || (account && account.value))) {
      tell("recent-addresses-now", recent);
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.target;
    if (!swapped) {
      return;
    }
    if (swapped.id === "caller-suggestions") {
      var all = options();
      box().setAttribute("aria-expanded", all.length ? "true" : "false");
      if (all.length) {
        highlight(all[0]);
      }
      if (pickOnArrival && all.length) {
        pickOnArrival = false;
        pick(all[0]);
      }
    } else if (swapped.id === "caller-details") {
      // Picked from the box: the first "Use" takes the focus, so Enter reuses the address.
      var use = swapped.querySelector(".use-address");
      if (use && document.activeElement === box()) {
        use.focus();
      }
    } else if (swapped.id === "order-lines" && event.target === swapped && isRepeat(event)) {
      // The desk marks the blank line after the repeated ones autofocus, and htmx would focus it
      // when the rows settle, wherever the agent is by then. The focus goes there only if the
      // agent is still where they pressed Alt+R (or nowhere) and has typed nothing since: a late
      // answer never takes the focus from a field the agent has moved on to.
      var first = swapped.querySelector("[autofocus]");
      swapped.querySelectorAll("[autofocus]").forEach(function (element) {
        element.removeAttribute("autofocus");
      });
      var now = document.activeElement;
      var same = now === repeatFrom || (!!now && !!repeatFrom && !!now.id && now.id === repeatFrom.id);
      var waiting = !typedSinceRepeat && (same || !now || now === document.body);
      repeatFrom = null;
      if (first && waiting) {
        first.focus();
      }
      tell("draft-changed");
    } else if (swapped.id === "order-form") {
      reload();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reload);
  } else {
    reload();
  }
})();
