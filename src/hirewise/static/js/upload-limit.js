// File inputs with a size limit: <input type="file" data-max-bytes="5242880" data-too-large="message">.
// A file over the limit is refused here, before the form is sent, so nothing the person typed is
// lost. The server checks again and, without this script, answers the form back with the typed
// text (a 413 page that re-renders it).
(function () {
  "use strict";

  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    return Array.prototype.some.call(input.files || [], function (file) {
      return limit > 0 && file.size > limit;
    });
  }

  function showProblem(input, message) {
    var id = input.id + "-size-error";
    var existing = document.getElementById(id);
    if (!message) {
      if (existing) { existing.remove(); }
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!existing) {
      existing = document.createElement("p");
      existing.id = id;
      existing.className = "error";
      existing.setAttribute("role", "alert");
      input.parentNode.appendChild(existing);
    }
    existing.textContent = message;
    input.setAttribute("aria-invalid", "true");
  }

  function check(input) {
    if (!tooLarge(input)) {
      showProblem(input, "");
      return true;
    }
    showProblem(input, input.getAttribute("data-too-large") || "This file is too large.");
    input.value = "";  // nothing too large can be sent; the other fields keep their text
    return false;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) { check(input); }
  });

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    Array.prototype.forEach.call(inputs, function (input) {
      if (tooLarge(input) && !check(input)) {
        event.preventDefault();
        input.focus();
      }
    });
  });
})();
