/* The hall's live state for the chair's console, the hall screen, the lower third and the delegates' phones.

   HallFeed.follow({url, interval, onState, onStale}) fetches the state document at `url` every `interval` ms with
   the version it holds as If-None-Match, so an unchanged state costs the server a 304 and no rendering. Each new
   document goes to onState(doc). When no answer has come for a while (three intervals, at least 4 s), onStale(true)
   is called and the page keeps showing the last state, marked as stale; it goes on asking and calls onStale(false)
   with the next answer. A hidden page (a locked phone, a tab behind another) does not ask until it is shown. HallFeed.refresh() asks at once (after the page's own action).

   The clock runs from the server's time: every document carries `server_time` (ms since the epoch), and the feed keeps
   the difference to the browser's clock, measured from the fastest answer seen, so screens opened at different
   moments show the same time left, whatever their own clocks say. HallFeed.now() is the server's time now;
   HallFeed.left(speaking) the seconds left of a speech (negative in overtime, null without a limit). */
(function () {
  "use strict";
  var feed = { offset: 0, bestRoundTrip: Infinity, version: null, doc: null };
  var options = null;
  var lastAnswer = Date.now();
  var stale = false;
  var inFlight = false;
  var timer = null;

  function markStale(value) {
    if (value === stale) { return; }
    stale = value;
    document.documentElement.toggleAttribute("data-stale", value);
    if (options.onStale) { options.onStale(value); }
  }

  function ask() {
    // A page nobody looks at (a phone in a pocket, a tab behind another) does not ask; it asks at once when shown.
    if (inFlight || document.hidden) { return; }
    inFlight = true;
    var sent = Date.now();
    var headers = { "Accept": "application/json" };
    if (feed.version !== null) { headers["If-None-Match"] = '"' + feed.version + '"'; }
    fetch(options.url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        var received = Date.now();
        if (response.status === 304) { return { received: received, sent: sent, doc: null }; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json().then(function (doc) { return { received: received, sent: sent, doc: doc }; });
      })
      .then(function (answer) {
        lastAnswer = answer.received;
        markStale(false);
        if (!answer.doc) { return; }
        var roundTrip = answer.received - answer.sent;
        if (roundTrip <= feed.bestRoundTrip || feed.doc === null) {
          feed.bestRoundTrip = roundTrip;
          feed.offset = answer.doc.server_time + roundTrip / 2 - answer.received;
        }
        feed.version = answer.doc.version;
        feed.doc = answer.doc;
        options.onState(answer.doc);
      })
      .catch(function () { /* offline for a moment: keep the last state */ })
      .then(function () {
        inFlight = false;
        if (Date.now() - lastAnswer > Math.max(4000, 3 * options.interval)) { markStale(true); }
      });
  }

  window.HallFeed = {
    follow: function (settings) {
      options = settings;
      options.interval = options.interval || 2000;
      ask();
      timer = window.setInterval(ask, options.interval);
      document.addEventListener("visibilitychange", function () { if (!document.hidden) { ask(); } });
      window.addEventListener("online", ask);
    },
    refresh: function () { if (options) { ask(); } },
    now: function () { return Date.now() + feed.offset; },
    spoken: function (speaking) {
      if (!speaking || speaking.started_at === null) { return 0; }
      var until = speaking.paused_since !== null ? speaking.paused_since : this.now();
      return Math.max(0, (until - speaking.started_at) / 1000 - speaking.paused_seconds);
    },
    left: function (speaking) {
      if (!speaking || speaking.allowed_seconds === null) { return null; }
      return speaking.allowed_seconds - this.spoken(speaking);
    },
    /* "4:05" for 245 s; overtime as "+0:12". */
    format: function (seconds) {
      var overtime = seconds < 0;
      var whole = Math.floor(Math.abs(seconds) + (overtime ? 0 : 0.999));
      var text = Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
      return overtime ? "+" + text : text;
    },
    stop: function () { if (timer) { window.clearInterval(timer); } }
  };
})();
