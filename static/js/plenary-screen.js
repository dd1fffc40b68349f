/* The hall screen (storskjerm) and the lower third for the live stream (templates/plenary/screen*.html).

   Both follow the hall's state document through HallFeed (static/js/hall-feed.js) every `data-interval` ms and draw
   themselves from it: the item, who has the floor with the clock, the replies queued to the speech, the next five
   speakers, "strek", and — when the document carries one — the vote in progress or its published result. The clock
   runs from the server's time (HallFeed.left), so every screen shows the same time left; without an answer for a
   while the screen keeps the last state and shows a discreet "not updated" mark (HallFeed's onStale).

   The lower third shows the speaker's name, organisation and party, and fades in and out with the speaker. */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root || !window.HallFeed) { return; }
  var lowerThird = root.getAttribute("data-mode") === "lower-third";
  var NEXT = 5;
  var WARNING_SECONDS = 30;
  var state = null;

  function byId(id) { return document.getElementById(id); }

  function setText(id, value) {
    var element = byId(id);
    if (element && element.textContent !== value) { element.textContent = value; }
  }

  function show(id, visible) {
    var element = byId(id);
    if (element && element.hidden === visible) { element.hidden = !visible; }
  }

  function phrase(name, values) {
    var text = root.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function from(entry) {
    return [entry.affiliation, entry.party].filter(function (part) { return part; }).join(" · ");
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text !== undefined) { made.textContent = text; }
    return made;
  }

  function fillList(list, entries) {
    var items = entries.map(function (entry) {
      var item = element("li", "entry" + (entry.kind !== "speech" ? " entry-" + entry.kind : ""));
      var line = element("p", "entry-line");
      line.appendChild(element("span", "entry-name", entry.name));
      if (entry.kind !== "speech") { line.appendChild(element("span", "entry-kind", entry.kind_label)); }
      item.appendChild(line);
      var origin = from(entry);
      if (origin) { item.appendChild(element("p", "entry-from", origin)); }
      return item;
    });
    list.replaceChildren.apply(list, items);
  }

  /* --- The clock ------------------------------------------------------------------------------------------- */

  function tick() {
    var speaking = state && state.speaking;
    if (lowerThird || !speaking) { return; }
    var left = HallFeed.left(speaking);
    var paused = speaking.paused_since !== null;
    var mode = "running";
    var note = "";
    var shown;
    if (left === null) {
      shown = HallFeed.format(HallFeed.spoken(speaking));
      note = phrase("no-limit");
      mode = "unlimited";
    } else {
      shown = HallFeed.format(left);
      if (left < 0) {
        mode = "overtime";
        note = phrase("overtime");
      } else if (left <= WARNING_SECONDS) {
        mode = "warning";
      }
    }
    if (paused) { note = phrase("pause"); }
    var clock = byId("clock");
    if (clock.getAttribute("data-state") !== mode) { clock.setAttribute("data-state", mode); }
    clock.toggleAttribute("data-paused", paused);
    setText("clock-time", shown);
    setText("clock-note", note);
  }

  /* --- The screen ------------------------------------------------------------------------------------------ */

  function renderVote(vote) {
    setText("vote-state", vote.state_label);
    setText("vote-title", vote.title);
    root.setAttribute("data-vote", vote.state);
    show("vote-progress", !vote.result);
    show("vote-result", !!vote.result);
    if (!vote.result) {
      setText("vote-count", vote.progress);
      byId("vote-bar").style.width = (vote.share === null ? 0 : Math.min(100, vote.share)) + "%";
      return;
    }
    var result = vote.result;
    setText("vote-outcome", result.outcome);
    setText("vote-heading", result.heading);
    var rows = result.rows.slice(0, 8).map(function (row) {
      var tr = element("tr", row.elected ? "elected" : "");
      var label = element("th", "", row.label);
      label.setAttribute("scope", "row");
      if (row.mark) { label.appendChild(element("span", "mark", " – " + row.mark)); }
      tr.appendChild(label);
      tr.appendChild(element("td", "num", String(row.votes)));
      tr.appendChild(element("td", "num", row.percent + " %"));
      return tr;
    });
    byId("vote-rows").closest("table").classList.toggle("many", rows.length > 4);
    var body = byId("vote-rows");
    body.replaceChildren.apply(body, rows);
    setText("vote-facts", result.facts);
    setText("vote-base", result.base);
  }

  function renderScreen(doc) {
    var item = doc.item;
    show("item-number", !!item);
    setText("item-number", item ? phrase("number", { number: item.number }) : "");
    setText("item-title", item ? item.title : doc.congress_name);
    show("vote", !!doc.vote);
    show("debate", !doc.vote && !!item);
    show("no-item", !doc.vote && !item);
    root.setAttribute("data-view", doc.vote ? "vote" : item ? "debate" : "empty");
    if (doc.vote) { renderVote(doc.vote); return; }
    if (!item) { return; }

    var speaking = doc.speaking;
    show("speaker-on", !!speaking);
    show("nobody", !speaking);
    if (speaking) {
      setText("speaker-kind", speaking.kind_label);
      setText("speaker-name", speaking.name);
      setText("speaker-from", from(speaking));
      var name = byId("speaker-name");
      name.classList.toggle("long", speaking.name.length > 24);
      name.classList.toggle("longer", speaking.name.length > 40);
    }
    var followUps = {};
    doc.follow_ups.forEach(function (id) { followUps[id] = true; });
    var replies = doc.waiting.filter(function (entry) { return followUps[entry.id]; });
    var others = doc.waiting.filter(function (entry) { return !followUps[entry.id]; });
    show("replies-box", replies.length > 0);
    fillList(byId("replies"), replies);
    fillList(byId("next"), others.slice(0, NEXT));
    show("next-empty", others.length === 0);
    show("more", others.length > NEXT);
    setText("more", others.length > NEXT ? phrase("more", { count: others.length - NEXT }) : "");
    show("strek", doc.closed);
  }

  function renderLowerThird(doc) {
    var speaking = doc.speaking;
    var caption = byId("caption");
    if (speaking) {
      setText("speaker-name", speaking.name);
      setText("speaker-from", from(speaking));
    }
    caption.classList.toggle("on", !!speaking);
  }

  HallFeed.follow({
    url: root.getAttribute("data-state-url"),
    interval: parseInt(root.getAttribute("data-interval"), 10) || 500,
    onState: function (doc) {
      state = doc;
      if (lowerThird) { renderLowerThird(doc); } else { renderScreen(doc); tick(); }
      root.setAttribute("data-version", String(doc.version));
    },
    onStale: function (stale) { show("stale", stale); }
  });
  if (!lowerThird) { window.setInterval(tick, 200); }
})();
