// SmartExpo booth page (leads/booth.html), part 1 of 2: what the page shows — the verdict of a
// scan, the status bar, the lead being edited, the device's list of captures, the sign-in form,
// errors, and where focus goes.
//
// The page loads the gate scanner's modules first (checkin/scanner-state.js, -clock.js,
// -secrets.js, -sync.js: the device's memory, the edition's clock, the Ed25519 check, the API
// requests), which share the namespace window.SmartExpoScanner; this file and booth.js add the
// booth's own parts to it. A capture is {key, serial, secret, note, rating, tags, captured_at,
// offline, status: "pending" | "synced" | "refused", synced_once, reason, lead, visitor}.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;
  var S = app.strings;
  var $ = app.$;
  var format = app.format;
  var plural = app.plural;

  // --- the verdict of the last scan: stays until the next one, the note is typed below -----

  function showVerdict(kind, reason) {
    var el = $("verdict");
    el.className = "booth-verdict " + (kind === "refused" ? "refused" : "captured");
    el.dataset.result = kind;
    el.dataset.reason = reason || "";
    $("verdict-word").textContent = S[kind];
    var text = "";
    if (kind === "refused") text = S.reasons[reason] || reason || S.reasons.other;
    else if (kind === "again") text = S.again_help;
    else text = S.captured_help;
    $("verdict-reason").textContent = text;
    el.hidden = false;
    beep(kind !== "refused");
  }

  function hideVerdict() {
    $("verdict").hidden = true;
  }

  var audio = null;
  function beep(ok) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var tones = ok ? [[880, 0, 0.12]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
      tones.forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = t[0];
        gain.gain.value = 0.15;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + t[1]);
        osc.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) {
      /* no sound on this device */
    }
  }

  // --- status ------------------------------------------------------------------------------

  function waiting() {
    return state.captures.filter(function (c) {
      return c.status === "pending";
    }).length;
  }

  function renderStatus() {
    var net = $("net");
    net.dataset.online = state.online ? "true" : "false";
    $("net-label").textContent = state.online ? S.online : S.offline;
    var n = waiting();
    var queue = $("queue");
    queue.dataset.count = String(n);
    if (!state.online) queue.textContent = plural(S.queue_offline, n);
    else queue.textContent = n ? plural(S.queue_online, n) : S.queue_empty;
    var off = $("capture-off");
    off.textContent = S.capture_off;
    off.hidden = !(state.setup && state.setup.lead_capture === false);
  }

  function renderKeysInfo() {
    var el = $("keys-info");
    if (!state.keysAt) {
      el.textContent = S.keys_never;
      return;
    }
    el.textContent = format(S.keys_updated, { time: shortTime(state.keysAt) });
  }

  function shortTime(iso) {
    var at = new Date(iso);
    if (isNaN(at.getTime())) return iso;
    return new Intl.DateTimeFormat(config.lang === "zh" ? "zh-CN" : "en-GB", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: app.timeZone(),
    }).format(at);
  }

  // --- the captures ------------------------------------------------------------------------

  function stateText(c) {
    if (c.status === "synced") return S.states.synced;
    if (c.status === "refused") {
      return format(S.states.refused, { reason: S.reasons[c.reason] || c.reason || S.reasons.other });
    }
    if (c.synced_once) return S.states.changed;
    return c.offline ? S.states.offline : S.states.pending;
  }

  function visitorText(c) {
    var v = c.visitor;
    if (!v) return S.visitor_unknown;
    return [v.name || v.holder, v.company, v.title].filter(Boolean).join(" · ");
  }

  function renderCaptures() {
    var list = $("captures");
    list.textContent = "";
    state.captures.forEach(function (c) {
      var item = document.createElement("li");
      item.className = "capture";
      item.dataset.serial = String(c.serial);
      item.dataset.status = c.status;
      if (c.status === "pending" && !c.synced_once && c.offline) item.dataset.offline = "true";
      var head = document.createElement("div");
      head.className = "capture-head";
      var who = document.createElement("strong");
      who.textContent = S.serial + " " + c.serial;
      var badge = document.createElement("span");
      badge.className = "capture-state";
      badge.textContent = stateText(c);
      head.appendChild(who);
      head.appendChild(badge);
      var meta = document.createElement("p");
      meta.className = "capture-meta";
      var rating = c.rating === null || c.rating === undefined ? S.no_rating : format(S.rating, { n: c.rating });
      meta.textContent = [visitorText(c), rating, shortTime(c.captured_at)].join(" · ");
      item.appendChild(head);
      item.appendChild(meta);
      if (c.note || (c.tags && c.tags.length)) {
        var note = document.createElement("p");
        note.className = "capture-note";
        note.textContent = [c.note].concat((c.tags || []).map(function (t) {
          return "#" + t;
        })).filter(Boolean).join(" ");
        item.appendChild(note);
      }
      if (c.status !== "refused") {
        var edit = document.createElement("button");
        edit.type = "button";
        edit.className = "button capture-edit";
        edit.dataset.serial = String(c.serial);
        edit.textContent = S.edit;
        item.appendChild(edit);
      }
      list.appendChild(item);
    });
    $("captures-empty").hidden = state.captures.length > 0;
    renderStatus();
    renderTagSuggestions();
  }

  // --- the lead being edited ---------------------------------------------------------------

  function openLead(c) {
    state.editing = c.serial;
    $("lead-title").textContent = S.serial + " " + c.serial;
    $("lead-visitor").textContent = visitorText(c);
    $("note").value = c.note || "";
    $("tags").value = (c.tags || []).join(", ");
    document.querySelectorAll('#lead-form input[name="rating"]').forEach(function (input) {
      input.checked = c.rating !== null && c.rating !== undefined && Number(input.value) === c.rating;
    });
    $("lead-form").hidden = false;
  }

  function closeLead() {
    state.editing = null;
    $("lead-form").hidden = true;
    focusCode();
  }

  // Tags used before on this device, one tap to add.
  function renderTagSuggestions() {
    var seen = {};
    state.captures.forEach(function (c) {
      (c.tags || []).forEach(function (t) {
        seen[t] = true;
      });
    });
    var box = $("tag-suggestions");
    box.textContent = "";
    Object.keys(seen)
      .sort()
      .slice(0, 12)
      .forEach(function (tag) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "tag-chip";
        b.dataset.tag = tag;
        b.textContent = "#" + tag;
        box.appendChild(b);
      });
  }

  function renderConsole() {
    var setup = state.setup || {};
    $("exhibitor-name").textContent = setup.exhibitor ? setup.exhibitor.name : "";
    $("device-name").textContent = setup.device ? setup.device.name : "—";
    renderCaptures();
    renderKeysInfo();
    app.renderDemoClock();
  }

  // --- errors, sign-in and focus -----------------------------------------------------------

  function showError(text) {
    var el = $("console-error");
    el.textContent = text;
    el.hidden = false;
  }

  function clearError() {
    $("console-error").hidden = true;
  }

  function tokenRefused(status) {
    if (status === 401) state.tokenRefused = true;
    showError(status === 401 ? S.errors.token_revoked : S.errors.token_forbidden);
  }

  function showConsole() {
    $("signin").hidden = true;
    $("console").hidden = false;
    clearError();
    renderConsole();
    focusCode();
  }

  function showSignIn() {
    $("console").hidden = true;
    $("signin").hidden = false;
    renderStatus();
    app.renderDemoClock();
    $("token").focus();
  }

  function consoleShown() {
    return !$("console").hidden;
  }

  function focusCode() {
    if (consoleShown() && document.activeElement !== $("code")) {
      $("code").focus({ preventScroll: true });
    }
  }

  function isTextField(el) {
    if (!el) return false;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable) return true;
    return el.tagName === "INPUT" && ["radio", "checkbox", "button", "submit"].indexOf(el.type) < 0;
  }

  app.showVerdict = showVerdict;
  app.hideVerdict = hideVerdict;
  app.waiting = waiting;
  app.renderStatus = renderStatus;
  app.renderKeysInfo = renderKeysInfo;
  app.renderCaptures = renderCaptures;
  app.renderConsole = renderConsole;
  app.openLead = openLead;
  app.closeLead = closeLead;
  app.showError = showError;
  app.clearError = clearError;
  app.tokenRefused = tokenRefused;
  app.showConsole = showConsole;
  app.showSignIn = showSignIn;
  app.consoleShown = consoleShown;
  app.focusCode = focusCode;
  app.isTextField = isTextField;
})();
