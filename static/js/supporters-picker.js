/* The supporters of a new amendment or statement (templates/committees/portal/_supporters_picker.html): show the
   search field, narrow the list of checkboxes as one types (names, organisations and counties; case and accents do
   not matter), keep the "chosen" line up to date and say in the status how many are chosen and shown. Without this
   script the page shows the whole list of checkboxes, which works as well. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/æ/g, "ae").replace(/ø/g, "o").replace(/å/g, "a");
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }

  function setUp(picker) {
    var search = picker.querySelector(".picker__search");
    var input = picker.querySelector(".picker__input");
    var status = picker.querySelector(".picker__status");
    var chosenLine = picker.querySelector(".picker__chosen");
    var chosenNames = picker.querySelector(".picker__chosen-names");
    var empty = picker.querySelector(".picker__empty");
    var groups = Array.prototype.slice.call(picker.querySelectorAll(".picker__group"));
    var options = Array.prototype.slice.call(picker.querySelectorAll(".picker__option"));
    var timer = null;

    options.forEach(function (option) {
      var group = option.closest(".picker__group").querySelector("legend").textContent;
      option.dataset.search = fold(option.textContent + " " + group);
    });

    function counts() {
      var chosen = options.filter(function (option) { return option.querySelector("input").checked; });
      var shown = options.filter(function (option) { return !option.hidden; });
      return { chosen: chosen, shown: shown.length };
    }

    function announce() {
      var state = counts();
      var text = fill(picker.dataset.textChosen, { count: state.chosen.length });
      if (input.value.trim()) {
        text += " " + fill(picker.dataset.textShown, { shown: state.shown, total: options.length });
      }
      status.textContent = text;
    }

    function showChosen() {
      var names = counts().chosen.map(function (option) { return option.querySelector("label").textContent.trim(); });
      chosenNames.textContent = names.join("; ");
      chosenLine.hidden = names.length === 0;
    }

    function narrow() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      options.forEach(function (option) {
        option.hidden = !words.every(function (word) { return option.dataset.search.indexOf(word) !== -1; });
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector(".picker__option:not([hidden])");
      });
      empty.hidden = options.some(function (option) { return !option.hidden; });
      window.clearTimeout(timer);
      timer = window.setTimeout(announce, 500);  // once the typing pauses, not at every key
    }

    search.hidden = false;
    input.addEventListener("input", narrow);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter in the search field does not send the form
      if (event.key === "Escape" && input.value) { input.value = ""; narrow(); }
    });
    picker.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") { showChosen(); announce(); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-supporters-picker]"), setUp);
})();
