// SmartExpo gate scanner (checkin/scanner.html), part 1 of 6: the page's configuration, the
// device's memory (localStorage, per edition) and small text helpers.
//
// Online, every scan goes to POST …/checkin/scans. When the network is down (or the server does
// not answer within ~1.5 s) the page decides alone: it verifies the ticket secret with WebCrypto
// (Ed25519, the normative format of smartexpo/tickets/ticket_secrets.py) and applies the
// server's rule table (smartexpo/checkin/rules.py, handed over in the page's configuration and
// walked by rules.js) as smartexpo/checkin/offline.py (OfflineScanner.scan) does. Offline
// admissions are queued in localStorage and synced through POST …/checkin/sync when the
// network returns.
//
// The page loads, in this order and all `defer`: rules.js, scanner-state.js, scanner-clock.js,
// scanner-secrets.js, scanner-sync.js, scanner-view.js, scanner.js. They share one namespace,
// window.SmartExpoScanner, created here. A function of another file is called through it at
// call time (app.showError(…)), so that only the last file, scanner.js, starts anything.
// No libraries, no external requests.
(function () {
  "use strict";

  var app = (window.SmartExpoScanner = {});
  var config = (app.config = JSON.parse(document.getElementById("scanner-config").textContent));
  app.strings = config.strings;
  app.api = config.api;

  app.$ = function (id) {
    return document.getElementById(id);
  };

  // --- storage (per edition) ---------------------------------------------------------------

  var store = (app.store = {
    get: function (name, fallback) {
      try {
        var raw = window.localStorage.getItem(config.storage + name);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    },
    set: function (name, value) {
      try {
        window.localStorage.setItem(config.storage + name, JSON.stringify(value));
        return true;
      } catch (e) {
        return false;
      }
    },
    remove: function (name) {
      try {
        window.localStorage.removeItem(config.storage + name);
      } catch (e) {
        /* nothing to remove */
      }
    },
  });

  var state = (app.state = {
    token: store.get("token", null),
    setup: store.get("setup", null),
    keys: store.get("keys", null),
    gate: store.get("gate", null),
    direction: store.get("direction", "in") === "out" ? "out" : "in",
    queue: store.get("queue", []),
    inside: store.get("inside", {}), // serial → the expo day it entered on through this device
    notices: store.get("notices", { conflicts: 0, refused: 0 }),
    online: navigator.onLine,
    tokenRefused: false,
    keysAt: store.get("keysAt", null),
  });
  if (!Array.isArray(state.queue)) state.queue = [];
  // Replaced as a whole by each keys package (scanner-sync.js applyKeys).
  app.revoked = new Set((state.keys && state.keys.revoked) || []);

  app.saveQueue = function () {
    if (!store.set("queue", state.queue)) app.showError(app.strings.errors.storage);
  };

  // --- small helpers -----------------------------------------------------------------------

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  var numbers = new Intl.NumberFormat(config.lang === "zh" ? "zh-CN" : "en-GB");
  function plural(forms, n) {
    return format(n === 1 ? forms.one : forms.other, { n: numbers.format(n) });
  }

  function pad(n, width) {
    var text = String(Math.abs(n));
    while (text.length < (width || 2)) text = "0" + text;
    return text;
  }

  function newNonce() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // Pages served over plain HTTP have no randomUUID; getRandomValues works everywhere.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return pad(b.toString(16), 2);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // A name {en, zh} in the page's language.
  function name(names) {
    if (!names) return "";
    return (config.lang === "zh" ? names.zh : names.en) || names.en || names.zh || "";
  }

  app.format = format;
  app.plural = plural;
  app.pad = pad;
  app.newNonce = newNonce;
  app.name = name;
})();
