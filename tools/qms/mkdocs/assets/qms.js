/*
 * qms: writes the local date and time (YYYY-MM-DD HH:MM) into every .qms-print-date, so that a printed
 * copy says when it was printed. Runs on load, after each page change of mkdocs-material's instant
 * navigation (document$), and just before printing. No network, no libraries.
 */
(function () {
  "use strict";

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function stamp(when) {
    return when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()) +
      " " + pad(when.getHours()) + ":" + pad(when.getMinutes());
  }

  function fill() {
    var text = stamp(new Date());
    var nodes = document.querySelectorAll(".qms-print-date");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = text;
    }
  }

  var subscribed = false;

  function subscribe() {
    // mkdocs-material's observable of the current document: emits on load and on every instant navigation.
    var documents = window.document$;
    if (!subscribed && documents && typeof documents.subscribe === "function") {
      subscribed = true;
      documents.subscribe(function () { fill(); });
    }
    return subscribed;
  }

  if (!subscribe()) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { subscribe(); fill(); });
    } else {
      fill();
    }
  }
  window.addEventListener("beforeprint", fill);
})();
