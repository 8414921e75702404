// An error beside a box goes once the box no longer holds what was refused, and comes back if it
// does again: an error must not outlive its fix. The desk says a refused value's error inside the
// field's .field container (templates/orders/partials/field.html, the lookups and lines of
// order_form.html, amend.html …): a <p class="error"> named in the box's aria-describedby, the
// box aria-invalid="true", the container .has-error. Once the box holds anything other than what
// the page came with (its default value; for a list, the options selected as it came), the error
// is hidden, its id leaves aria-describedby (every other id stays: help, a repeated product's
// warning, the reference check), aria-invalid goes unless another error still showing describes
// the box, and .has-error goes from the field and its line when nothing in them is left in
// error. Changed back to the refused value, all of it is put back as it was.
// Only errors the desk sent are shown again; nothing here says a new one, touches a value or
// moves the focus. An error outside the field (a form's, the lines' own #lines-error,
// #send-status) is about more than one box: it stays until the next send. Loaded on every page
// (templates/base.html): every form's errors are said this way.
//
// Listens to: input, change (a lookup's hidden Clarus id too: lookups.js says it when a pick
// sets the box's text), lookup:settled (lookups.js: the box holds a picked value), and
// htmx:afterSettle (a choice list Clarus filled in place of a refused box comes tied to the
// error again, lookups.js: it is checked against the value refused, not the list's own).
// Dispatches: none.
(function () {
  "use strict";

  // Per error the desk sent: its box, the value refused, where its id stood in the box's
  // aria-describedby, and whether it is hidden here.
  var refusals = new WeakMap();
  // The containers whose .has-error was taken off here, to be put back with their error.
  var unmarked = new WeakSet();

  function describedIds(box) {
    return (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  }

  function describe(box, ids) {
    if (ids.length) {
      box.setAttribute("aria-describedby", ids.join(" "));
    } else {
      box.removeAttribute("aria-describedby");
    }
  }

  // What a box holds now, or held as the page came.
  function held(box, asCame) {
    if (box.type === "checkbox" || box.type === "radio") {
      return String(asCame ? box.defaultChecked : box.checked);
    }
    if (box.tagName === "SELECT") {
      var options = Array.from(box.options);
      var chosen = options.filter(function (option) {
        return asCame ? option.defaultSelected : option.selected;
      });
      if (asCame && !chosen.length && !box.multiple && box.size <= 1) {
        // None marked as it came: the list showed its first option.
        chosen = options.filter(function (option) {
          return !option.disabled;
        }).slice(0, 1);
      }
      return chosen.map(function (option) {
        return option.value;
      }).join("\n");
    }
    return asCame ? box.defaultValue : box.value;
  }

  function showing(error) {
    return !error.hidden && error.textContent.trim() !== "";
  }

  function stillInError(container) {
    return Array.from(container.querySelectorAll(".error")).some(showing) ||
      !!container.querySelector("[aria-invalid=true]");
  }

  // The box in the field whose aria-describedby names the error.
  function boxNaming(error, field) {
    return Array.from(field.querySelectorAll("input, select, textarea")).filter(function (box) {
      return describedIds(box).indexOf(error.id) >= 0;
    })[0] || null;
  }

  function refusalOf(error, field) {
    var refusal = refusals.get(error);
    if (refusal && refusal.box.isConnected && field.contains(refusal.box)) {
      return refusal;
    }
    var box = boxNaming(error, field);
    if (!box) {
      return null;
    }
    if (refusal) {
      // A list filled in place of the refused box, tied to the error again.
      refusal.box = box;
      return refusal;
    }
    if (error.hidden || box.getAttribute("aria-invalid") !== "true") {
      return null;
    }
    refusal = {
      box: box,
      value: held(box, true),
      at: describedIds(box).indexOf(error.id),
      hidden: false,
    };
    refusals.set(error, refusal);
    return refusal;
  }

  function containers(error) {
    var found = [];
    for (var at = error.parentElement; at && at !== document.body; at = at.parentElement) {
      found.push(at);
    }
    return found;
  }

  function hide(error, refusal) {
    var box = refusal.box;
    error.hidden = true;
    refusal.hidden = true;
    var ids = describedIds(box).filter(function (id) {
      return id !== error.id;
    });
    describe(box, ids);
    // The lines' own error, beside the first line, still describes its product box.
    var stillSaid = ids.some(function (id) {
      var other = document.getElementById(id);
      return !!other && other.classList.contains("error") && showing(other);
    });
    if (!stillSaid) {
      box.removeAttribute("aria-invalid");
    }
    containers(error).forEach(function (container) {
      if (container.classList.contains("has-error") && !stillInError(container)) {
        container.classList.remove("has-error");
        unmarked.add(container);
      }
    });
  }

  function show(error, refusal) {
    var box = refusal.box;
    error.hidden = false;
    refusal.hidden = false;
    var ids = describedIds(box);
    if (ids.indexOf(error.id) < 0) {
      ids.splice(Math.min(refusal.at, ids.length), 0, error.id);
      describe(box, ids);
    }
    box.setAttribute("aria-invalid", "true");
    containers(error).forEach(function (container) {
      if (unmarked.has(container)) {
        unmarked.delete(container);
        container.classList.add("has-error");
      }
    });
  }

  function check(event) {
    var field = event.target.closest && event.target.closest(".field");
    if (!field) {
      return;
    }
    field.querySelectorAll(".error[id]").forEach(function (error) {
      if (error.closest(".field") !== field) {
        return;
      }
      var refusal = refusalOf(error, field);
      if (!refusal) {
        return;
      }
      if (held(refusal.box, false) !== refusal.value) {
        hide(error, refusal);
      } else if (refusal.hidden) {
        show(error, refusal);
      }
    });
  }

  document.addEventListener("input", check);
  document.addEventListener("change", check);
  document.addEventListener("lookup:settled", check);
  document.addEventListener("htmx:afterSettle", check);
})();
