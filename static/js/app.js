// Small behaviour that the Content-Security-Policy allows: no inline script anywhere.
(function () {
  "use strict";

  // Move focus to an error summary when one appears, so keyboard and screen-reader users meet it.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("#error-summary");
    if (summary) { summary.focus(); }
    return Boolean(summary);
  }

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });

  // After a swap, focus goes to the error summary if there is one, else to the element the
  // fragment marks, so that keyboard and screen-reader users land on what changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    // An outerHTML swap has detached the old target: look in the document instead.
    var root = event.detail.target.isConnected ? event.detail.target : document;
    if (focusErrorSummary(root)) { return; }
    var autofocus = root.querySelector("[data-focus-after-swap]");
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

// Presentation mode of the board: arrow keys move between cards, Enter opens one.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var board = document.querySelector(".board--present");
    if (!board || ["ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight"].indexOf(event.key) < 0) { return; }
    var links = Array.prototype.slice.call(board.querySelectorAll("[data-card-link]"));
    var index = links.indexOf(document.activeElement);
    if (index < 0) { if (links.length) { links[0].focus(); event.preventDefault(); } return; }
    var column = document.activeElement.closest(".board__column");
    var inColumn = Array.prototype.slice.call(column.querySelectorAll("[data-card-link]"));
    var position = inColumn.indexOf(document.activeElement);
    var columns = Array.prototype.slice.call(board.querySelectorAll(".board__column"))
      .filter(function (c) { return c.querySelector("[data-card-link]"); });
    var c = columns.indexOf(column);
    var target = null;
    if (event.key === "ArrowDown") { target = inColumn[position + 1]; }
    if (event.key === "ArrowUp") { target = inColumn[position - 1]; }
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      var next = columns[c + (event.key === "ArrowRight" ? 1 : -1)];
      if (next) {
        var cards = next.querySelectorAll("[data-card-link]");
        target = cards[Math.min(position, cards.length - 1)];
      }
    }
    if (target) { target.focus(); event.preventDefault(); }
  });
})();
