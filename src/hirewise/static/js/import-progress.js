// The import page while its background task runs: polls the JSON status every second, moves the
// progress bar, and reloads the page for the report once the import has finished.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section || section.getAttribute("data-finished") === "true") { return; }
  var bar = document.getElementById("import-bar");
  var counts = document.getElementById("import-counts");
  var url = section.getAttribute("data-status-url");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { window.setTimeout(poll, 3000); return; }
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        counts.textContent = status.processed_rows + " of " + status.total_rows + " row(s) checked.";
        if (status.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
