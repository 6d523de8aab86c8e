// The evaluation form, enhanced: the override reason shows only when it is required (a candidate
// decision with active substance use or any contraindication), the plan only for a candidate and
// the suicide-risk assessment only when PHQ-9 item 9 is answered above 0. Without this file all
// are always shown, with a hint saying when they are needed. As PHQ-9 and GAD-7 items are chosen,
// their sum so far is said under them, and once every item is answered it fills the total (the
// service does the same on save: clinical/scoring.py is the rule; this only shows it early).
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
    var item9 = form.elements.phq9_item_9;
    var note = form.elements.suicide_risk_note;
    var assessed = checked(form, "suicide_risk_level").length > 0 || Boolean(note && note.value.trim());
    var selfHarm = Boolean(item9 && item9.value && Number(item9.value) > 0) || assessed;
    form.querySelectorAll("[data-show-when='self-harm']").forEach(function (part) { show(part, selfHarm); });
  }
  function itemsSum(form, line) {
    var prefix = line.getAttribute("data-items-sum");
    var count = Number(line.getAttribute("data-item-count"));
    var answered = 0;
    var sum = 0;
    for (var number = 1; number <= count; number += 1) {
      var item = form.elements[prefix + "_item_" + number];
      if (item && item.value !== "") { answered += 1; sum += Number(item.value); }
    }
    if (answered === 0) { line.textContent = ""; return; }
    if (answered < count) {
      line.textContent = "Sum of the " + answered + " items answered: " + sum + " (" + (count - answered) + " to answer).";
      return;
    }
    line.textContent = "All " + count + " items answered: the total is " + sum + ".";
    var total = form.elements[prefix + "_total"];
    if (total) { total.value = String(sum); }
  }
  function sums(form) {
    form.querySelectorAll("[data-items-sum]").forEach(function (line) { itemsSum(form, line); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-evaluation-form]");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "decision" || name === "substance_use" || name === "contraindications" || name === "phq9_item_9") {
        update(form);
      }
      if (/^(phq9|gad7)_item_\d+$/.test(name || "")) { sums(form); }
    });
    update(form);
    sums(form);
  });
})();
