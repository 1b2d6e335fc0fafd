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

  // --- running a code question's examples ------------------------------------------------------
  // Without this script the button posts the form and the page comes back with the results; with it
  // the results appear under the code, polled while a worker runs them. Building them with
  // textContent keeps whatever the candidate's code printed or returned from becoming markup.
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function asJson(value) {
    return value === undefined ? "" : JSON.stringify(value);
  }

  function showRunProblem(box, message) {
    box.textContent = "";
    var problem = element("p", "error", message);
    problem.setAttribute("role", "alert");
    box.appendChild(problem);
  }

  function showRun(box, run) {
    box.textContent = "";
    if (run.status === "queued") {
      box.appendChild(element("p", "muted", "Running the examples…"));
      return;
    }
    if (run.status !== "done") {
      showRunProblem(box, run.message || "The examples could not be run this time; try again in a moment.");
      return;
    }
    var summary = element("p");
    summary.appendChild(element("strong", null, run.passed + " of " + run.total + " examples passed"));
    var at = (run.created_at || "").slice(11, 19);
    summary.appendChild(element("span", "muted", " · your code as it was at " + at + " UTC"));
    box.appendChild(summary);
    if (run.message) {
      box.appendChild(element("pre", "code example-run-message", run.message));
    }
    var wrap = element("div", "table-wrap");
    var table = element("table", "example-run-results");
    var head = table.createTHead().insertRow();
    ["Example", "Arguments", "Expected", "Your result", "Status"].forEach(function (title) {
      head.appendChild(element("th", null, title));
    });
    var body = table.createTBody();
    run.results.forEach(function (result, index) {
      var row = body.insertRow();
      row.insertCell().textContent = result.name || "Example " + (index + 1);
      row.insertCell().appendChild(element("code", null, asJson(result.args)));
      row.insertCell().appendChild(element("code", null, asJson(result.expected)));
      var actual = row.insertCell();
      if (result.actual !== null && result.actual !== undefined) {
        actual.appendChild(element("code", null, asJson(result.actual)));
      } else {
        actual.appendChild(element("span", "muted", "—"));
      }
      if (result.message) {
        actual.appendChild(document.createElement("br"));
        actual.appendChild(element("span", "muted", result.message));
      }
      var passed = result.status === "passed";
      row.insertCell().appendChild(element("span", "badge example-" + (passed ? "passed" : "failed"), passed ? "passed" : "failed"));
    });
    wrap.appendChild(table);
    box.appendChild(wrap);
  }

  function pollRun(box, url, tries) {
    window.setTimeout(function () {
      window
        .fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : Promise.reject(response);
        })
        .then(function (run) {
          showRun(box, run);
          if (run.status === "queued" && tries < 120) {
            pollRun(box, url, tries + 1);
          }
        })
        .catch(function () {
          showRunProblem(box, "The results could not be fetched; reload the page to see them.");
        });
    }, 1000);
  }

  function postRun(form, button, box) {
    button.disabled = true;
    showRun(box, { status: "queued" });
    return window
      .fetch(button.formAction, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            showRunProblem(box, (data.error && data.error.message) || "The examples could not be run.");
            if (response.status === 409) {
              window.location.reload();
            }
            return;
          }
          setStatus("Saved at " + new Date().toLocaleTimeString() + ".");
          showRun(box, data);
          if (data.status === "queued") {
            pollRun(box, data.poll_url, 0);
          }
        });
      })
      .catch(function () {
        showRunProblem(box, "The examples could not be run: no connection. Your code stays on this page.");
      })
      .then(function () {
        button.disabled = false;
      });
  }

  document.querySelectorAll("button.run-examples").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var form = button.form;
      var box = form ? form.querySelector(".example-run") : null;
      if (!form || !box) {
        return; // the plain form post still works
      }
      event.preventDefault();
      // The run saves the code too: it replaces a pending autosave and waits for one in flight.
      if (timers.has(form)) {
        window.clearTimeout(timers.get(form));
        timers.delete(form);
      }
      var previous = chains.get(form) || Promise.resolve();
      var next = previous.then(function () {
        return postRun(form, button, box);
      });
      chains.set(form, next);
      next.then(function () {
        if (chains.get(form) === next) {
          chains.delete(form);
        }
      });
    });
  });
  document.querySelectorAll(".example-run[data-poll-url]").forEach(function (box) {
    pollRun(box, box.getAttribute("data-poll-url"), 0);
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
