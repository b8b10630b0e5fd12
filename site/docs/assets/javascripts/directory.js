// Directory filter. Without JavaScript the form stays hidden and readers get the plain
// list. It only toggles `hidden` and sets textContent: no markup is ever built from data.
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("genuine-filter");
    var list = document.getElementById("genuine-directory");
    if (!form || !list) return;
    var items = Array.prototype.slice.call(list.querySelectorAll("li.genuine-entry"));
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    var count = document.getElementById("genuine-count");
    var none = document.getElementById("genuine-none");
    var facets = items.map(function (item) {
      var values = {};
      selects.forEach(function (select) {
        var key = select.getAttribute("data-facet");
        try {
          values[key] = JSON.parse(item.getAttribute("data-" + key) || "[]");
        } catch (error) {
          values[key] = [];
        }
      });
      return values;
    });
    function apply() {
      var shown = 0;
      items.forEach(function (item, i) {
        var match = selects.every(function (select) {
          return !select.value || facets[i][select.getAttribute("data-facet")].indexOf(select.value) !== -1;
        });
        item.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = shown === 1 ? "1 consultant" : shown + " consultants";
      if (none) none.hidden = shown !== 0;
    }
    selects.forEach(function (select) {
      select.addEventListener("change", apply);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.hidden = false;
    apply();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
