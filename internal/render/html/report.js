// Filtering and sorting of the "All controls" table. Plain DOM, no network,
// no dependencies. The filter state lives in the URL fragment
// (#status=fail,not_assessed&severity=high&q=text) so a filtered view can be
// linked to and reopened.
(function () {
  "use strict";
  var table = document.getElementById("all");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var q = document.getElementById("q");
  var sev = document.getElementById("sev");
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.chips input[name="status"]'));
  var shown = document.getElementById("shown");
  var none = document.getElementById("none");
  rows.forEach(function (tr) { tr.setAttribute("data-text", tr.textContent.toLowerCase()); });

  function apply(updateHash) {
    var text = q.value.trim().toLowerCase();
    var want = {};
    boxes.forEach(function (b) { if (b.checked) { want[b.value] = true; } });
    var n = 0;
    rows.forEach(function (tr) {
      var ok = want[tr.getAttribute("data-status")] &&
        (!sev.value || tr.getAttribute("data-severity") === sev.value) &&
        (!text || tr.getAttribute("data-text").indexOf(text) >= 0);
      tr.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = "Showing " + n + " of " + rows.length + " controls";
    none.hidden = n !== 0;
    if (updateHash) { saveHash(); }
  }

  function saveHash() {
    var parts = [];
    var all = boxes.every(function (b) { return b.checked; });
    if (!all) {
      parts.push("status=" + boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }).join(","));
    }
    if (sev.value) { parts.push("severity=" + sev.value); }
    if (q.value.trim()) { parts.push("q=" + encodeURIComponent(q.value.trim())); }
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
  }

  function loadHash() {
    var h = location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) { return; }
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      var k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      if (k === "status") {
        var set = {};
        v.split(",").forEach(function (s) { set[s] = true; });
        boxes.forEach(function (b) { b.checked = !!set[b.value]; });
      } else if (k === "severity") {
        sev.value = v;
      } else if (k === "q") {
        q.value = v;
      }
    });
  }

  // Sorting: numeric keys (order, sev, st) compare as numbers; severity and
  // status sort worst first on the first click. Each header holds a button,
  // so sorting is reachable with Tab and Enter/Space, not only a mouse.
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      var cur = th.getAttribute("aria-sort");
      var dir = cur === "ascending" ? "descending" : cur === "descending" ? "ascending" :
        (key === "sev" ? "descending" : "ascending");
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir);
      var sign = dir === "ascending" ? 1 : -1;
      rows.sort(function (a, b) {
        var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
        var c = key === "title" ? x.localeCompare(y) : Number(x) - Number(y);
        if (c === 0) { c = Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")); return c; }
        return sign * c;
      });
      rows.forEach(function (tr) { tbody.appendChild(tr); });
    });
  });

  q.addEventListener("input", function () { apply(true); });
  sev.addEventListener("change", function () { apply(true); });
  boxes.forEach(function (b) { b.addEventListener("change", function () { apply(true); }); });
  window.addEventListener("hashchange", function () { loadHash(); apply(false); });
  loadHash();
  apply(false);
  document.documentElement.setAttribute("data-js", "ready");
}());
