/* The check-in desk (templates/admin/delegates/checkin.html): live counts and scanning with the camera. */
(function () {
  "use strict";
  var counts = document.getElementById("checkin-counts");
  var url = counts.getAttribute("data-url");
  var interval = parseInt(counts.getAttribute("data-interval"), 10) || 3000;

  function show(data) {
    counts.querySelectorAll("[data-count]").forEach(function (el) {
      var value = data[el.getAttribute("data-count")];
      if (value !== undefined && String(value) !== el.textContent) { el.textContent = value; }
    });
    (data.by_role || []).forEach(function (row) {
      counts.querySelectorAll('[data-role="' + row.role + '"]').forEach(function (el) {
        var value = row[el.getAttribute("data-field")];
        if (value !== undefined && String(value) !== el.textContent) { el.textContent = value; }
      });
    });
  }
  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline for a moment: keep the last numbers */ });
  }
  refresh();
  window.setInterval(refresh, interval);
  document.addEventListener("visibilitychange", refresh);

  // Camera scanning where the browser reads QR codes itself (BarcodeDetector); otherwise the button stays hidden.
  var start = document.getElementById("checkin-camera-start");
  var stop = document.getElementById("checkin-camera-stop");
  var box = document.getElementById("checkin-camera");
  var video = document.getElementById("checkin-video");
  var form = document.getElementById("checkin-scan-form");
  var input = document.getElementById("checkin-badge");
  var feedback = document.getElementById("checkin-feedback");
  var stream = null;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") !== -1) { start.hidden = false; }
  }).catch(function () {});

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.srcObject = null;
    box.hidden = true;
    start.hidden = false;
  }
  function cameraFailed() {
    stopCamera();
    feedback.innerHTML = "";
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = feedback.getAttribute("data-camera-error");
    feedback.appendChild(p);
    input.focus();
  }
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      box.hidden = false;
      start.hidden = true;
      stop.focus();
      return video.play().then(function () {
        (function tick() {
          if (!stream) { return; }
          detector.detect(video).then(function (codes) {
            var code = codes.length ? codes[0].rawValue : "";
            if (!code) { window.setTimeout(tick, 150); return; }
            stopCamera();
            input.value = code;
            if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
          }).catch(function () { window.setTimeout(tick, 400); });
        })();
      });
    }).catch(cameraFailed);
  });
  stop.addEventListener("click", function () { stopCamera(); input.focus(); });
})();
