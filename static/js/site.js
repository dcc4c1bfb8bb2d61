// Small progressive enhancements: every page works without this file.
(function () {
  "use strict";

  // Panels that are <details>: folded on phones, opened on wide screens (the width is the attribute's
  // value, 60em by default).
  function openPanels() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) {
      var width = panel.getAttribute("data-open-wide") || "60em";
      if (window.matchMedia("(min-width: " + width + ")").matches) panel.open = true;
    });
  }

  // On wide screens, where the filters sit beside the results, ticking a filter applies it at once and
  // the panel comes back scrolled where it was. On phones the visitor ticks several and applies them
  // with the panel's one button: the page does not move under their finger.
  var PLACE = "ocop-filter-place";
  function autoSubmit() {
    var wide = window.matchMedia("(min-width: 60em)");
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      var box = form.closest("[data-keep-place]") || form;
      try {
        var saved = JSON.parse(window.sessionStorage.getItem(PLACE) || "null");
        if (saved && saved.path === window.location.pathname && wide.matches) box.scrollTop = saved.top;
        window.sessionStorage.removeItem(PLACE);
      } catch (e) { /* storage may be off: the place is simply not kept */ }
      form.addEventListener("change", function (event) {
        var t = event.target;
        if (!wide.matches || !t || (t.type !== "checkbox" && t.type !== "radio")) return;
        try {
          window.sessionStorage.setItem(PLACE, JSON.stringify({ path: window.location.pathname, top: box.scrollTop }));
        } catch (e) { /* ignored */ }
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }

  // Dropdowns (sort, downloads) close when the visitor clicks elsewhere or presses Escape.
  function dropdowns() {
    var menus = document.querySelectorAll("details.dropdown");
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
      });
    });
  }

  // On a phone the menu and the filter panel are folded behind a button: Escape folds the open one again and
  // puts the focus back on its button. Not where they are always open (the menu's button is hidden, the
  // filter panel is opened on wide screens by openPanels).
  function foldOnEscape() {
    var panels = document.querySelectorAll("details.site-menu, details.filters-panel");
    function foldable(panel) {
      if (!panel.hasAttribute("data-open-wide")) return true;
      var wide = panel.getAttribute("data-open-wide") || "60em";  // as openPanels reads it
      return !window.matchMedia("(min-width: " + wide + ")").matches;
    }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      panels.forEach(function (panel) {
        if (!panel.open || !foldable(panel)) return;
        panel.open = false;
        panel.querySelector("summary").focus();
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
    dropdowns();
    foldOnEscape();
    printButtons();
  });
})();
