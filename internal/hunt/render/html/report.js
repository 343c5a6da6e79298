// Timeline zoom and filters. Marks carry their time (data-t, ms since the
// epoch); the x axis maps [t0, t1] onto the chart's plot area. Everything
// works offline: no library, no network.
(function () {
  "use strict";
  var chart = document.getElementById("chart");
  if (!chart) { document.documentElement.setAttribute("data-js", "ready"); return; }
  var cfg = JSON.parse(document.getElementById("tl-data").textContent);
  var x0 = cfg.plotX, x1 = cfg.plotX + cfg.plotW;
  var t0 = cfg.from, t1 = cfg.to;
  var marks = chart.querySelectorAll(".mk");
  var axis = document.getElementById("axis");
  var only = document.getElementById("attacker-only");
  var rangeText = document.getElementById("range");
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat("sv-SE", { timeZone: cfg.zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });
  } catch (e) {
    fmt = { format: function (d) { return d.toISOString().slice(0, 16).replace("T", " ") + "Z"; } };
  }
  var SVG = "http://www.w3.org/2000/svg";
  var steps = [60e3, 5 * 60e3, 15 * 60e3, 30 * 60e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 30 * 86400e3];
  function draw() {
    var span = Math.max(t1 - t0, 1000);
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i], t = +m.getAttribute("data-t");
      var x = x0 + (t - t0) / span * (x1 - x0);
      var out = t < t0 || t > t1;
      var hide = out || (only.checked && m.getAttribute("data-a") !== "1");
      m.setAttribute("cx", x.toFixed(1));
      m.style.display = hide ? "none" : "";
    }
    while (axis.firstChild) axis.removeChild(axis.firstChild);
    var step = steps[steps.length - 1];
    for (var s = 0; s < steps.length; s++) { if (span / steps[s] <= 8) { step = steps[s]; break; } }
    var off = cfg.offsetMs || 0; // ticks on the zone's round hours and days
    var first = Math.ceil((t0 + off) / step) * step - off;
    for (var t = first; t <= t1; t += step) {
      var x = x0 + (t - t0) / span * (x1 - x0);
      var ln = document.createElementNS(SVG, "line");
      ln.setAttribute("class", "tick"); ln.setAttribute("x1", x); ln.setAttribute("x2", x);
      ln.setAttribute("y1", cfg.top); ln.setAttribute("y2", cfg.bottom);
      axis.appendChild(ln);
      var tx = document.createElementNS(SVG, "text");
      tx.setAttribute("class", "tl"); tx.setAttribute("x", x); tx.setAttribute("y", cfg.top - 6);
      tx.setAttribute("text-anchor", "middle");
      tx.textContent = fmt.format(new Date(t));
      axis.appendChild(tx);
    }
    rangeText.textContent = fmt.format(new Date(t0)) + " \u2013 " + fmt.format(new Date(t1)) + " (" + cfg.zoneLabel + ")";
    filterRows();
  }
  function zoom(f) {
    var mid = (t0 + t1) / 2, half = Math.max((t1 - t0) * f / 2, 30e3);
    t0 = mid - half; t1 = mid + half; draw();
  }
  function pan(f) { var d = (t1 - t0) * f; t0 += d; t1 += d; draw(); }
  function filterRows() {
    var tables = document.querySelectorAll("table.events");
    for (var i = 0; i < tables.length; i++) {
      var rows = tables[i].tBodies[0].rows, shown = 0;
      for (var j = 0; j < rows.length; j++) {
        var hide = only.checked && rows[j].getAttribute("data-a") !== "1";
        if (hide) rows[j].setAttribute("hidden", ""); else { rows[j].removeAttribute("hidden"); shown++; }
      }
      var c = document.getElementById(tables[i].getAttribute("data-count"));
      if (c) c.textContent = cfg.showing.replace("{N}", shown).replace("{Total}", rows.length);
    }
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(0.5); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(2); });
  document.getElementById("pan-left").addEventListener("click", function () { pan(-0.5); });
  document.getElementById("pan-right").addEventListener("click", function () { pan(0.5); });
  document.getElementById("span-attacker").addEventListener("click", function () { t0 = cfg.attFrom; t1 = cfg.attTo; draw(); });
  document.getElementById("span-window").addEventListener("click", function () { t0 = cfg.winFrom; t1 = cfg.winTo; draw(); });
  only.addEventListener("change", function () {
    draw();
    var h = only.checked ? "#attacker" : "#all";
    if (history.replaceState) history.replaceState(null, "", h);
  });
  if (location.hash === "#attacker") only.checked = true;
  if (location.hash === "#window") { t0 = cfg.winFrom; t1 = cfg.winTo; }
  draw();
  document.documentElement.setAttribute("data-js", "ready");
})();
