// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // After choosing a day, the page opens at its list of times: move focus there, so keyboard
  // and screen-reader users land on the times (the link's #times fragment does the scrolling).
  function focusTarget() {
    var target = document.querySelector("[data-autofocus]");
    if (target) { target.focus(); }
  }
  // An error summary takes focus so it is read out first.
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(); focusTarget(); });
})();
