/* Printed documents (templates/admin/delegates/documents.html). */
// While a document is queued or rendering, ask for its status every 2 s and update its row.
(function () {
  var table = document.getElementById("documents");
  if (!table) { return; }
  var label = table.getAttribute("data-download-label");
  function poll(row) {
    fetch(row.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
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
        if (data.done) { row.dataset.done = "1"; } else { setTimeout(function () { poll(row); }, 2000); }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 2000); });
  }
  table.querySelectorAll('tr[data-done="0"]').forEach(function (row) {
    setTimeout(function () { poll(row); }, 2000);
  });
})();
