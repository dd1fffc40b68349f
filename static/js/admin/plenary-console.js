/* The chair's console (templates/admin/plenary/console.html): follows the hall's state document every 500 ms
   (HallFeed, static/js/hall-feed.js) and rebuilds the speaker, the clock, the queue and the withdrawn requests from
   it, with the page's <template> rows and textContent only (names are never parsed as HTML). The hidden fields that
   tell the server what the console saw (who speaks) are set from the same document, so the next POST is based on
   what the page shows. Keys N, S, P, L press the same buttons as a click; R prepares the add form for a reply. */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root || !window.HallFeed) { return; }
  var text = root.dataset;
  var current = null;

  function byId(id) { return document.getElementById(id); }

  function fill(template, entry) {
    var node = template.content.firstElementChild.cloneNode(true);
    node.dataset.id = String(entry.id);
    node.querySelectorAll("[data-cell=name]").forEach(function (cell) { cell.textContent = entry.name; });
    node.querySelectorAll("[data-cell=id]").forEach(function (input) { input.value = String(entry.id); });
    var kind = node.querySelector("[data-cell=kind]");
    if (kind) {
      kind.textContent = entry.kind_label;
      if (kind.classList.contains("kind")) { kind.className = "kind kind-" + entry.kind; }
    }
    return node;
  }

  function meta(entry) {
    var parts = [entry.affiliation];
    if (entry.county && entry.county !== entry.affiliation) { parts.push(entry.county); }
    parts.push(entry.party);
    return parts.filter(function (part) { return part; }).join(" · ");
  }

  function time(ms) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "nb",
        { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: text.timeZone }).format(new Date(ms));
    } catch (error) {
      return new Date(ms).toTimeString().slice(0, 5);
    }
  }

  function renderQueue(doc) {
    var body = byId("console-queue-body");
    var template = byId("console-row-template");
    if (!body || !template) { return; }
    var rows = doc.waiting.map(function (entry) {
      var row = fill(template, entry);
      row.className = entry.answers ? "follow-up" : "";
      row.querySelector("[data-cell=position]").textContent = String(entry.position);
      row.querySelector("[data-cell=meta]").textContent = meta(entry);
      row.querySelector("[data-cell=time]").textContent =
        entry.allowed_seconds === null ? text.noLimitShort : HallFeed.format(entry.allowed_seconds);
      return row;
    });
    if (!rows.length) {
      var empty = document.createElement("tr");
      var cell = document.createElement("td");
      empty.className = "empty";
      cell.colSpan = 5;
      cell.textContent = text.empty;
      empty.appendChild(cell);
      rows = [empty];
    }
    body.replaceChildren.apply(body, rows);
    byId("console-waiting-count").textContent = String(doc.waiting.length);

    var withdrawn = byId("console-withdrawn-list");
    var withdrawnTemplate = byId("console-withdrawn-template");
    if (withdrawn && withdrawnTemplate) {
      withdrawn.replaceChildren.apply(withdrawn, doc.withdrawn.map(function (entry) {
        return fill(withdrawnTemplate, entry);
      }));
      byId("console-withdrawn").hidden = doc.withdrawn.length === 0;
    }
  }

  function renderSpeaker(doc) {
    var speaking = doc.speaking;
    byId("console-speaker-name").textContent = speaking ? speaking.name : text.nobody;
    byId("console-speaker-meta").textContent = speaking ? meta(speaking) : "";
    var kind = byId("console-speaker-kind");
    kind.textContent = speaking ? speaking.kind_label : "";
    kind.className = "kind kind-" + (speaking ? speaking.kind : "none");
    byId("console-stop").disabled = !speaking;
    var pause = byId("console-pause");
    var paused = Boolean(speaking && speaking.paused_since !== null);
    pause.disabled = !speaking;
    pause.value = paused ? "resume" : "pause";
    pause.querySelector("[data-label]").textContent = paused ? text.resume : text.pause;
    document.querySelectorAll("[data-field=speaking]").forEach(function (input) {
      input.value = speaking ? String(speaking.id) : "";
    });
    tick();
  }

  function renderList(doc) {
    var state = byId("console-list-state");
    if (state) {
      state.classList.toggle("closed", doc.closed);
      state.textContent = doc.closed
        ? (doc.closed_at ? text.closedAt.replace("%(time)s", time(doc.closed_at)) : text.closed)
        : text.open;
    }
    byId("console-close").hidden = doc.closed;
    byId("console-reopen").hidden = !doc.closed;
  }

  function renderVote(doc) {
    var banner = byId("console-vote");
    banner.hidden = !doc.vote;
    if (doc.vote) {
      var link = byId("console-vote-link");
      link.textContent = doc.vote.title;
      link.href = doc.vote.url;
    }
  }

  /* The clock: from the server's time, several times a second. */
  function tick() {
    var speaker = byId("console-speaker");
    var clock = byId("console-clock");
    var note = byId("console-clock-note");
    if (!speaker) { return; }
    var speaking = current && current.speaking;
    if (!speaking) {
      speaker.dataset.state = "none";
      speaker.removeAttribute("data-paused");
      clock.textContent = "–";
      note.textContent = "";
      return;
    }
    var paused = speaking.paused_since !== null;
    speaker.toggleAttribute("data-paused", paused);
    var left = HallFeed.left(speaking);
    if (left === null) {
      speaker.dataset.state = "unlimited";
      clock.textContent = HallFeed.format(HallFeed.spoken(speaking)).replace(/^\+/, "");
      note.textContent = paused ? text.paused : text.noLimit;
      return;
    }
    speaker.dataset.state = left < 0 ? "overtime" : left <= 30 ? "amber" : "running";
    clock.textContent = HallFeed.format(left);
    note.textContent = paused ? text.paused
      : left < 0 ? text.overtime : text.of.replace("%(time)s", HallFeed.format(speaking.allowed_seconds));
  }

  function onState(doc) {
    var item = doc.item ? String(doc.item.id) : "";
    if (item !== text.item) {
      // Another console put another item before the hall: the page (voting list, forms) is about the old one.
      window.location.reload();
      return;
    }
    current = doc;
    if (!byId("console-speaker")) { return; }
    renderQueue(doc);  // first: the new rows' hidden fields are then set with the others
    renderSpeaker(doc);
    renderList(doc);
    renderVote(doc);
  }

  /* Keys: only without modifiers and never while typing in a field or working a control. */
  function typing(target) {
    if (!target || !target.closest) { return false; }
    return Boolean(target.closest("input, select, textarea, [contenteditable], [role=textbox]"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    if (typing(event.target)) { return; }
    var key = event.key.toLowerCase();
    if (key === "r") {
      var kind = byId("console-kind");
      var field = byId("console-q");
      if (!kind || !field) { return; }
      event.preventDefault();
      kind.value = "reply";
      field.focus();
      field.select();
      return;
    }
    var button = document.querySelector("#console-controls button[data-shortcut='" + key + "']");
    if (!button || button.disabled || button.hidden) { return; }
    event.preventDefault();
    button.form.requestSubmit(button);
  });

  // Block a second press while a POST is on its way (a double step is refused anyway, but says so). After the
  // event: the form's data, with the button pressed, is taken when the event has run.
  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method !== "post") { return; }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
    }, 0);
  });

  HallFeed.follow({
    url: text.stateUrl,
    interval: Number(text.interval) || 500,
    onState: onState,
    onStale: function (stale) {
      var note = byId("console-stale");
      if (note) { note.textContent = stale ? text.stale : ""; }
    }
  });
  window.setInterval(function () { if (current) { tick(); } }, 200);
})();
