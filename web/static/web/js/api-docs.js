// Swagger UI draws a parameter's choices (a boolean such as ?open=) as a <select> with no name a
// screen reader can announce (axe's select-name). Name each one after its parameter's row, as
// Swagger UI redraws the operations.
(function () {
  "use strict";
  function nameTheSelects(root) {
    root.querySelectorAll(".parameters-col_description select:not([aria-label])").forEach(function (select) {
      var row = select.closest("tr[data-param-name]");
      if (row) {
        select.setAttribute("aria-label", row.getAttribute("data-param-name"));
      }
    });
  }
  var docs = document.getElementById("swagger-ui");
  if (!docs) {
    return;
  }
  new MutationObserver(function () {
    nameTheSelects(docs);
  }).observe(docs, { childList: true, subtree: true });
})();
