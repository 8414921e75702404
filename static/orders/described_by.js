// One job for every page: a note beside a box (a warning, a check's answer, "Caps Lock is on.")
// joins or leaves the box's aria-describedby, every other id it names staying where it is.
//
// Listens to: describedby:set {id, on} on the box, dispatched by the script that shows or hides
// the note (order_entry.js, reference_check.js, caps_lock.js); handled at once, so the box is
// described as asked when dispatchEvent returns.
// Dispatches: none.
(function () {
  "use strict";

  document.addEventListener("describedby:set", function (event) {
    var box = event.target;
    var id = event.detail && event.detail.id;
    if (!box || !box.getAttribute || !id) {
      return;
    }
    var ids = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (each) {
      return each && each !== id;
    });
    if (event.detail.on) {
      ids.push(id);
    }
    if (ids.length) {
      box.setAttribute("aria-describedby", ids.join(" "));
    } else {
      box.removeAttribute("aria-describedby");
    }
  });
})();
