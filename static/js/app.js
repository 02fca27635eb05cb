// Small behaviour that the Content-Security-Policy allows: no inline script anywhere.
(function () {
  "use strict";

  // Move focus to an error summary when one appears, so keyboard and screen-reader users meet it.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("#error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });

  document.addEventListener("htmx:afterSwap", function (event) {
    focusErrorSummary(event.detail.target);
    var autofocus = event.detail.target.querySelector("[data-focus-after-swap]");
    if (autofocus) { autofocus.focus(); }
  });

  // A form posted through htmx disables its submit buttons until the answer arrives.
  document.addEventListener("htmx:beforeRequest", function (event) {
    event.detail.elt.querySelectorAll && event.detail.elt.querySelectorAll("button[type=submit]")
      .forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    event.detail.elt.querySelectorAll && event.detail.elt.querySelectorAll("button[type=submit]")
      .forEach(function (b) { b.removeAttribute("aria-disabled"); });
  });
})();
