// File inputs with a size limit: <input type="file" data-max-bytes="5242880" data-too-large="message">,
// and optionally a type: data-extensions=".pdf .docx" data-wrong-type="message".
// A file over the limit or of another type is refused here, before the form is sent, so nothing the
// person typed is lost. The server checks again and, without this script, answers the form back with
// the typed text (a 413 page that re-renders it).
(function () {
  "use strict";

  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    return Array.prototype.some.call(input.files || [], function (file) {
      return limit > 0 && file.size > limit;
    });
  }

  function wrongType(input) {
    var allowed = (input.getAttribute("data-extensions") || "").toLowerCase().split(/\s+/).filter(Boolean);
    if (!allowed.length) { return false; }
    return Array.prototype.some.call(input.files || [], function (file) {
      var name = file.name.toLowerCase();
      return !allowed.some(function (extension) { return name.slice(-extension.length) === extension; });
    });
  }

  function problemOf(input) {
    if (wrongType(input)) { return input.getAttribute("data-wrong-type") || "This type of file is not accepted."; }
    if (tooLarge(input)) { return input.getAttribute("data-too-large") || "This file is too large."; }
    return "";
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
    var problem = problemOf(input);
    showProblem(input, problem);
    if (!problem) { return true; }
    input.value = "";  // nothing refused can be sent; the other fields keep their text
    return false;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) { check(input); }
  });

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    Array.prototype.forEach.call(inputs, function (input) {
      if (problemOf(input) && !check(input)) {
        event.preventDefault();
        input.focus();
      }
    });
  });
})();
