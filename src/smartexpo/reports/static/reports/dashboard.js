/* The organiser's dashboard: polls data.json and replaces each section with the one the server
   rendered, in place. A failed poll keeps the figures shown and says of when they are. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-config");
  if (!node) return;
  var config = JSON.parse(node.textContent);
  var status = document.getElementById("dash-status");
  var clock = document.getElementById("dash-clock");
  var shownAt = config.at;
  var timer = null;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function say(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function apply(body) {
    Object.keys(body.sections || {}).forEach(function (name) {
      var section = document.getElementById("dash-" + name);
      if (section && section.innerHTML !== body.sections[name]) {
        section.innerHTML = body.sections[name];
      }
    });
    shownAt = body.local;
    if (clock) clock.textContent = body.clock;
    document.getElementById("dashboard").setAttribute("data-at", body.at);
    say("ok", format(config.strings.updated, { time: body.local }));
  }

  function failed(status) {
    if (status === 401) return say("error", config.strings.signed_out);
    if (status === 403) return say("error", config.strings.forbidden);
    if (status) return say("error", format(config.strings.bad_request, { status: status }));
    say("error", format(config.strings.connection_lost, { time: shownAt }));
  }

  function poll() {
    var controller = "AbortController" in window ? new AbortController() : null;
    var abort = controller ? setTimeout(function () { controller.abort(); }, config.timeoutMs) : null;
    fetch(config.url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          failed(response.status);
          return null;
        }
        return response.json().then(apply);
      })
      .catch(function () { failed(0); })
      .then(function () {
        if (abort) clearTimeout(abort);
        timer = setTimeout(poll, config.pollMs);
      });
  }

  say("ok", format(config.strings.updated, { time: shownAt }));
  timer = setTimeout(poll, config.pollMs);
})();
