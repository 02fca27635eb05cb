// Small behaviour that the Content-Security-Policy allows: no inline script anywhere.
(function () {
  "use strict";

  // Move focus to an error summary when one appears, so keyboard and screen-reader users meet it.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("#error-summary");
    if (summary) { summary.focus(); }
    return Boolean(summary);
  }

  function focusElement(element) {
    if (!element.hasAttribute("tabindex") && !element.matches("a[href], button, input, select, textarea")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  // On a page load: the error summary first; else the element the address names (the card a
  // decision was recorded from); else a success message, so that its news is met first.
  document.addEventListener("DOMContentLoaded", function () {
    if (focusErrorSummary(document)) { return; }
    var id = window.location.hash.slice(1);
    var named = id && document.getElementById(decodeURIComponent(id));
    if (named && document.getElementById("main").contains(named)) { focusElement(named); return; }
    var success = document.querySelector("#messages .notice--success");
    if (success) { focusElement(success); }
  });

  // After a swap, focus goes to what the swap brought: the error summary if there is one, else
  // the element a new fragment marks with data-focus-after-swap (a heading, a count, the first
  // new card). An outerHTML swap detaches the old target, so the new elements are looked up in
  // the document: those that were not there before the swap. Typing or choosing in a live filter
  // keeps the focus where it is (the filter is not replaced); the live region speaks instead.
  var pending = null;
  var MARKERS = "#error-summary, [data-focus-after-swap]";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    pending = {
      old: Array.prototype.slice.call(document.querySelectorAll(MARKERS)),
      keep: Boolean(trigger && (trigger.type === "change" || trigger.type === "input" || trigger.type === "keyup")),
      target: event.detail.target && event.detail.target.id
    };
  });

  function afterSwap() {
    var state = pending;
    pending = null;
    if (!state) { return; }
    function fresh(selector) {
      return Array.prototype.slice.call(document.querySelectorAll(selector))
        .filter(function (element) { return state.old.indexOf(element) < 0; });
    }
    var summary = fresh("#error-summary")[0];
    if (summary) { summary.focus(); return; }
    var active = document.activeElement;
    var kept = active && active !== document.body && document.contains(active);
    if (state.keep && kept) { return; }
    var marked = fresh("[data-focus-after-swap]")[0];
    if (marked) { focusElement(marked); return; }
    if (!kept) {
      // Nothing marked and the focus went with the old content: the swapped region's heading.
      var region = state.target && document.getElementById(state.target);
      var heading = region && region.querySelector("h1, h2, h3");
      if (heading) { focusElement(heading); }
    }
  }

  document.addEventListener("htmx:afterSettle", function () { window.setTimeout(afterSwap, 0); });

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

// Presentation mode of the board: arrow keys move between cards, Enter opens one. Keys typed in
// a form control (the filter's fields, a select, an editable region) stay with that control.
(function () {
  "use strict";
  function inFormControl(element) {
    return Boolean(element && element.closest &&
      element.closest("input, select, textarea, [contenteditable]:not([contenteditable='false'])"));
  }
  document.addEventListener("keydown", function (event) {
    var board = document.querySelector(".board--present");
    if (!board || ["ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight"].indexOf(event.key) < 0) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (inFormControl(event.target) || inFormControl(document.activeElement)) { return; }
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

// The main navigation folds behind a "Menu" button on a phone (CSS decides when). Without script
// the button stays hidden and the list open.
(function () {
  "use strict";
  document.documentElement.classList.add("js-nav");
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".main-nav__toggle");
    if (!button) { return; }
    var list = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    list.classList.toggle("is-open", open);
  });
})();

// A table wider than its box scrolls sideways inside it (.table-wrap). While it does, the box is
// a named region in the tab order, so that a keyboard user can reach it and scroll it with the
// arrow keys (WCAG 2.1.1); it is named by the table's caption. Boxes that the markup already
// makes focusable are left as they are; the others are checked again after every swap and
// when the window changes size.
(function () {
  "use strict";
  var count = 0;
  function nameOf(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption) {
      if (!caption.id) { count += 1; caption.id = "table-caption-" + count; }
      return ["aria-labelledby", caption.id];
    }
    if (table && table.getAttribute("aria-labelledby")) { return ["aria-labelledby", table.getAttribute("aria-labelledby")]; }
    if (table && table.getAttribute("aria-label")) { return ["aria-label", table.getAttribute("aria-label")]; }
    return null;
  }
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var ours = wrap.hasAttribute("data-scroll-region");
      if (wrap.hasAttribute("tabindex") && !ours) { return; }
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !ours) {
        var name = nameOf(wrap);
        wrap.setAttribute("tabindex", "0");
        if (name) { wrap.setAttribute("role", "region"); wrap.setAttribute(name[0], name[1]); }
        wrap.setAttribute("data-scroll-region", name ? name[0] : "");
      } else if (!scrolls && ours) {
        var attribute = wrap.getAttribute("data-scroll-region");
        ["tabindex", "role", "data-scroll-region"].concat(attribute ? [attribute] : [])
          .forEach(function (a) { wrap.removeAttribute(a); });
      }
    });
  }
  var timer = null;
  function later() { window.clearTimeout(timer); timer = window.setTimeout(mark, 100); }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", later);
  window.addEventListener("resize", later);
})();
