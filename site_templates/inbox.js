/* Rapport feedback inbox: filter the list by client, survey and score, in the browser only.

   Every answer is already in the page as a list item whose data-client, data-survey and
   data-bands attributes say what it is; the filters only hide and show items. Without
   JavaScript the filters stay disabled and the page is the full list. */
(function () {
  "use strict";

  var form = document.getElementById("inbox-filters");
  var fieldset = document.getElementById("inbox-fieldset");
  var list = document.getElementById("inbox-list");
  var count = document.getElementById("inbox-count");
  if (!form || !fieldset || !list || !count) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll("li.inbox-item"));
  var total = items.length;

  function matches(item, client, survey, score) {
    if (client && item.getAttribute("data-client") !== client) { return false; }
    if (survey && item.getAttribute("data-survey") !== survey) { return false; }
    if (score && (" " + item.getAttribute("data-bands") + " ").indexOf(" " + score + " ") === -1) { return false; }
    return true;
  }

  function apply() {
    var client = form.elements.client.value;
    var survey = form.elements.survey.value;
    var score = form.elements.score.value;
    var shown = 0;
    items.forEach(function (item) {
      var keep = matches(item, client, survey, score);
      item.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown === total
      ? total + " answer" + (total === 1 ? "" : "s")
      : shown + " of " + total + (total === 1 ? " answer matches" : " answers match") + " the filters";
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  // a reset changes the controls after the event, so filter once they have their values back
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  fieldset.disabled = false;
  apply();
})();
