// SmartExpo booth page (leads/booth.html), part 2 of 2: the capture flow, the sync, signing the
// device in and out, the camera, the page's events, and the start.
//
// A scan is checked here first, online or not: the secret's Ed25519 signature against the
// edition's public keys and the revoked serials of the leads set-up (GET …/leads/setup), as the
// gate scanner checks it. An authentic ticket is kept at once on this device (localStorage, per
// edition) with the time it was scanned, and sent to POST …/leads; a capture that could not be
// sent at once carries that time as `captured_at` when the network returns. The same ticket
// again is the same lead: its note, rating and tags are edited, never a second capture.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;
  var store = app.store;
  var S = app.strings;
  var API = app.api;
  var $ = app.$;
  var request = app.request;
  var KEYS_EVERY_TICKS = 12; // the set-up (keys, revocations) about once a minute
  // What a device keeps of a visitor's shared fields: enough to recognise them at the booth.
  // The rest is in the portal's leads list, which follows the visitor's consent as it changes.
  var KEPT_FIELDS = ["name", "company", "title"];

  state.captures = store.get("captures", []);
  if (!Array.isArray(state.captures)) state.captures = [];
  state.editing = null;

  function saveCaptures() {
    // Waiting captures are never dropped; of the others, the newest few are kept.
    var kept = 0;
    state.captures = state.captures.filter(function (c) {
      if (c.status === "pending") return true;
      kept += 1;
      return kept <= config.keepSynced;
    });
    if (!store.set("captures", state.captures)) app.showError(S.errors.storage);
  }

  function bySerial(serial) {
    for (var i = 0; i < state.captures.length; i++) {
      if (state.captures[i].serial === serial) return state.captures[i];
    }
    return null;
  }

  function isOnline() {
    return navigator.onLine && state.online;
  }

  function setOnline(online) {
    var changed = state.online !== online;
    state.online = online;
    app.renderStatus();
    if (changed && online) sync();
  }

  // --- the set-up: the exhibitor, the device, the keys and revocations ---------------------

  function applySetup(setup) {
    state.setup = setup;
    store.set("setup", setup);
    var keys = setup.keys && !Array.isArray(setup.keys) ? setup.keys : setup;
    app.applyKeys({ keys: keys.keys || [], revoked: keys.revoked || [], generated_at: keys.generated_at }, false);
    app.renderConsole();
  }

  function refreshSetup() {
    if (!state.token) return Promise.resolve();
    return request("GET", API.setup, null, 10000).then(
      function (response) {
        if (response.status === 401 || response.status === 403) {
          setOnline(true);
          app.tokenRefused(response.status);
          return;
        }
        if (response.status !== 200 || !response.body) return;
        applySetup(response.body);
        setOnline(true);
      },
      function () {
        setOnline(false);
      }
    );
  }

  // --- capturing ---------------------------------------------------------------------------

  var chain = Promise.resolve();

  function submitCode(code) {
    code = code.trim();
    if (!code) return;
    app.hideVerdict();
    chain = chain
      .then(function () {
        return capture(code);
      })
      .catch(function (err) {
        app.showError(String(err && err.message ? err.message : err));
      });
  }

  function capture(code) {
    return app.verifySecret(code).then(
      function (claims) {
        if (!claims) return app.showVerdict("refused", "invalid");
        if (app.revoked.has(claims.serial)) return app.showVerdict("refused", "revoked");
        if (state.setup && state.setup.lead_capture === false) {
          return app.showVerdict("refused", "lead_capture_off");
        }
        var known = bySerial(claims.serial);
        if (known && known.status !== "refused") {
          // The same visitor again: one lead, whose note is edited.
          app.showVerdict("again");
          app.openLead(known);
          return;
        }
        if (known) state.captures.splice(state.captures.indexOf(known), 1);
        var entry = {
          key: app.newNonce(),
          serial: claims.serial,
          secret: code,
          note: "",
          rating: null,
          tags: [],
          captured_at: app.isoWithOffset(app.editionNow()),
          offline: !isOnline(),
          status: "pending",
          synced_once: false,
          reason: null,
          lead: null,
          visitor: null,
        };
        state.captures.unshift(entry);
        saveCaptures();
        app.showVerdict("captured");
        app.renderCaptures();
        app.openLead(entry);
        app.focusCode();
        sync(); // not waited for: the next visitor's scan must not wait for the network
      },
      function (err) {
        if (!(err instanceof app.NoCrypto)) throw err;
        app.showError(S.errors.no_crypto);
        app.showVerdict("refused", "no_offline_check");
      }
    );
  }

  function saveLead() {
    var entry = bySerial(state.editing);
    if (!entry) return app.closeLead();
    var checked = document.querySelector('#lead-form input[name="rating"]:checked');
    entry.note = $("note").value.trim();
    entry.rating = checked ? Number(checked.value) : null;
    entry.tags = tagsOf($("tags").value);
    // An edit made while the capture is on its way is sent after it (`send` compares).
    entry.edits = (entry.edits || 0) + 1;
    if (entry.status === "synced") entry.synced_once = true;
    if (entry.status !== "refused") entry.status = "pending";
    saveCaptures();
    app.renderCaptures();
    app.closeLead();
    sync();
  }

  function tagsOf(text) {
    var seen = {};
    return text
      .split(/[,，;；]/)
      .map(function (t) {
        return t.trim().replace(/^#/, "").slice(0, 40);
      })
      .filter(function (t) {
        if (!t || seen[t]) return false;
        seen[t] = true;
        return true;
      })
      .slice(0, 20); // the API takes at most 20
  }

  // --- sync: the waiting captures, oldest first, one request each --------------------------

  var syncing = null;

  function sync() {
    if (syncing) return syncing;
    if (!state.token || !navigator.onLine || !app.waiting()) return Promise.resolve();
    syncing = syncNext().finally(function () {
      syncing = null;
      saveCaptures();
      app.renderCaptures();
    });
    return syncing;
  }

  function syncNext() {
    var pending = state.captures.filter(function (c) {
      return c.status === "pending";
    });
    if (!pending.length) return Promise.resolve();
    return send(pending[pending.length - 1]).then(function (settled) {
      return settled ? syncNext() : undefined;
    });
  }

  // True when the capture is settled (synced or refused): the next one may go.
  function send(entry, withoutTime) {
    var edits = entry.edits || 0;
    var body = { secret: entry.secret, note: entry.note, tags: entry.tags };
    if (entry.rating !== null && entry.rating !== undefined) body.rating = entry.rating;
    // Only a capture that waited carries its own time; one sent at once is dated by the server.
    if (entry.offline && !entry.synced_once && !withoutTime) body.captured_at = entry.captured_at;
    return request("POST", API.leads, body, 10000).then(
      function (response) {
        var status = response.status;
        var error = (response.body && response.body.error) || {};
        if (status === 200 || status === 201) {
          var lead = response.body || {};
          // Edited while this request was on its way: the edit is still to be sent.
          entry.status = (entry.edits || 0) === edits ? "synced" : "pending";
          entry.synced_once = true;
          entry.reason = null;
          entry.lead = lead.id;
          entry.visitor = keptFields(lead.visitor, lead.holder);
          if (lead.captured_at) entry.captured_at = lead.captured_at;
          setOnline(true);
          return true;
        }
        if (status === 401 || (status === 403 && error.code !== "lead_capture_off")) {
          setOnline(true);
          app.tokenRefused(status);
          return false;
        }
        var fields = (error.detail && error.detail.fields) || {};
        if (status === 422 && fields.captured_at && !withoutTime) {
          // This device's clock is ahead of the server's: the server dates the lead instead.
          return send(entry, true);
        }
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          entry.status = "refused";
          if (error.code === "revoked" || error.code === "lead_capture_off") entry.reason = error.code;
          else entry.reason = fields.secret ? "invalid" : "other";
          setOnline(true);
          return true;
        }
        return false; // a server error: tried again on the next tick
      },
      function () {
        entry.offline = entry.offline || !entry.synced_once;
        setOnline(false);
        return false;
      }
    );
  }

  // The masked name ("L* W**") stands for the name a visitor did not share.
  function keptFields(visitor, holder) {
    var kept = { holder: holder || "" };
    visitor = visitor || {};
    KEPT_FIELDS.forEach(function (field) {
      if (visitor[field]) kept[field] = visitor[field];
    });
    return kept;
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
    $("signin-button").disabled = true;
    return request("GET", API.setup, null, 10000, token)
      .then(function (response) {
        if (response.status === 401) throw new Error(S.errors.token_rejected);
        if (response.status === 403) throw new Error(S.errors.token_forbidden);
        if (response.status !== 200 || !response.body) {
          throw new Error(app.format(S.errors.server, { status: response.status }));
        }
        state.token = token;
        state.tokenRefused = false;
        store.set("token", token);
        state.keys = null;
        $("token").value = "";
        applySetup(response.body);
        setOnline(true);
        app.showConsole();
        sync();
      })
      .catch(function (err) {
        error.textContent =
          err instanceof TypeError || (err && err.name === "AbortError") ? S.errors.sign_in_offline : err.message;
        error.hidden = false;
      })
      .finally(function () {
        $("signin-button").disabled = false;
      });
  }

  function signOut() {
    // Waiting captures would be lost, unless this token is dead: then they stay for the next
    // device token signed in here.
    var n = app.waiting();
    if (n && !state.tokenRefused) {
      app.showError(app.plural(S.errors.sign_out_queue, n));
      app.focusCode();
      return;
    }
    stopCamera();
    ["token", "setup", "keys", "keysAt"].forEach(store.remove);
    state.token = state.setup = state.keys = null;
    state.tokenRefused = false;
    if (!n) {
      state.captures = [];
      store.remove("captures");
    }
    app.closeLead();
    app.hideVerdict();
    app.showSignIn();
  }

  // --- the camera (BarcodeDetector, where the browser has it) ------------------------------

  var camera = null;

  function cameraAvailable() {
    return "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  }

  function startCamera() {
    var video = $("camera-view");
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      app.showError(S.errors.camera);
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        camera = { stream: stream, last: "", lastAt: 0, timer: null };
        video.srcObject = stream;
        video.hidden = false;
        $("camera").textContent = S.camera_stop;
        return video.play().then(function () {
          camera.timer = setInterval(function () {
            detector.detect(video).then(function (codes) {
              if (!camera || !codes.length) return;
              var value = codes[0].rawValue;
              var now = Date.now();
              // A code held in front of the camera is read many times a second: once is enough.
              if (value === camera.last && now - camera.lastAt < 4000) return;
              camera.last = value;
              camera.lastAt = now;
              submitCode(value);
            }, function () {});
          }, 300);
        });
      })
      .catch(function () {
        stopCamera();
        app.showError(S.errors.camera);
      });
  }

  function stopCamera() {
    if (!camera) return;
    clearInterval(camera.timer);
    camera.stream.getTracks().forEach(function (t) {
      t.stop();
    });
    camera = null;
    $("camera-view").hidden = true;
    $("camera").textContent = S.camera_start;
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
    submitCode(code);
    app.focusCode();
  });

  // Some readers end a code with Tab instead of Enter.
  $("code").addEventListener("keydown", function (event) {
    if (event.key === "Tab" && $("code").value.trim()) {
      event.preventDefault();
      $("scan-form").requestSubmit();
    }
  });

  // A key typed while nothing that takes text has focus goes to the code input (a reader).
  document.addEventListener("keydown", function (event) {
    if (!app.consoleShown() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key.length !== 1 || app.isTextField(document.activeElement)) return;
    app.focusCode();
  });

  $("lead-form").addEventListener("submit", function (event) {
    event.preventDefault();
    saveLead();
  });
  $("lead-close").addEventListener("click", app.closeLead);

  $("tag-suggestions").addEventListener("click", function (event) {
    var tag = event.target.dataset && event.target.dataset.tag;
    if (!tag) return;
    var tags = tagsOf($("tags").value);
    if (tags.indexOf(tag) < 0) tags.push(tag);
    $("tags").value = tags.join(", ");
  });

  $("captures").addEventListener("click", function (event) {
    var serial = event.target.dataset && event.target.dataset.serial;
    if (!serial || !event.target.classList.contains("capture-edit")) return;
    var entry = bySerial(Number(serial));
    if (entry) {
      app.openLead(entry);
      $("note").focus();
    }
  });

  $("verdict").addEventListener("click", app.hideVerdict);

  $("refresh").addEventListener("click", function () {
    app.clearError();
    refreshSetup().then(sync);
    app.focusCode();
  });

  $("signout").addEventListener("click", signOut);

  if (cameraAvailable()) {
    $("camera").hidden = false;
    $("camera").addEventListener("click", function () {
      if (camera) stopCamera();
      else startCamera();
    });
  }

  window.addEventListener("online", function () {
    refreshSetup().then(sync);
  });
  window.addEventListener("offline", function () {
    setOnline(false);
  });

  // Another tab of this page (same edition) changed the captures: show the same.
  window.addEventListener("storage", function (event) {
    if (event.key === config.storage + "captures") {
      state.captures = store.get("captures", []);
      app.renderCaptures();
    }
  });

  var ticks = 0;
  setInterval(function () {
    // A refused token is not asked again every few seconds: signing in again clears it.
    if (!state.token || state.tokenRefused) return;
    ticks += 1;
    if (!navigator.onLine) return setOnline(false);
    if (app.waiting()) sync();
    else if (!state.online || ticks % KEYS_EVERY_TICKS === 0) refreshSetup();
  }, config.retryMs);

  // The gate scanner's service worker, served under the booth's address.
  app.keepForOffline();

  // --- start -------------------------------------------------------------------------------

  if (state.token && state.setup && state.keys) {
    app.showConsole();
    if (navigator.onLine) refreshSetup().then(sync);
    else setOnline(false);
  } else {
    app.showSignIn();
  }
})();
