/* The ballot page casts the vote without leaving the page: the form is sent to its "cast" address, which answers
   in JSON, and the receipt replaces the ballot. On any other answer (a mistake on the ballot, a vote closed or
   already cast, no answer within 30 seconds, a lost connection) the form is posted as usual, and the page the
   server renders says what is wrong, or shows the receipt. Without JavaScript the form is always posted as usual. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-cast-url]");
  var area = document.getElementById("ballot-area");
  var template = document.getElementById("receipt-template");
  if (!form || !area || !template || !("content" in template) || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var button = form.querySelector("[type=submit]");
  var status = document.getElementById("ballot-sending");
  var TIMEOUT_MS = 30000;
  var sending = false;

  function setSending(on) {
    sending = on;
    button.disabled = on;
    if (status) { status.textContent = on ? form.getAttribute("data-sending-text") : ""; }
  }

  function postAsUsual() {
    form.submit();
  }

  function showReceipt(code) {
    var receipt = template.content.cloneNode(true);
    receipt.querySelector("[data-receipt]").textContent = code;
    while (area.firstChild) { area.removeChild(area.firstChild); }
    area.appendChild(receipt);
    document.title = form.getAttribute("data-receipt-title");
    area.querySelector("h1").focus();
  }

  function answered(answer) {
    if (answer && answer.status === "cast" && answer.receipt) {
      showReceipt(answer.receipt);
    } else {
      postAsUsual();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }  // a double tap sends one ballot
    setSending(true);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    fetch(form.getAttribute("data-cast-url"), {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      window.clearTimeout(timer);
      return response.ok ? response.json() : null;
    }).then(answered, postAsUsual);
  });

  // Back to this page from the browser's history: the form can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { setSending(false); }
  });
})();

/* A ballot for several seats: once as many boxes are ticked as the ballot may name, the others are disabled, and the
   count is said. Without the script the server refuses too many names. */
(function () {
  "use strict";
  var count = document.getElementById("ballot-count");
  if (!count) { return; }
  var limit = parseInt(count.getAttribute("data-limit"), 10);
  var text = count.getAttribute("data-text") || "";
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".ballot input[type=checkbox]"));
  if (!limit || !boxes.length) { return; }
  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    boxes.forEach(function (box) { box.disabled = !box.checked && ticked >= limit; });
    count.hidden = false;
    count.textContent = text.replace("%(count)s", ticked).replace("%(limit)s", limit);
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
