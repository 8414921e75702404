// Filter forms that update their results with htmx (the history, the dashboard): a filter left
// empty is left out of the request, so the address pushed to the browser, and shared, names only
// what was chosen.
//
// Listens to: htmx:configRequest of a form.filters. Dispatches: none.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var data = event.detail.formData;
    if (!form.classList || !form.classList.contains("filters") || !data) {
      return;
    }
    Array.from(data.entries())
      .filter(function (entry) {
        return typeof entry[1] === "string" && entry[1].trim() === "";
      })
      .forEach(function (entry) {
        data.delete(entry[0]);
      });
  });
})();
