// Schedule form: choosing an interview of the plan fills in its title and length.
(function () {
  "use strict";
  var data = document.getElementById("plan-data");
  var select = document.getElementById("plan_item_id");
  var title = document.getElementById("title");
  var duration = document.getElementById("duration_minutes");
  if (!data || !select || !title || !duration) {
    return;
  }
  var plan = JSON.parse(data.textContent || "{}");
  select.addEventListener("change", function () {
    var item = plan[select.value];
    if (item) {
      title.value = item.title;
      duration.value = item.duration;
    }
  });
})();
