/* kamergraph: upgrades the /query form to the YASGUI editor (the @zazuko/yasgui npm package,
   served from frontend/node_modules under /static/vendor/yasgui/).

   The editor talks to this origin only:
   - every query goes to our own /sparql (the endpoint is a function YASGUI asks before each
     request, so a typed or remembered endpoint is never used); no CORS proxy;
   - prefix completion offers the project's own prefixes (ontology/namespaces.py), never prefix.cc;
   - the property and class completers, which ask the LOV web service, are removed;
   - no URL shortener; the page's own URL is not read for an endpoint (populateFromUrl: false);
   - nothing is kept in localStorage (persistenceId: null): the page's query is the editor's query.
   Without this script (or without the package) the page is a plain form rendered on the server. */
(function () {
  "use strict";

  var configEl = document.getElementById("kg-editor-config");
  var host = document.getElementById("yasgui");
  var form = document.getElementById("query-form");
  if (!configEl || !host || !form || typeof window.Yasgui === "undefined") {
    return; // the plain form stays
  }
  var config = JSON.parse(configEl.textContent);
  var Yasgui = window.Yasgui;
  var Yasqe = Yasgui.Yasqe;
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var prefixes = config.prefixes || {};

  // Completion: our prefixes as a fixed list, and variables; nothing that asks a web service.
  var ownPrefixes = Object.keys(prefixes).sort().map(function (p) {
    return p + ": <" + prefixes[p] + ">";
  });
  Yasqe.Autocompleters.prefixes = Object.assign({}, Yasqe.Autocompleters.prefixes, {
    get: ownPrefixes,
    persistenceId: null
  });
  delete Yasqe.Autocompleters.property;
  delete Yasqe.Autocompleters["class"];
  // lodash's merge would merge a configured list index by index, so the defaults are set in place
  var completers = Yasqe.defaults.autocompleters;
  completers.splice(0, completers.length, "prefixes", "variables");
  Yasqe.defaults.prefixCcApi = null;
  Yasqe.defaults.createShortLink = undefined;

  host.hidden = false; // shown before YASGUI starts, so that CodeMirror can measure itself
  var yasgui = new Yasgui(host, {
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    corsProxy: undefined,
    tabName: "Query",
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: []
    },
    requestConfig: {
      endpoint: function () { return endpoint; },
      method: "POST"
    },
    yasqe: {
      value: config.query,
      editorHeight: "20rem",
      persistenceId: null
    },
    yasr: {
      prefixes: prefixes,
      persistenceId: null
    }
  });

  form.hidden = true;

  var bar = document.getElementById("kg-editor-downloads");
  var serverResults = document.getElementById("server-results");
  var FORMATS = {
    select: [["csv", "CSV", "csv"], ["tsv", "TSV", "tsv"], ["json", "SPARQL JSON", "json"]],
    ask: [["json", "SPARQL JSON", "json"], ["xml", "SPARQL XML", "xml"]],
    graph: [["turtle", "Turtle", "ttl"], ["ntriples", "N-Triples", "nt"], ["jsonld", "JSON-LD", "jsonld"]]
  };

  function currentYasqe() {
    var tab = yasgui.getTab();
    return tab ? tab.getYasqe() : undefined;
  }

  function label(yasqe) {
    var input = yasqe.getInputField && yasqe.getInputField();
    if (input && !input.hasAttribute("aria-label")) {
      input.setAttribute("aria-label", "SPARQL-query");
    }
  }

  function updateDownloads() {
    var yasqe = currentYasqe();
    if (!bar || !yasqe) {
      return;
    }
    hook(yasqe);
    var text = yasqe.getValue();
    var type = (yasqe.getQueryType() || "SELECT").toUpperCase();
    var kind = type === "ASK" ? "ask" : (type === "CONSTRUCT" || type === "DESCRIBE") ? "graph" : "select";
    while (bar.firstChild) {
      bar.removeChild(bar.firstChild);
    }
    if (yasqe.getQueryMode && yasqe.getQueryMode() === "update") {
      bar.hidden = true;
      return;
    }
    bar.appendChild(document.createTextNode(config.download_label || "Downloaden: "));
    FORMATS[kind].forEach(function (f, i) {
      if (i > 0) {
        bar.appendChild(document.createTextNode(" · "));
      }
      var a = document.createElement("a");
      var url = new URL(config.endpoint, window.location.href);
      url.searchParams.set("query", text);
      url.searchParams.set("format", f[0]);
      a.href = url.pathname + url.search;
      a.download = (config.download_name || "resultaat") + "." + f[2];
      a.textContent = f[1];
      bar.appendChild(a);
    });
    bar.hidden = false;
  }

  function hook(yasqe) {
    if (yasqe.__kamergraph) {
      return;
    }
    yasqe.__kamergraph = true;
    label(yasqe);
    yasqe.on("change", updateDownloads);
  }

  ["tabChange", "tabSelect", "tabAdd"].forEach(function (event) {
    yasgui.on(event, function () { window.setTimeout(updateDownloads, 0); });
  });
  yasgui.on("query", function () {
    if (serverResults) {
      serverResults.hidden = true; // the editor shows the new results (or error) now
    }
  });
  updateDownloads();

  // Example links load their query into the editor instead of leaving the page.
  Array.prototype.forEach.call(document.querySelectorAll("a.example-link"), function (a) {
    a.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      var text = new URL(a.href).searchParams.get("query");
      var yasqe = currentYasqe();
      if (text === null || !yasqe) {
        return;
      }
      event.preventDefault();
      yasqe.setValue(text);
      host.scrollIntoView({ behavior: "smooth", block: "start" });
      yasqe.focus();
    });
  });
})();
