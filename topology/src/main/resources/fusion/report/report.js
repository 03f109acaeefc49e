(function () {
  "use strict";
  var PAGE = 100;
  var bodies = Array.prototype.slice.call(document.querySelectorAll("tbody.request"));
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var shown = document.getElementById("shown");
  var more = document.getElementById("more");
  var limit = PAGE;

  // The filter lives in the URL's hash (#status=...&q=...), so a filtered view can be linked and reopened;
  // #open=ID opens that request's details.
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    text.value = params.get("q") || "";
    var open = params.get("open");
    bodies.forEach(function (b) { if (open && b.dataset.id === open) setOpen(b, true); });
    var wanted = params.get("status") || "";
    status.value = Array.prototype.some.call(status.options, function (o) { return o.value === wanted; }) ? wanted : "";
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (text.value) params.set("q", text.value);
    if (status.value) params.set("status", status.value);
    var hash = params.toString();
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }

  // What a text search looks in: the row and its details (analysis, answers), read from the page once, when first needed.
  var texts = new Map();
  function searchText(b) {
    if (!texts.has(b)) texts.set(b, b.textContent.toLowerCase());
    return texts.get(b);
  }

  function apply() {
    var q = text.value.trim().toLowerCase();
    var s = status.value;
    var matching = 0;
    bodies.forEach(function (b) {
      var match = (!s || b.dataset.status === s) && (!q || searchText(b).indexOf(q) >= 0);
      if (match) matching++;
      b.hidden = !match || matching > limit;
    });
    shown.textContent = Math.min(matching, limit) + " of " + matching + " matching shown (" + bodies.length + " requests)";
    document.body.dataset.matching = String(matching);
    more.hidden = matching <= limit;
  }

  function refilter() {
    limit = PAGE;
    writeHash();
    apply();
  }

  function setOpen(b, open) {
    b.querySelector("tr.detail").hidden = !open;
    b.classList.toggle("open", open);
  }

  bodies.forEach(function (b) {
    var row = b.querySelector("tr.row");
    function toggle() {
      setOpen(b, !b.classList.contains("open"));
    }
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  });
  text.addEventListener("input", refilter);
  status.addEventListener("change", refilter);
  more.addEventListener("click", function () { limit += PAGE; apply(); });
  document.getElementById("filter").addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("hashchange", function () { readHash(); apply(); });

  // A chart counts as drawn once the browser has laid its shapes out with a real size.
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    var shapes = svg.querySelectorAll("rect, circle, line");
    var drawn = Array.prototype.some.call(shapes, function (el) { var box = el.getBBox(); return box.width > 0 || box.height > 0; });
    svg.dataset.rendered = String(drawn);
  });

  readHash();
  apply();
})();
