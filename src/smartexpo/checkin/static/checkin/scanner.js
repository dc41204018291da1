// SmartExpo gate scanner, part 6 of 6: the scan flow (online first, else decided here and
// queued), signing the device in and out, the page's events, and the start. Loaded last, so
// every function of the other parts (window.SmartExpoScanner) is there already.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;
  var store = app.store;
  var S = app.strings;
  var API = app.api;
  var $ = app.$;
  var format = app.format;
  var plural = app.plural;
  var name = app.name;
  var newNonce = app.newNonce;
  var isoWithOffset = app.isoWithOffset;
  var localDay = app.localDay;
  var editionNow = app.editionNow;
  var NoCrypto = app.NoCrypto;
  var decideOffline = app.decideOffline;
  var request = app.request;
  var setOnline = app.setOnline;
  var syncQueue = app.syncQueue;
  var refreshKeys = app.refreshKeys;
  var applyKeys = app.applyKeys;
  var refreshSetup = app.refreshSetup;
  var tick = app.tick;
  var saveQueue = app.saveQueue;
  var showVerdict = app.showVerdict;
  var hideVerdict = app.hideVerdict;
  var tokenRefused = app.tokenRefused;
  var showError = app.showError;
  var clearError = app.clearError;
  var renderStatus = app.renderStatus;
  var showConsole = app.showConsole;
  var showSignIn = app.showSignIn;
  var consoleShown = app.consoleShown;
  var focusCode = app.focusCode;
  var isTextField = app.isTextField;

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

  // What this device admitted, for anti-passback when it next decides alone (a venue gate's:
  // a room's door does not move the venue's inside state).
  function remember(scan, at, serial) {
    if (serial === undefined || serial === null || !state.setup) return;
    var room = false;
    state.setup.gates.forEach(function (g) {
      if (g.code === scan.gate && g.room) room = true;
    });
    if (room) return;
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

  app.keepForOffline();

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
