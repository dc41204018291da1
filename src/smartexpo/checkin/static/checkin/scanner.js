// SmartExpo gate scanner (checkin/scanner.html).
//
// Online, every scan goes to POST …/checkin/scans. When the network is down (or the server does
// not answer within ~1.5 s) the page decides alone: it verifies the ticket secret with WebCrypto
// (Ed25519, the normative format of smartexpo/tickets/ticket_secrets.py) and applies the
// server's rule table (smartexpo/checkin/rules.py, handed over in the page's configuration and
// walked by rules.js) as smartexpo/checkin/offline.py (OfflineScanner.scan) does. Offline
// admissions are queued in localStorage and synced through POST …/checkin/sync when the
// network returns.
// An edition on a demo clock (a rehearsal, the demo) dates its scans by it: the set-up (and, before
// sign-in, the page's configuration) gives its offset from the real time, which editionNow() adds
// to the device's clock; a striped banner and the verdict say "demo clock" so that nobody takes
// it for the real time.
// No libraries, no external requests.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scanner-config").textContent);
  var S = config.strings;
  var API = config.api;
  var MAX_SERIAL = BigInt("9007199254740991"); // 2^53 - 1
  var SIGNATURE_LEN = 64;
  var HEADER_LEN = 10; // version, kid, 8-byte serial
  var MAX_BODY_LEN = 24;
  var BODY_LEN = 10;
  var MAX_SECRET_CHARS = 131;
  var DAY_ZERO = Date.UTC(2000, 0, 1);
  var KEYS_EVERY_TICKS = 12; // keys package refreshed about once a minute (ticks of retryMs)
  var SETUP_EVERY_TICKS = 60; // gates and ticket types about every five minutes

  function $(id) {
    return document.getElementById(id);
  }

  // --- storage (per edition) ---------------------------------------------------------------

  var store = {
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
  };

  var state = {
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
  };
  if (!Array.isArray(state.queue)) state.queue = [];
  var revoked = new Set((state.keys && state.keys.revoked) || []);

  function saveQueue() {
    if (!store.set("queue", state.queue)) showError(S.errors.storage);
  }

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

  // ISO 8601 with the device's UTC offset, e.g. 2019-08-26T10:00:00.000+08:00
  function isoWithOffset(date) {
    var offset = -date.getTimezoneOffset();
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) +
      "." + pad(date.getMilliseconds(), 3) +
      (offset < 0 ? "-" : "+") + pad(Math.floor(Math.abs(offset) / 60)) + ":" + pad(Math.abs(offset) % 60)
    );
  }

  // The expo day of an instant: its date in the edition's time zone.
  var dayFormats = {};
  function localDay(date, timeZone) {
    var fmt = dayFormats[timeZone];
    if (!fmt) {
      fmt = dayFormats[timeZone] = new Intl.DateTimeFormat("en-US", {
        timeZone: timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
      });
    }
    var parts = {};
    fmt.formatToParts(date).forEach(function (p) {
      parts[p.type] = p.value;
    });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  // --- the edition's clock (venue/clock.py) ------------------------------------------------

  // The demo clock {now, offset_ms} of the set-up this device read, else the page's; null: the
  // real time. A set-up stored by an older page has no demo_clock at all: the page's then.
  function demoClock() {
    if (state.setup && state.setup.demo_clock !== undefined) return state.setup.demo_clock;
    return config.demoClock || null;
  }

  function editionNow() {
    var clock = demoClock();
    return new Date(Date.now() + (clock ? clock.offset_ms : 0));
  }

  function timeZone() {
    return (state.setup && state.setup.timezone) || config.timezone;
  }

  // YYYY-MM-DD HH:MM:SS in the edition's time zone, as the live venue page writes times.
  var clockFormats = {};
  function localTime(date, zone) {
    var fmt = clockFormats[zone];
    if (!fmt) {
      fmt = clockFormats[zone] = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
    }
    var p = {};
    fmt.formatToParts(date).forEach(function (part) {
      p[part.type] = part.value;
    });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
  }

  var clockTimer = null;
  function renderDemoClock() {
    var el = $("demo-clock");
    var clock = demoClock();
    el.hidden = !clock;
    if (!clock) {
      clearInterval(clockTimer);
      clockTimer = null;
      return;
    }
    el.textContent = format(S.demo_clock, { time: localTime(editionNow(), timeZone()), zone: timeZone() });
    if (!clockTimer) clockTimer = setInterval(renderDemoClock, 1000);
  }

  function dayFromNumber(n) {
    return new Date(DAY_ZERO + n * 86400000).toISOString().slice(0, 10);
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

  function name(names) {
    if (!names) return "";
    return (config.lang === "zh" ? names.zh : names.en) || names.en || names.zh || "";
  }

  // --- network -----------------------------------------------------------------------------

  // Resolves to {status, body}; rejects when the network fails or the time runs out.
  function request(method, url, body, timeoutMs, token) {
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, timeoutMs);
    var headers = { Accept: "application/json", Authorization: "Bearer " + (token || state.token) };
    if (body !== undefined && body !== null) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method,
      headers: headers,
      body: body !== undefined && body !== null ? JSON.stringify(body) : undefined,
      signal: controller.signal,
      cache: "no-store",
      credentials: "omit",
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (json) {
            return { status: response.status, body: json };
          });
      })
      .finally(function () {
        clearTimeout(timer);
      });
  }

  function setOnline(online) {
    var changed = state.online !== online;
    state.online = online;
    renderStatus();
    if (changed && online) syncQueue();
  }

  // --- offline verification (ticket_secrets.py) ---------------------------------------------

  var B64URL = /^[A-Za-z0-9_-]*$/;

  function b64urlEncode(bytes) {
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // Unpadded, canonical base64url, or null.
  function b64urlDecode(text) {
    if (typeof text !== "string" || !B64URL.test(text) || text.length % 4 === 1) return null;
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin;
    try {
      bin = atob(b64);
    } catch (e) {
      return null;
    }
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return b64urlEncode(bytes) === text ? bytes : null;
  }

  // The fields of a secret, not yet trusted; null when malformed.
  function parseSecret(secret) {
    if (typeof secret !== "string" || secret.length > MAX_SECRET_CHARS) return null;
    var data = b64urlDecode(secret);
    if (!data) return null;
    var bodyLen = data.length - HEADER_LEN - SIGNATURE_LEN;
    if (bodyLen < 0 || bodyLen > MAX_BODY_LEN) return null;
    if (data[0] !== 1) return null;
    var view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    var serial = view.getBigUint64(2, false);
    if (serial < BigInt(1) || serial > MAX_SERIAL) return null;
    return {
      kid: data[1],
      serial: Number(serial),
      body: data.subarray(HEADER_LEN, data.length - SIGNATURE_LEN),
      signed: data.subarray(0, data.length - SIGNATURE_LEN),
      signature: data.subarray(data.length - SIGNATURE_LEN),
    };
  }

  function NoCrypto() {}

  var keyCache = {};
  function publicKey(kid) {
    if (!(kid in keyCache)) {
      var item = null;
      ((state.keys && state.keys.keys) || []).forEach(function (k) {
        if (k.alg === "Ed25519" && Number(k.kid) === kid) item = k;
      });
      var raw = item && b64urlDecode(item.public_key);
      if (!raw || raw.length !== 32) {
        keyCache[kid] = Promise.resolve(null);
      } else if (!window.crypto || !window.crypto.subtle) {
        keyCache[kid] = Promise.reject(new NoCrypto());
      } else {
        keyCache[kid] = window.crypto.subtle
          .importKey("raw", raw, { name: "Ed25519" }, false, ["verify"])
          .catch(function () {
            throw new NoCrypto();
          });
      }
      keyCache[kid].catch(function () {
        delete keyCache[kid]; // try again next time (a browser update, a new page load)
      });
    }
    return keyCache[kid];
  }

  // The claims {serial, typeId, days} of a validly signed secret, or null ("invalid").
  function verifySecret(secret) {
    var parsed = parseSecret(secret);
    if (!parsed) return Promise.resolve(null);
    return publicKey(parsed.kid).then(function (key) {
      if (!key) return null;
      return window.crypto.subtle
        .verify({ name: "Ed25519" }, key, parsed.signature, parsed.signed)
        .then(function (ok) {
          if (!ok || parsed.body.length !== BODY_LEN) return null;
          var body = new DataView(parsed.body.buffer, parsed.body.byteOffset, BODY_LEN);
          var typeId = body.getUint32(0, false);
          var firstDay = body.getUint16(4, false);
          var mask = body.getUint32(6, false);
          if (!(mask & 1)) return null;
          var days = [];
          for (var i = 0; i < 32; i++) if ((mask >>> i) & 1) days.push(dayFromNumber(firstDay + i));
          return { serial: parsed.serial, typeId: typeId, days: days };
        });
    });
  }

  // OfflineScanner.scan: the server's rule table (config.rules, smartexpo/checkin/rules.py)
  // walked in its order by rules.js. Admissions update the local memory.
  function decideOffline(scan, at) {
    if (!Array.isArray(config.rules) || !config.rules.length || !window.SmartExpoRules) {
      // A page without the table (an old copy from the cache) must not admit anybody.
      return Promise.resolve({ result: "reject", reason: "no_offline_check" });
    }
    return verifySecret(scan.secret).then(function (claims) {
      var day = localDay(at, state.setup.timezone);
      var verdict = window.SmartExpoRules.decide(
        config.rules, claims, state.setup, revoked, state.inside, scan, day
      );
      if (verdict.result === "admit") store.set("inside", state.inside);
      return verdict;
    });
  }

  // --- the scan flow -----------------------------------------------------------------------

  var chain = Promise.resolve();

  function submitScan(code) {
    code = code.trim();
    if (!code) return;
    if (!state.gate) {
      showError(S.errors.choose_gate);
      return;
    }
    var at = editionNow();
    var scan = {
      secret: code,
      gate: state.gate,
      direction: state.direction,
      nonce: newNonce(),
      scanned_at: isoWithOffset(at),
    };
    hideVerdict();
    chain = chain.then(function () {
      return handleScan(scan, at);
    }).catch(function (err) {
      showError(String(err && err.message ? err.message : err));
    });
  }

  function handleScan(scan, at) {
    // Known to be offline: decide at once (the 5 s retry finds the network again).
    var attempt = Promise.resolve(null);
    if (navigator.onLine && state.online) {
      attempt = request("POST", API.scans, scan, config.onlineTimeoutMs).catch(function () {
        return null;
      });
    }
    return attempt.then(function (response) {
      if (response && response.status === 200 && response.body && response.body.result) {
        setOnline(true);
        clearError();
        var answer = response.body;
        if (answer.result === "admit" && answer.ticket) remember(scan, at, answer.ticket.serial);
        var type = typeBy("code", answer.ticket && answer.ticket.type);
        showVerdict({
          result: answer.result,
          reason: answer.reason,
          holder: answer.ticket ? answer.ticket.holder : "",
          type: type ? name(type.name) : (answer.ticket && answer.ticket.type) || "",
          serial: answer.ticket ? answer.ticket.serial : null,
          scan: scan,
        });
        return;
      }
      if (response && (response.status === 401 || response.status === 403)) {
        setOnline(true);
        tokenRefused(response.status);
        showVerdict({
          result: "reject",
          reason: "other",
          scan: scan,
          message: response.status === 401 ? S.errors.token_revoked : S.errors.token_forbidden,
        });
        return;
      }
      if (response && response.status >= 400 && response.status < 500) {
        // The server read the scan and refused its shape: not a ticket.
        setOnline(true);
        showVerdict({ result: "reject", reason: "invalid", scan: scan });
        return;
      }
      // No answer (offline, timeout, server error): decide here. The queued scan keeps its
      // nonce, so if the server did record the online attempt the sync replays that answer.
      setOnline(false);
      return decideOffline(scan, at).then(
        function (verdict) {
          if (verdict.result === "admit") {
            state.queue.push(scan);
            saveQueue();
          }
          var type = typeBy("id", verdict.typeId);
          showVerdict({
            result: verdict.result,
            reason: verdict.reason,
            holder: "",
            type: type ? name(type.name) : "",
            serial: verdict.serial,
            scan: scan,
            offline: true,
          });
          renderStatus();
        },
        function (err) {
          if (!(err instanceof NoCrypto)) throw err;
          showError(S.errors.no_crypto);
          showVerdict({ result: "reject", reason: "no_offline_check", scan: scan, offline: true });
        }
      );
    });
  }

  // What this device admitted, for anti-passback when it next decides alone.
  function remember(scan, at, serial) {
    if (serial === undefined || serial === null || !state.setup) return;
    var key = String(serial);
    if (scan.direction === "in") state.inside[key] = localDay(at, state.setup.timezone);
    else delete state.inside[key];
    store.set("inside", state.inside);
  }

  function typeBy(field, value) {
    if (value === undefined || value === null || !state.setup) return null;
    var found = null;
    state.setup.ticket_types.forEach(function (t) {
      if (t[field] === value) found = t;
    });
    return found;
  }

  // --- sync and refresh --------------------------------------------------------------------

  var syncing = null;

  function syncQueue() {
    if (syncing || !state.token || !state.queue.length) return syncing || Promise.resolve();
    syncing = syncBatches().finally(function () {
      syncing = null;
      renderStatus();
    });
    return syncing;
  }

  function syncBatches() {
    if (!state.queue.length) return refreshKeys();
    var batch = state.queue.slice(0, config.syncBatch);
    return request("POST", API.sync, { scans: batch }, 30000).then(
      function (response) {
        if (response.status === 401 || response.status === 403) {
          setOnline(true);
          tokenRefused(response.status);
          return;
        }
        if (response.status !== 200 || !response.body || !Array.isArray(response.body.results)) {
          return; // tried again on the next tick
        }
        var done = {};
        response.body.results.forEach(function (result, i) {
          var item = batch[i];
          if (!item) return;
          done[item.nonce] = true;
          if (result.reason === "conflict") state.notices.conflicts += 1;
          else if (result.result !== "admit") state.notices.refused += 1;
        });
        store.set("notices", state.notices);
        // Scans queued while this batch was on its way stay in the queue.
        var before = state.queue.length;
        state.queue = state.queue.filter(function (s) {
          return !done[s.nonce];
        });
        saveQueue();
        state.online = true;
        renderStatus();
        // An answer that settled nothing is not retried at once (the next tick will).
        return state.queue.length < before ? syncBatches() : undefined;
      },
      function () {
        setOnline(false);
      }
    );
  }

  // The keys package; with `?since=` a refresh adds the serials revoked since the last one.
  function refreshKeys(full) {
    if (!state.token) return Promise.resolve();
    var url = API.keys;
    var incremental = !full && state.keys && state.keys.generated_at;
    if (incremental) url += "?since=" + encodeURIComponent(state.keys.generated_at);
    return request("GET", url, null, 10000).then(
      function (response) {
        if (response.status === 401 || response.status === 403) {
          tokenRefused(response.status);
          return;
        }
        if (response.status !== 200 || !response.body) return;
        applyKeys(response.body, incremental);
        setOnline(true);
      },
      function () {
        setOnline(false);
      }
    );
  }

  function applyKeys(pkg, incremental) {
    var old = state.keys || { keys: [], revoked: [] };
    var keys = {};
    (incremental ? old.keys : []).concat(pkg.keys || []).forEach(function (k) {
      keys[k.kid] = k;
    });
    // Revocations are never taken back: a refresh with ?since= only adds serials.
    revoked = new Set((incremental ? old.revoked : []).concat(pkg.revoked || []));
    state.keys = {
      keys: Object.keys(keys).map(function (kid) {
        return keys[kid];
      }),
      revoked: Array.from(revoked),
      generated_at: pkg.generated_at || old.generated_at,
    };
    keyCache = {};
    state.keysAt = isoWithOffset(new Date());
    store.set("keys", state.keys);
    store.set("keysAt", state.keysAt);
    renderKeysInfo();
  }

  function refreshSetup() {
    if (!state.token) return Promise.resolve();
    return request("GET", API.setup, null, 10000).then(
      function (response) {
        if (response.status === 401 || response.status === 403) {
          tokenRefused(response.status);
          return;
        }
        if (response.status !== 200 || !response.body) return;
        state.setup = response.body;
        store.set("setup", state.setup);
        renderConsole();
      },
      function () {
        setOnline(false);
      }
    );
  }

  var ticks = 0;
  function tick() {
    if (!state.token) return;
    ticks += 1;
    if (state.queue.length) {
      if (navigator.onLine) syncQueue();
    } else if (!state.online || ticks % KEYS_EVERY_TICKS === 0) {
      if (navigator.onLine) refreshKeys();
    }
    // On a demo clock the set-up is read at every tick, so that a tablet stops dating its scans
    // by it within seconds of the rehearsal's end (`smartexpo demo clock --off`).
    if (state.online && (ticks % SETUP_EVERY_TICKS === 0 || demoClock())) refreshSetup();
  }

  // --- sign-in -----------------------------------------------------------------------------

  function signIn(token) {
    var error = $("signin-error");
    error.hidden = true;
    if (!token) {
      error.textContent = S.errors.token_required;
      error.hidden = false;
      return Promise.resolve();
    }
    function refuse(status) {
      if (status === 401) return S.errors.token_rejected;
      if (status === 403) return S.errors.token_forbidden;
      return format(S.errors.server, { status: status });
    }
    $("signin-button").disabled = true;
    return request("GET", API.setup, null, 10000, token)
      .then(function (setup) {
        if (setup.status !== 200) throw new Error(refuse(setup.status));
        return request("GET", API.keys, null, 10000, token).then(function (keys) {
          if (keys.status !== 200) throw new Error(refuse(keys.status));
          if (state.token !== token) {
            // Another device's memory of who is inside does not apply to this one.
            state.inside = {};
            store.set("inside", state.inside);
          }
          state.token = token;
          state.tokenRefused = false;
          state.setup = setup.body;
          store.set("token", token);
          store.set("setup", state.setup);
          state.keys = null;
          applyKeys(keys.body, false);
          $("token").value = "";
          setOnline(true);
          showConsole();
          syncQueue();
        });
      })
      .catch(function (err) {
        error.textContent =
          err instanceof TypeError || (err && err.name === "AbortError")
            ? S.errors.sign_in_offline
            : err.message;
        error.hidden = false;
      })
      .finally(function () {
        $("signin-button").disabled = false;
      });
  }

  function signOut() {
    // A queue would be stranded; unless this token is dead, when the queue stays on the
    // tablet and is synced by the next device signed in here.
    if (state.queue.length && !state.tokenRefused) {
      showError(plural(S.errors.sign_out_queue, state.queue.length));
      focusCode();
      return;
    }
    ["token", "setup", "keys", "keysAt", "gate", "inside", "notices"].forEach(store.remove);
    state.token = state.setup = state.keys = state.gate = null;
    state.tokenRefused = false;
    state.inside = {};
    state.notices = { conflicts: 0, refused: 0 };
    showSignIn();
  }

  // --- rendering ---------------------------------------------------------------------------

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
    if (v.scan && demoClock()) {
      // The time the scan was dated with, so that a verdict under a demo clock says so.
      var demo = document.createElement("span");
      demo.className = "badge demo";
      demo.textContent = format(S.demo_badge, { time: localTime(new Date(v.scan.scanned_at), timeZone()) });
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
    store.set("gate", state.gate);
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
      title.textContent = name(g.name);
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
    renderDemoClock();
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
    renderDemoClock();
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

  // --- wiring ------------------------------------------------------------------------------

  $("signin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    signIn($("token").value.trim());
  });

  $("scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("code");
    var code = input.value;
    input.value = "";
    submitScan(code);
    focusCode();
  });

  // Some readers end a code with Tab instead of Enter.
  $("code").addEventListener("keydown", function (event) {
    if (event.key === "Tab" && $("code").value.trim()) {
      event.preventDefault();
      $("scan-form").requestSubmit();
    }
  });

  $("code").addEventListener("blur", function () {
    setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body || active === $("verdict")) focusCode();
    }, 0);
  });

  // A key typed while a gate or direction tile (or nothing) has focus goes to the code input.
  document.addEventListener("keydown", function (event) {
    if (!consoleShown() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key.length !== 1 || isTextField(document.activeElement)) return;
    focusCode();
  });

  $("gates").addEventListener("change", function (event) {
    if (event.target.name !== "gate") return;
    state.gate = event.target.value;
    store.set("gate", state.gate);
    clearError();
    focusCode();
  });

  $("direction-choice").addEventListener("change", function (event) {
    if (event.target.name !== "direction") return;
    state.direction = event.target.value === "out" ? "out" : "in";
    store.set("direction", state.direction);
    focusCode();
  });

  $("verdict").addEventListener("click", hideVerdict);

  $("refresh").addEventListener("click", function () {
    clearError();
    Promise.all([refreshSetup(), refreshKeys()]).then(syncQueue);
    focusCode();
  });

  $("signout").addEventListener("click", signOut);

  window.addEventListener("online", function () {
    syncQueue();
    refreshKeys();
  });
  window.addEventListener("offline", function () {
    setOnline(false);
  });

  // Another tab of this page (same edition) changed the queue: show the same.
  window.addEventListener("storage", function (event) {
    if (event.key === config.storage + "queue") {
      state.queue = store.get("queue", []);
      renderStatus();
    }
  });

  setInterval(tick, config.retryMs);

  // A reload while the network is down still shows this page (same-origin cache only).
  if ("serviceWorker" in navigator && window.isSecureContext && config.serviceWorker) {
    navigator.serviceWorker
      .register(config.serviceWorker)
      .then(function () {
        if (!window.caches) return;
        var urls = [window.location.pathname];
        document.querySelectorAll('link[rel="stylesheet"], link[rel="icon"], script[src]').forEach(function (el) {
          var url = el.href || el.src;
          if (url && new URL(url, window.location.href).origin === window.location.origin) urls.push(url);
        });
        return window.caches.open("smartexpo-scanner-v1").then(function (cache) {
          return cache.addAll(urls);
        });
      })
      .catch(function () {
        /* the page still works online */
      });
  }

  // --- start -------------------------------------------------------------------------------

  // Entries of earlier days can never match again.
  if (state.setup) {
    var today = localDay(editionNow(), state.setup.timezone);
    Object.keys(state.inside).forEach(function (serial) {
      if (state.inside[serial] < today) delete state.inside[serial];
    });
    store.set("inside", state.inside);
  }

  if (state.token && state.setup && state.keys) {
    showConsole();
    if (navigator.onLine) {
      refreshSetup();
      refreshKeys().then(syncQueue);
    } else {
      setOnline(false);
    }
  } else {
    showSignIn();
  }
})();
