/* Every portal page (templates/delegates/portal/base.html): after a form is sent back, move the focus to what the
   reader must see first: the summary of the form's errors, or the ballot the receipt code found on a result page. */
(function () {
  "use strict";
  ["error-summary", "lookup-result"].forEach(function (id) {
    var element = document.getElementById(id);
    if (element) { element.focus(); }
  });
})();
