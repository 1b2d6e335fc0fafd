// The candidate's assessment page: countdown, autosave and integrity signals.
// Everything here is a convenience on top of plain forms: the server keeps the real clock, checks
// every answer and submits at the deadline even if this script never runs.
(function () {
  "use strict";
  var root = document.getElementById("take");
  if (!root || root.dataset.state !== "in_progress") {
    return;
  }

  // --- countdown -------------------------------------------------------------------------------
  var secondsLeft = parseInt(root.dataset.secondsLeft, 10) || 0;
  var endsAt = Date.now() + secondsLeft * 1000;
  var countdown = document.getElementById("countdown");
  var alertBox = document.getElementById("countdown-alert");
  var announced = {};
  var submitted = false;

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (countdown) {
      countdown.textContent = format(left);
      countdown.classList.toggle("countdown-low", left <= 300);
    }
    [300, 60].forEach(function (mark) {
      if (left <= mark && left > 0 && !announced[mark] && alertBox) {
        announced[mark] = true;
        alertBox.textContent = (mark / 60) + (mark === 60 ? " minute" : " minutes") + " left.";
      }
    });
    if (left <= 0 && !submitted) {
      submitted = true;
      flushAll().then(function () {
        var form = document.getElementById("submit-form");
        if (form) {
          form.submit();
        }
      });
    }
  }
  tick();
  window.setInterval(tick, 1000);

  // --- integrity signals, per question ---------------------------------------------------------
  var forms = Array.prototype.slice.call(document.querySelectorAll("form.take-question"));
  var active = forms.length ? forms[0] : null;
  var lastTick = Date.now();

  function bump(form, name, amount) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (input) {
      input.value = String((parseInt(input.value, 10) || 0) + amount);
    }
  }

  forms.forEach(function (form) {
    form.addEventListener("focusin", function () {
      active = form;
    });
    form.addEventListener("paste", function (event) {
      var text = (event.clipboardData || window.clipboardData).getData("text") || "";
      bump(form, "paste_count", 1);
      bump(form, "pasted_chars", text.length);
      schedule(form);
    });
    form.addEventListener("input", function () {
      schedule(form);
    });
    form.addEventListener("change", function () {
      schedule(form);
    });
  });

  window.addEventListener("blur", function () {
    if (active) {
      bump(active, "blur_count", 1);
      schedule(active);
    }
  });

  // Time counts only while the page is visible and focused, on the question being worked on.
  window.setInterval(function () {
    var now = Date.now();
    var seconds = Math.round((now - lastTick) / 1000);
    if (seconds >= 1) {
      lastTick = now;
      if (active && document.visibilityState === "visible" && document.hasFocus()) {
        bump(active, "time_spent_seconds", seconds);
      }
    }
  }, 1000);

  // --- autosave --------------------------------------------------------------------------------
  var status = document.getElementById("autosave-status");
  var timers = new Map();
  // One save at a time per question, in order: a slow request can never land after a newer one.
  var chains = new Map();

  function setStatus(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function send(form) {
    return window
      .fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        var body = type.indexOf("application/json") === 0 ? response.json() : Promise.resolve({});
        return body.then(function (data) {
          if (!response.ok) {
            var message = (data.error && data.error.message) || "please try again in a moment.";
            setStatus("Not saved: " + message);
            if (response.status === 409) {
              window.location.reload();
            }
            return;
          }
          setStatus("Saved at " + new Date().toLocaleTimeString() + ".");
          if (typeof data.seconds_left === "number") {
            endsAt = Date.now() + data.seconds_left * 1000;
          }
        });
      })
      .catch(function () {
        setStatus("Not saved: no connection. Your answer stays on this page; it is saved when you are back online.");
      });
  }

  function save(form) {
    timers.delete(form);
    var previous = chains.get(form) || Promise.resolve();
    var next = previous.then(function () {
      return send(form);
    });
    chains.set(form, next);
    next.then(function () {
      if (chains.get(form) === next) {
        chains.delete(form);
      }
    });
    return next;
  }

  function schedule(form) {
    if (timers.has(form)) {
      window.clearTimeout(timers.get(form));
    }
    setStatus("Saving…");
    timers.set(
      form,
      window.setTimeout(function () {
        save(form);
      }, 1200)
    );
  }

  // Saves what waits to be saved, and the question being worked on (its time spent counts too).
  function flushAll() {
    if (active && !timers.has(active)) {
      timers.set(active, null);
    }
    var saves = [];
    timers.forEach(function (timer, form) {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      saves.push(save(form));
    });
    chains.forEach(function (request) {
      saves.push(request);
    });
    return Promise.all(saves).catch(function () {});
  }

  // A Save button posts the form itself; first let a save in flight finish, so it cannot land later.
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var inFlight = chains.get(form);
      if (timers.has(form)) {
        window.clearTimeout(timers.get(form));
        timers.delete(form);
      }
      if (!inFlight) {
        return;
      }
      event.preventDefault();
      var submitter = event.submitter;
      inFlight.then(function () {
        if (submitter && submitter.name) {
          var choice = document.createElement("input");
          choice.type = "hidden";
          choice.name = submitter.name;
          choice.value = submitter.value;
          form.appendChild(choice);
        }
        form.submit();
      });
    });
  });

  // Moving to another question or submitting first saves what is waiting to be saved.
  document.querySelectorAll(".take-nav a").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      flushAll().then(function () {
        window.location.href = link.href;
      });
    });
  });
  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (submitted) {
        return;
      }
      event.preventDefault();
      if (!window.confirm("Submit your answers now? You cannot change them afterwards.")) {
        return;
      }
      submitted = true;
      flushAll().then(function () {
        submitForm.submit();
      });
    });
  }
})();
