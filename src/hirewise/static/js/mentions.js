// @mention autocompletion in note boxes: <textarea data-mentions="/candidates/7/mentionable">.
// The list offers only the people who may read the note (the server asks security.py), so a name
// picked here always notifies someone. Without JavaScript a typed "@Full Name" works the same.
(function () {
  var MAX_SHOWN = 8;
  var cache = {};

  // "@" at the start or after a non-word character, then up to two words being typed, up to the caret.
  var TYPING = /(?:^|[^\w@])@([\w.'\-]*(?: [\w.'\-]*)?)$/;

  function peopleFor(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { return body.items || []; })
        .catch(function () { delete cache[url]; return []; });
    }
    return cache[url];
  }

  function sourceUrl(box) {
    var url = box.getAttribute("data-mentions");
    var field = box.form && box.form.elements.namedItem("application_id");
    var applicationId = field && field.value && field.value !== "0" ? field.value : "";
    return applicationId ? url + "?application_id=" + encodeURIComponent(applicationId) : url;
  }

  function matches(people, typed) {
    var words = typed.toLowerCase().trim().split(/\s+/).filter(Boolean);
    return people.filter(function (person) {
      var name = person.full_name.toLowerCase();
      var parts = name.split(/\s+/);
      // Each typed word starts a word of the name ("@ada lo" finds Ada Lovelace), or the whole name.
      return words.every(function (word) {
        return name.indexOf(word) === 0 || parts.some(function (part) { return part.indexOf(word) === 0; });
      });
    }).slice(0, MAX_SHOWN);
  }

  function attach(box) {
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var options = [];
    var active = -1;
    var typedStart = -1;
    list.id = box.id + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      options.forEach(function (option, at) {
        option.element.setAttribute("aria-selected", at === index ? "true" : "false");
      });
      if (index >= 0) {
        box.setAttribute("aria-activedescendant", options[index].element.id);
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function pick(person) {
      var before = box.value.slice(0, typedStart);
      var after = box.value.slice(box.selectionStart);
      var inserted = "@" + person.full_name + " ";
      box.value = before + inserted + after.replace(/^\S*/, "");
      var caret = before.length + inserted.length;
      box.setSelectionRange(caret, caret);
      close();
      status.textContent = person.full_name + " will be notified.";
      box.focus();
    }

    function show(found) {
      list.textContent = "";
      options = found.map(function (person, index) {
        var element = document.createElement("li");
        element.id = list.id + "-" + person.id;
        element.setAttribute("role", "option");
        element.textContent = person.full_name;
        // mousedown, not click: the box keeps its focus and caret.
        element.addEventListener("mousedown", function (event) { event.preventDefault(); pick(person); });
        list.appendChild(element);
        return { person: person, element: element };
      });
      if (!options.length) {
        close();
        status.textContent = "Nobody who may read this note matches.";
        return;
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      highlight(0);
      status.textContent = options.length + (options.length === 1 ? " person matches." : " people match.");
    }

    function update() {
      var upToCaret = box.value.slice(0, box.selectionStart);
      var typing = TYPING.exec(upToCaret);
      if (!typing) { close(); return; }
      typedStart = upToCaret.length - typing[1].length - 1;
      var typed = typing[1];
      peopleFor(sourceUrl(box)).then(function (people) {
        // The text may have changed while the list was loading.
        if (TYPING.exec(box.value.slice(0, box.selectionStart)) === null) { close(); return; }
        show(matches(people, typed));
      });
    }

    box.addEventListener("input", update);
    box.addEventListener("blur", close);
    box.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        pick(options[active].person);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    var field = box.form && box.form.elements.namedItem("application_id");
    if (field && field.addEventListener) { field.addEventListener("change", close); }
  }

  document.querySelectorAll("textarea[data-mentions]").forEach(attach);
})();
