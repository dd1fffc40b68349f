/* The evaluation survey behind the personal link (templates/surveys/portal/form.html): save the answers as a draft
   in the background a moment after one changes, and say so in the form's status line. The form's own "Save and
   continue later" button does the same without JavaScript; this only spares the participant from pressing it. */
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form[data-draft-url]");
  var status = document.getElementById("survey-autosave");
  if (!form || !status || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-draft-url");
  var timer = null;
  var busy = false;
  var again = false;
  var leaving = false;
  var pending = null; /* the AbortController of the save in flight */

  function say(key) {
    /* Emptied first, so that "Saved" is announced again after each save. */
    status.textContent = "";
    window.setTimeout(function () { status.textContent = status.getAttribute("data-" + key) || ""; }, 50);
  }

  function save() {
    timer = null;
    if (leaving) { return; }
    if (busy) { again = true; return; }
    busy = true;
    var body = new FormData(form);
    pending = window.AbortController ? new window.AbortController() : null;
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined,
      headers: {"X-CSRFToken": body.get("csrfmiddlewaretoken") || "", "Accept": "application/json"}
    }).then(function (response) {
      return response.ok ? "saved" : "not-saved";
    }, function () {
      return "not-saved";
    }).then(function (outcome) {
      busy = false;
      pending = null;
      if (leaving) { return; }
      if (again) { again = false; save(); return; }
      if (!timer) { status.setAttribute("data-state", outcome); }
      say(outcome);
    });
  }

  function later(delay) {
    /* data-state: "pending" until the last change is saved, then "saved" or "not-saved". */
    status.setAttribute("data-state", "pending");
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () { later(600); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") { later(1500); }
  });
  /* A button pressed: the server saves or submits; no background save may land after it. */
  form.addEventListener("submit", function () {
    leaving = true;
    if (timer) { window.clearTimeout(timer); timer = null; }
    /* An older save still on its way must not be the last word; one the server already has is older than this. */
    if (pending) { pending.abort(); }
  });
})();
