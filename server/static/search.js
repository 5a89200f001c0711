/* The search box's suggestions as one types: the names /zoeken/suggesties gives for the text so far, put
   in the box's <datalist> (which the server fills too, so the box works without this script). And the
   list's filters: open beside the list on a wide screen, folded on a narrow one (a <details>). */
(function () {
  "use strict";
  var box = document.getElementById("search-q");
  var list = document.getElementById("search-names");
  if (box && list && box.dataset.suggest && window.fetch) {
    var timer = null, asked = "";
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = box.value.trim();
        if (text.length < 2 || text === asked) { return; }
        asked = text;
        var url = box.dataset.suggest + (box.dataset.suggest.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);
        fetch(url, { headers: { "Accept": "application/json" } }).then(function (r) {
          return r.ok ? r.json() : null;
        }).then(function (body) {
          if (!body || asked !== text) { return; }
          list.textContent = "";
          body.items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.label;
            option.textContent = item.label + " · " + item.count;
            list.appendChild(option);
          });
        }).catch(function () { /* the server's list stays */ });
      }, 150);
    });
  }
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia && window.matchMedia("(min-width: 50em)").matches) {
    filters.open = true;
  }
}());
