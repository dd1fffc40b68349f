/* The ballot page casts the vote without leaving the page: the form is sent to its "cast" address, which answers
   in JSON, and the receipt replaces the ballot. On any other answer (a mistake on the ballot, a vote closed or
   already cast, a lost connection) the form is posted as usual, and the page the server renders says what is
   wrong, or shows the receipt. Without JavaScript the form is always posted as usual. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-cast-url]");
  var area = document.getElementById("ballot-area");
  var template = document.getElementById("receipt-template");
  if (!form || !area || !template || !("content" in template) || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var sending = false;

  function showReceipt(code) {
    var receipt = template.content.cloneNode(true);
    receipt.querySelector("[data-receipt]").textContent = code;
    while (area.firstChild) { area.removeChild(area.firstChild); }
    area.appendChild(receipt);
    document.title = form.getAttribute("data-receipt-title");
    area.querySelector("h1").focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }  // a double tap sends one ballot
    sending = true;
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-cast-url"), {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error"
    }).then(function (response) {
      return response.ok ? response.json() : Promise.reject(new Error(String(response.status)));
    }).then(function (answer) {
      if (answer.status !== "cast" || !answer.receipt) { throw new Error(answer.status); }
      showReceipt(answer.receipt);
    }).catch(function () {
      form.submit();
    });
  });
})();
