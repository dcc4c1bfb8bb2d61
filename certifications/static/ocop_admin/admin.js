// The back-office's one enhancement: select2 pickers (autocompletes) get the name of the field they
// stand for, which select2 leaves empty while nothing is chosen (screen readers heard "combo box").
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return select.getAttribute("aria-label") || (label ? label.textContent.replace(/:\s*$/, "").trim() : "");
  }

  function name(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.parentNode.querySelector(".select2-selection");
      if (!box) return;
      var chosen = select.selectedOptions.length ? select.selectedOptions[0].textContent.trim() : "";
      var field = fieldName(select);
      if (!field) return;
      box.removeAttribute("aria-labelledby");
      box.setAttribute("aria-label", chosen ? field + ": " + chosen : field);
      var shown = box.querySelector(".select2-selection__rendered");  // select2 gives it role="textbox"
      if (shown) shown.setAttribute("aria-label", chosen || field);
    });
  }

  // select2 builds its boxes when jQuery is ready and for each row added: name them whenever one appears.
  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.setTimeout(function () { pending = false; name(document); }, 0);
  }
  document.addEventListener("DOMContentLoaded", function () {
    name(document);
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
    document.addEventListener("change", soon);
  });
})();
