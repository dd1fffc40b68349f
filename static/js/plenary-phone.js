/* The delegate's phone in the hall (templates/plenary/portal/floor.html): follows the participant's state document
   through hall-feed.js every two seconds and redraws the page from it — the headline ("You are next", announced by
   its aria-live), the own requests with their places and withdraw buttons, which buttons are offered and why the
   others are not, who speaks, and the clock, which runs from the server's time. The words come from the page's
   data-t-* attributes (in the participant's language). When the item before the hall changes the page reloads: no
   form on it is ever half filled. As the server renders it (plenary/portal/views.py), so both agree. */
(function () {
  "use strict";
  var root = document.getElementById("floor");
  if (!root || !window.HallFeed) { return; }
  var t = root.dataset;
  var current = null;
  var known = false; // until the first document, the server's rendering stands

  function part(name) { return root.querySelector('[data-floor="' + name + '"]'); }

  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function show(element, visible) {
    if (element && element.hidden === visible) { element.hidden = !visible; }
  }

  function headline(doc) {
    if (doc.speaking_own) { return ["speaking", t.tSpeaking]; }
    var places = doc.own.map(function (own) { return own.position; }).filter(function (p) { return p !== null; });
    if (!places.length) { return ["none", t.tNone]; }
    var first = Math.min.apply(null, places);
    return first === 1 ? ["next", t.tNext] : ["waiting", t.tNumber.replace("{n}", first)];
  }

  function notes(doc) {
    var found = [];
    ["speech", "reply", "point_of_order"].forEach(function (kind) {
      var may = doc.may[kind];
      if (!may.allowed && may.why && may.why !== t.tAlready && found.indexOf(may.why) < 0) { found.push(may.why); }
    });
    return found;
  }

  function drawOwn(doc) {
    var list = part("own");
    var template = document.getElementById("floor-own-template");
    if (!list || !template) { return; }
    var key = doc.own.map(function (own) { return own.id + ":" + own.position; }).join(",");
    if (list.dataset.key === key) { return; }
    list.dataset.key = key;
    list.replaceChildren();
    doc.own.forEach(function (own) {
      var item = template.content.firstElementChild.cloneNode(true);
      item.classList.toggle("floor-own__item--next", own.position === 1);
      item.querySelector(".floor-own__kind").textContent = own.kind_label;
      item.querySelector(".floor-own__place").textContent =
        own.position === 1 ? t.tPlaceNext : t.tPlaceNumber.replace("{n}", own.position);
      item.querySelector("[data-kind]").textContent = own.kind_label;
      item.querySelector("button").value = own.id;
      list.appendChild(item);
    });
    show(list, doc.own.length > 0);
  }

  function drawCurrent(doc) {
    var box = part("current");
    if (!box) { return; }
    var speaker = doc.current;
    var key = speaker ? [speaker.id, speaker.name, speaker.kind_label, speaker.affiliation, speaker.party].join("|") : "";
    if (box.dataset.key === key) { return; }
    box.dataset.key = key;
    box.replaceChildren();
    var line = document.createElement("p");
    if (!speaker) {
      line.className = "floor-speaker__none";
      line.textContent = t.tNobody;
      box.appendChild(line);
      return;
    }
    line.className = "floor-speaker__name";
    line.textContent = speaker.name;
    var detail = document.createElement("p");
    detail.className = "floor-speaker__detail";
    detail.textContent = [speaker.kind_label, speaker.affiliation, speaker.party].filter(Boolean).join(" · ");
    box.append(line, detail);
  }

  function tick() {
    var clock = part("clock");
    if (!clock || !known) { return; }
    show(clock, current !== null);
    if (current === null) { return; }
    var left = window.HallFeed.left(current);
    var text;
    if (left === null) {
      text = t.tUnlimited;
    } else {
      text = (left < 0 ? t.tOver : t.tLeft).replace("{t}", window.HallFeed.format(left));
    }
    if (current.paused_since !== null) { text += " (" + t.tPaused + ")"; }
    setText(clock, text);
    clock.classList.toggle("floor-clock--over", left !== null && left < 0);
    clock.classList.toggle("floor-clock--ending", left !== null && left >= 0 && left <= 30);
  }

  function draw(doc) {
    // A form sent from this page says which version it showed: a second tap of the same moment asks nothing more.
    root.querySelectorAll("input[name=seen]").forEach(function (input) { input.value = String(doc.version); });
    var item = doc.item ? String(doc.item.id) : "";
    if (item !== (t.item || "")) {
      window.location.reload();
      return;
    }
    var head = headline(doc);
    var line = part("headline");
    if (line) {
      line.className = "floor-you floor-you--" + head[0];
      line.dataset.state = head[0];
      setText(line, head[1]);
    }
    drawOwn(doc);
    ["speech", "reply", "answer", "point_of_order"].forEach(function (kind) {
      show(part(kind), doc.may[kind].allowed);
    });
    var list = part("notes");
    if (list) {
      var found = notes(doc);
      if (list.dataset.key !== found.join("\n")) {
        list.dataset.key = found.join("\n");
        list.replaceChildren.apply(list, found.map(function (note) {
          var entry = document.createElement("li");
          entry.textContent = note;
          return entry;
        }));
      }
      show(list, found.length > 0);
      list.classList.toggle("floor-notes--blocked", !Object.keys(doc.may).some(function (kind) {
        return doc.may[kind].allowed;
      }));
    }
    drawCurrent(doc);
    current = doc.current;
    known = true;
    tick();
  }

  /* One tap asks: a second tap while the first is on its way would only be refused. */
  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.setAttribute("aria-busy", "true");
  });

  window.HallFeed.follow({
    url: t.stateUrl,
    interval: Number(t.interval) || 2000,
    onState: draw,
    onStale: function (stale) { show(part("stale"), stale); }
  });
  window.setInterval(tick, 250);
})();
