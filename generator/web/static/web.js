// Only where it helps: dropping many files onto the form, the report's progress line, new arrivals.
// Every page works without it (plain forms; the page refreshes itself while a report is made).
(function () {
  "use strict";
  // A form on its way (an upload, a report started): nothing may load the page again meanwhile, as
  // that would cancel the request and lose its answer, or the upload itself.
  var leaving = false;
  document.addEventListener("submit", function () { leaving = true; }, true);
  window.addEventListener("pageshow", function () { leaving = false; });
  var busy = function () {
    var chosen = Array.prototype.some.call(document.querySelectorAll("input[type=file]"),
      function (input) { return input.files && input.files.length > 0; });
    // Typing: a field one writes in has the focus (a file input or a button focused by the page's
    // #files address is not typing; its chosen files are counted above).
    var el = document.activeElement;
    var typing = el && (/^(TEXTAREA|SELECT)$/.test(el.tagName) ||
      (el.tagName === "INPUT" && !/^(file|submit|button|reset|checkbox|radio|hidden|image)$/.test(el.type)));
    return leaving || chosen || typing;
  };
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      input.files = e.dataTransfer.files;
      leaving = true;  // form.submit() sends no submit event
      zone.submit();
    });
  });
  // The province's month page follows the districts' arrivals: when a file has come in since it was
  // drawn, it loads itself again (not while someone is typing into it).
  var watch = document.querySelector("[data-arrivals]");
  if (watch) {
    var look = function () {
      fetch(watch.getAttribute("data-arrivals"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (a) {
          if (a.stamp !== watch.getAttribute("data-stamp") && !busy()) { window.location.reload(); }
          else if (!leaving) { setTimeout(look, 3000); }
        })
        .catch(function () { setTimeout(look, 10000); });
    };
    setTimeout(look, 3000);
  }
  // A page whose figures are being brought up to date (or whose report is being made) loads itself
  // again, but never while a file is chosen, something is being typed (a clerk on a phone would
  // lose it) or a form is on its way.
  var stale = document.querySelector("[data-reload]");
  if (stale) {
    var again = function () {
      if (leaving) { return; }
      if (busy()) { setTimeout(again, 2000); } else { window.location.replace(stale.getAttribute("data-reload")); }
    };
    setTimeout(again, 1000 * (Number(stale.getAttribute("data-reload-after")) || 2));
  }
  var line = document.querySelector("[data-run-status][data-running]");
  if (line) {
    // "running" (the month's report), then "pages" (each district's page, after the report is there):
    // the page loads itself again when that changes, so new downloads show as soon as they exist.
    var waiting = line.getAttribute("data-running");
    var poll = function () {
      fetch(line.getAttribute("data-run-status"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.text) { line.textContent = s.text; }
          if (s.watch === waiting) { setTimeout(poll, 700); } else if (!busy()) { window.location.reload(); }
          else if (!leaving) { setTimeout(poll, 700); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 700);
  }
})();
