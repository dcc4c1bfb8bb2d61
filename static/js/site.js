// Small progressive enhancements: every page works without this file.
(function () {
  "use strict";

  // The filter panel is a <details>: folded on phones, opened on wide screens.
  var wide = window.matchMedia("(min-width: 60em)");
  function openPanels() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) {
      if (wide.matches) panel.open = true;
    });
  }

  // Ticking a filter applies it at once; the "Apply" button stays for keyboards and no-JS.
  function autoSubmit() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        var t = event.target;
        if (t && (t.type === "checkbox" || t.type === "radio")) {
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
      });
    });
  }

  function printButtons() {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    openPanels();
    autoSubmit();
    printButtons();
  });
})();
