// SmartExpo gate scanner, part 5 of 6: what the page shows — the verdict (and its beep), the
// status bar, the console with its gate tiles, the sign-in form, errors, and where focus goes.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;
  var S = app.strings;
  var $ = app.$;
  var format = app.format;
  var plural = app.plural;

  var verdictTimer = null;

  function showVerdict(v) {
    var admit = v.result === "admit";
    var el = $("verdict");
    el.className = "verdict " + (admit ? "admit" : "reject");
    el.dataset.result = v.result;
    el.dataset.reason = v.reason || "";
    el.dataset.nonce = v.scan ? v.scan.nonce : "";
    $("verdict-word").textContent = admit ? S.admit : S.reject;
    $("verdict-reason").textContent = admit
      ? ""
      : v.message || S.reasons[v.reason] || S.reasons.other;
    $("verdict-holder").textContent = v.holder || "";
    var details = [];
    if (v.type) details.push(v.type);
    if (v.serial !== null && v.serial !== undefined) details.push(S.serial + " " + v.serial);
    $("verdict-type").textContent = details.join(" · ");
    var meta = $("verdict-meta");
    meta.textContent = "";
    var gate = v.scan ? v.scan.gate + " · " + (v.scan.direction === "in" ? S.direction_in : S.direction_out) : "";
    meta.appendChild(document.createTextNode(gate));
    if (v.offline) {
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = S.offline_decision;
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(badge);
    }
    if (v.scan && app.demoClock()) {
      // The time the scan was dated with, so that a verdict under a demo clock says so.
      var demo = document.createElement("span");
      demo.className = "badge demo";
      demo.textContent = format(S.demo_badge, { time: app.localTime(new Date(v.scan.scanned_at), app.timeZone()) });
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(demo);
    }
    el.hidden = false;
    beep(admit);
    clearTimeout(verdictTimer);
    verdictTimer = setTimeout(hideVerdict, config.resultMs);
  }

  function hideVerdict() {
    clearTimeout(verdictTimer);
    $("verdict").hidden = true;
    focusCode();
  }

  var audio = null;
  function beep(admit) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var tones = admit ? [[880, 0, 0.12]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
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

  // The server refused this device's token (revoked: 401) or its role (403).
  function tokenRefused(status) {
    if (status === 401) state.tokenRefused = true;
    showError(status === 401 ? S.errors.token_revoked : S.errors.token_forbidden);
  }

  function showError(text) {
    var el = $("console-error");
    el.textContent = text;
    el.hidden = false;
  }

  function clearError() {
    $("console-error").hidden = true;
  }

  function renderStatus() {
    var net = $("net");
    net.dataset.online = state.online ? "true" : "false";
    $("net-label").textContent = state.online ? S.online : S.offline;
    var n = state.queue.length;
    var queue = $("queue");
    queue.dataset.count = String(n);
    if (!state.online) queue.textContent = plural(S.queue_offline, n);
    else queue.textContent = n ? plural(S.queue_online, n) : S.queue_empty;
    var notices = [];
    if (state.notices.conflicts) notices.push(plural(S.conflicts, state.notices.conflicts));
    if (state.notices.refused) notices.push(plural(S.refused, state.notices.refused));
    var el = $("notices");
    el.textContent = notices.join(" · ");
    el.hidden = !notices.length;
  }

  function renderKeysInfo() {
    var el = $("keys-info");
    if (!state.keysAt) {
      el.textContent = S.keys_never;
      return;
    }
    var at = new Date(state.keysAt);
    var time = isNaN(at.getTime())
      ? state.keysAt
      : new Intl.DateTimeFormat(config.lang === "zh" ? "zh-CN" : "en-GB", {
          dateStyle: "medium",
          timeStyle: "short",
        }).format(at);
    el.textContent = format(S.keys_updated, { time: time });
  }

  function renderConsole() {
    var setup = state.setup;
    $("device-name").textContent = setup.device ? setup.device.name : "";
    var codes = setup.gates.map(function (g) {
      return g.code;
    });
    if (state.gate && codes.indexOf(state.gate) < 0) state.gate = null;
    if (!state.gate && codes.length === 1) state.gate = codes[0];
    app.store.set("gate", state.gate);
    var box = $("gates");
    box.textContent = "";
    setup.gates.forEach(function (g) {
      var label = document.createElement("label");
      label.className = "tile";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "gate";
      input.value = g.code;
      input.checked = g.code === state.gate;
      var code = document.createElement("span");
      code.className = "tile-code";
      code.textContent = g.code;
      var title = document.createElement("span");
      title.className = "tile-name";
      title.textContent = app.name(g.name);
      label.appendChild(input);
      label.appendChild(code);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(title);
      box.appendChild(label);
    });
    if (!codes.length) showError(S.errors.no_gates);
    document.querySelectorAll('input[name="direction"]').forEach(function (input) {
      input.checked = input.value === state.direction;
    });
    renderStatus();
    renderKeysInfo();
    app.renderDemoClock();
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
    $("verdict").hidden = true;
    renderStatus();
    app.renderDemoClock();
    $("token").focus();
  }

  // --- focus: a keyboard-wedge reader types into whatever has focus -----------------------

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
  app.tokenRefused = tokenRefused;
  app.showError = showError;
  app.clearError = clearError;
  app.renderStatus = renderStatus;
  app.renderKeysInfo = renderKeysInfo;
  app.renderConsole = renderConsole;
  app.showConsole = showConsole;
  app.showSignIn = showSignIn;
  app.consoleShown = consoleShown;
  app.focusCode = focusCode;
  app.isTextField = isTextField;
})();
