// Pipeline board: drag a card to another stage (SortableJS). Every card also has a plain form,
// so the board works without this script and from the keyboard.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || typeof window.Sortable === "undefined") { return; }
  var status = document.getElementById("board-status");
  var dialog = document.getElementById("reject-dialog");

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) { return headers["X-CSRFToken"]; }
    } catch (error) { /* fall back to the meta tag */ }
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function announce(message, isError) {
    if (!status) { return; }
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  function revert(event) {
    var reference = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(event.item, reference);
  }

  function updateCounts(counts) {
    board.querySelectorAll("[data-count-for]").forEach(function (badge) {
      var stageId = badge.getAttribute("data-count-for");
      badge.textContent = String(counts && counts[stageId] !== undefined ? counts[stageId] : 0);
    });
  }

  // What rejecting the card's application also stops (its future interviews, its open assessment
  // links), rendered by the server as on the reject page; shown in the dialog before confirming.
  function loadFollowThrough(card) {
    var url = card.getAttribute("data-follow-through-url");
    if (!url) { return Promise.resolve(""); }
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .catch(function () {
        return "<p class=\"error\">Could not check which interviews and assessment links rejecting stops; " +
          "the application's page lists them.</p>";
      });
  }

  // Resolves with {reason_choice, reason} or null when the user cancels.
  function askReason(card) {
    return loadFollowThrough(card).then(function (followThrough) {
      var box = document.getElementById("reject-dialog-follow-through");
      // Escaped server-side: the same template as the reject page.
      if (box) { box.innerHTML = followThrough; }
      return askReasonNow();
    });
  }

  function askReasonNow() {
    return new Promise(function (resolve) {
      if (!dialog || typeof dialog.showModal !== "function") {
        var typed = window.prompt("Why is this application rejected?");
        resolve(typed && typed.trim() ? { reason_choice: "", reason: typed.trim() } : null);
        return;
      }
      var form = document.getElementById("reject-dialog-form");
      var errorBox = document.getElementById("reject-dialog-error");
      form.reset();
      errorBox.textContent = "";
      function onClose() {
        dialog.removeEventListener("close", onClose);
        if (dialog.returnValue !== "confirm") { resolve(null); return; }
        resolve({ reason_choice: form.elements.reason_choice.value, reason: form.elements.reason.value.trim() });
      }
      form.onsubmit = function (submitEvent) {
        var choice = form.elements.reason_choice.value;
        var text = form.elements.reason.value.trim();
        var confirming = submitEvent.submitter && submitEvent.submitter.value === "confirm";
        if (confirming && (!choice || choice === "Other") && !text) {
          submitEvent.preventDefault();
          errorBox.textContent = "Choose a reason or describe it.";
        }
      };
      dialog.addEventListener("close", onClose);
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  function send(card, stageId, extra) {
    var body = new FormData();
    body.append("stage_id", stageId);
    // Where a confirmation page (the must-have gate) sends the user back to.
    body.append("next", window.location.pathname + window.location.search);
    if (extra) {
      body.append("reason_choice", extra.reason_choice);
      body.append("reason", extra.reason);
    }
    return fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.ok) {
          var failure = new Error(data.message || "The move failed (" + response.status + ").");
          // Advancing past a failed or incomplete must-have gate: the confirmation page asks why.
          failure.confirmUrl = data.code === "gate_confirmation_required" ? data.confirm_url : null;
          throw failure;
        }
        return data;
      });
    });
  }

  function onEnd(event) {
    if (event.from === event.to) { return; }
    var card = event.item;
    var target = event.to;
    var stageId = target.getAttribute("data-stage-id");
    var name = card.querySelector(".name") ? card.querySelector(".name").textContent : "Candidate";
    var rejecting = target.getAttribute("data-stage-kind") === "rejected";
    (rejecting ? askReason(card) : Promise.resolve(undefined)).then(function (extra) {
      if (rejecting && !extra) { revert(event); announce("Move cancelled.", false); return null; }
      return send(card, stageId, extra).then(function (data) {
        var select = card.querySelector("select[name=stage_id]");
        if (select) { select.value = String(data.stage_id); }
        updateCounts(data.counts);
        announce(name + " moved to " + data.stage + (data.also ? ": " + data.also : "") + ".", false);
      });
    }).catch(function (error) {
      revert(event);
      announce(error.message, true);
      if (error.confirmUrl) { window.location.assign(error.confirmUrl); }
    });
  }

  function makeSortable(root) {
    root.querySelectorAll(".board-cards:not([data-sortable])").forEach(function (list) {
      list.setAttribute("data-sortable", "");
      window.Sortable.create(list, {
        group: "pipeline",
        animation: 150,
        filter: "select, button, input, label",
        preventOnFilter: false,
        onEnd: onEnd
      });
    });
  }

  makeSortable(board);
  // "Show more" swaps in a whole column (htmx); its new list becomes draggable too, and the
  // keyboard focus moves to the first card that was not shown before.
  if (window.htmx) {
    window.htmx.onLoad(function (element) {
      if (!element.classList || !element.classList.contains("board-column")) { return; }
      makeSortable(element);
      var first = element.querySelectorAll(".board-card .name")[Number(element.getAttribute("data-first-new") || "0")];
      if (first) { first.focus(); }
    });
  }
})();
