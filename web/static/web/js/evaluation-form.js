// The evaluation form, enhanced: the override reason shows only when it is required (a candidate
// decision with active substance use or any contraindication) and the plan only for a candidate.
// Without this file both are always shown, with a hint saying when they are needed.
(function () {
  "use strict";
  function checked(form, name) {
    return Array.prototype.filter.call(form.elements[name] || [], function (input) { return input.checked; })
      .map(function (input) { return input.value; });
  }
  function show(element, visible) {
    // A part holding an error message stays visible, whatever the answers say.
    element.hidden = !visible && !element.querySelector(".errorlist");
  }
  function update(form) {
    var candidate = checked(form, "decision").indexOf("candidate") !== -1;
    var active = checked(form, "substance_use").indexOf("active") !== -1;
    var contraindicated = checked(form, "contraindications").length > 0;
    form.querySelectorAll("[data-show-when='override']").forEach(function (part) {
      show(part, candidate && (active || contraindicated));
    });
    form.querySelectorAll("[data-show-when='candidate']").forEach(function (part) { show(part, candidate); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-evaluation-form]");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "decision" || name === "substance_use" || name === "contraindications") { update(form); }
    });
    update(form);
  });
})();
