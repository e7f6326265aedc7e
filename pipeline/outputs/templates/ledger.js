// The ledger table: filter by unit, due-date range, document and review; sort by a column.
(function () {
  "use strict";
  var table = document.getElementById("ledger");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var unit = document.getElementById("f-unit"), from = document.getElementById("f-from"),
      to = document.getElementById("f-to"), doc = document.getElementById("f-doc"),
      rev = document.getElementById("f-review"), shown = document.getElementById("shown");

  function keep(tr) {
    if (unit.value && JSON.parse(tr.dataset.units).indexOf(unit.value) < 0) return false;
    if (doc.value && tr.dataset.doc !== doc.value) return false;
    if (rev.value && tr.dataset.review !== rev.value) return false;
    if (from.value || to.value) {
      // ISO dates compare as strings; a row passes when one of its dated deadlines is in range
      var dues = tr.dataset.dues ? tr.dataset.dues.split(" ") : [];
      if (!dues.some(function (d) { return (!from.value || d >= from.value) && (!to.value || d <= to.value); }))
        return false;
    }
    return true;
  }
  function filter() {
    var n = 0;
    rows.forEach(function (tr) { var k = keep(tr); tr.hidden = !k; if (k) n++; });
    shown.textContent = "显示 " + n + " / " + rows.length + " 行 rows";
  }
  [unit, from, to, doc, rev].forEach(function (el) {
    el.addEventListener("change", filter); el.addEventListener("input", filter);
  });

  function value(tr, i, type) {
    var td = tr.cells[i], v = td.dataset.sort !== undefined ? td.dataset.sort : td.textContent.trim();
    return type === "number" ? parseFloat(v) || 0 : v;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.querySelector("button").addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending", type = th.dataset.type;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = value(a, i, type), y = value(b, i, type);
        // rows without a value (no dated deadline) go last either way
        if (x === "" && y !== "") return 1;
        if (y === "" && x !== "") return -1;
        var c = type === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return asc ? c : -c;
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
    });
  });
  filter();
})();
