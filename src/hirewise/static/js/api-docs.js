// Starts Swagger UI on the spec URL given by the page (kept out of the HTML: the CSP forbids inline script).
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.specUrl, dom_id: "#swagger-ui" });
})();
