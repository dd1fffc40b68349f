/* Pages that follow the votes as they happen: the officials' desk and the hall's projector (while a vote is open,
   fetch its state every few seconds and update the numbers in place), and the delegates' list of open votes. When
   what the page shows changes (a vote opened, closed, published or cast), reload the page so that the server renders
   what belongs to the new state. Without JavaScript the pages work by reloading. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-live-url");
  var key = root.getAttribute("data-key") || "";
  var interval = parseInt(root.getAttribute("data-interval"), 10) || 2000;
  var active = root.hasAttribute("data-live-active");
  var reloading = false;

  function show(fields) {
    root.querySelectorAll("[data-live]").forEach(function (element) {
      var value = fields[element.getAttribute("data-live")];
      if (value !== undefined && value !== null && String(value) !== element.textContent) {
        element.textContent = value;
      }
    });
  }
  function refresh() {
    if (reloading || document.hidden) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var fields = (data.poll && typeof data.poll === "object") ? data.poll : data;
        if ((data.key || "") !== key) {
          reloading = true;
          window.location.reload();
          return;
        }
        show(fields);
      })
      .catch(function () { /* offline for a moment: keep the last numbers */ });
  }
  // The desk's poll page only polls while its vote is open; the projector always (it waits for the next vote).
  if (!active) { return; }
  root.querySelectorAll("[data-live-hint]").forEach(function (hint) { hint.hidden = false; });
  window.setInterval(refresh, interval);
  document.addEventListener("visibilitychange", refresh);
})();
