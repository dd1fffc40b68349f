/* Printed documents (templates/admin/delegates/documents.html). */
// While a document is queued or being made, ask for its status every second and update its row: the status says
// what is true now (queued, being made with the page it is at, ready, failed), the bar shows the percentage, and
// the download link appears when it is ready; "… is ready." (or could not be made) is announced in the status line
// above the table.
(function () {
  var table = document.getElementById("documents");
  if (!table) { return; }
  var label = table.getAttribute("data-download-label");
  var announce = document.getElementById("documents-announce");
  var INTERVAL = 1000;
  function later(row) { setTimeout(function () { poll(row); }, INTERVAL); }
  function poll(row) {
    fetch(row.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { later(row); return; }
        row.dataset.status = data.status;
        row.querySelector('[data-field="status"]').firstChild.textContent = data.status_label + " ";
        row.querySelector('[data-field="error"]').textContent = data.error;
        var bar = row.querySelector('[data-field="progress"]');
        bar.value = data.progress;
        bar.textContent = data.progress + " %";
        row.querySelector('[data-field="pages"]').textContent = data.pages === null ? "" : data.pages;
        row.querySelector('[data-field="finished_at"]').textContent = data.finished_at;
        var cell = row.querySelector('[data-field="download"]');
        cell.textContent = "";
        if (data.download_url) {
          var link = document.createElement("a");
          link.href = data.download_url;
          link.textContent = label;
          cell.appendChild(link);
        }
        if (data.done) {
          row.dataset.done = "1";
          if (announce && data.announcement) { announce.textContent = data.announcement; }
        } else {
          later(row);
        }
      })
      .catch(function () { later(row); });
  }
  table.querySelectorAll('tr[data-done="0"]').forEach(later);
})();
