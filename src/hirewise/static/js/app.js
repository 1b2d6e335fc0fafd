// Small progressive enhancements; every page works without them.
(function () {
  // Forms that ask for confirmation: <form data-confirm="Really?">
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // "Select all" checkbox for bulk actions: <input type=checkbox data-select-all="name">
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute("data-select-all");
    if (!name) { return; }
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
  // The top menu is a <details> that CSS keeps unfolded on wide screens; a browser without
  // ::details-content would hide it there, so it starts open instead.
  var menu = document.querySelector(".nav-menu");
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (menu && !supported && window.matchMedia("(min-width: 64rem)").matches) { menu.open = true; }
})();
