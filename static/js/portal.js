/* Every portal page (templates/delegates/portal/base.html): after a form is sent back, move the focus to what the
   reader must see first: the summary of the form's errors, or the ballot the receipt code found on a result page. */
(function () {
  "use strict";
  ["error-summary", "lookup-result"].forEach(function (id) {
    var element = document.getElementById(id);
    if (element) { element.focus(); }
  });
})();

/* The portal's menu is one row of tabs that scrolls sideways on a phone: show the current page's tab. */
(function () {
  "use strict";
  var current = document.querySelector(".portal-nav a[aria-current]");
  var list = current && current.closest("ul");
  if (!list || list.scrollWidth <= list.clientWidth) { return; }
  var box = current.getBoundingClientRect();
  var frame = list.getBoundingClientRect();
  if (box.left < frame.left || box.right > frame.right) {
    list.scrollLeft += box.left - frame.left - (frame.width - box.width) / 2;
  }
})();
