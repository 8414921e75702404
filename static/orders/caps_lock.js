// "Caps Lock is on" beside a password box, while it is: a password typed in capitals is refused
// without a word of why. The note is tied to the box (aria-describedby) while it shows, and said
// by screen readers (role=status).
//
// Listens to: keydown, keyup (password boxes), focusout.
// Dispatches: none.
(function () {
  "use strict";

  function isPassword(element) {
    return !!(element && element.tagName === "INPUT" && element.type === "password");
  }

  function show(box, on) {
    var id = box.id + "-caps-lock";
    var note = document.getElementById(id);
    if (on && !note) {
      note = document.createElement("p");
      note.id = id;
      note.className = "caps-lock-note";
      note.setAttribute("role", "status");
      note.textContent = "Caps Lock is on.";
      box.insertAdjacentElement("afterend", note);
    }
    if (note) {
      note.hidden = !on;
    }
    box.dispatchEvent(new CustomEvent("describedby:set", { bubbles: true, detail: { id: id, on: on } }));
  }

  function check(event) {
    if (isPassword(event.target) && typeof event.getModifierState === "function") {
      show(event.target, event.getModifierState("CapsLock"));
    }
  }

  document.addEventListener("keydown", check);
  document.addEventListener("keyup", check);
  document.addEventListener("focusout", function (event) {
    if (isPassword(event.target)) {
      show(event.target, false);
    }
  });
})();
