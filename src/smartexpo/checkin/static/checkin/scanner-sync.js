// SmartExpo gate scanner, part 4 of 6: talking to the server — requests, the online state,
// syncing the offline queue (POST …/checkin/sync) and refreshing the keys package and set-up.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;
  var store = app.store;
  var API = app.api;
  var KEYS_EVERY_TICKS = 12; // keys package refreshed about once a minute (ticks of retryMs)
  var SETUP_EVERY_TICKS = 60; // gates and ticket types about every five minutes

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
    app.renderStatus();
    if (changed && online) syncQueue();
  }

  // --- sync and refresh --------------------------------------------------------------------

  var syncing = null;

  function syncQueue() {
    if (syncing || !state.token || !state.queue.length) return syncing || Promise.resolve();
    syncing = syncBatches().finally(function () {
      syncing = null;
      app.renderStatus();
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
          app.tokenRefused(response.status);
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
        app.saveQueue();
        state.online = true;
        app.renderStatus();
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
          app.tokenRefused(response.status);
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
    var revoked = (app.revoked = new Set((incremental ? old.revoked : []).concat(pkg.revoked || [])));
    state.keys = {
      keys: Object.keys(keys).map(function (kid) {
        return keys[kid];
      }),
      revoked: Array.from(revoked),
      generated_at: pkg.generated_at || old.generated_at,
    };
    app.forgetPublicKeys();
    state.keysAt = app.isoWithOffset(new Date());
    store.set("keys", state.keys);
    store.set("keysAt", state.keysAt);
    app.renderKeysInfo();
  }

  function refreshSetup() {
    if (!state.token) return Promise.resolve();
    return request("GET", API.setup, null, 10000).then(
      function (response) {
        if (response.status === 401 || response.status === 403) {
          app.tokenRefused(response.status);
          return;
        }
        if (response.status !== 200 || !response.body) return;
        state.setup = response.body;
        store.set("setup", state.setup);
        app.renderConsole();
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
    // A room's door admits by the reservations in the set-up: those are read every minute.
    var doors = state.setup && (state.setup.sessions || []).length;
    var every = doors ? KEYS_EVERY_TICKS : SETUP_EVERY_TICKS;
    if (state.online && (ticks % every === 0 || app.demoClock())) refreshSetup();
  }

  // --- offline reloads ----------------------------------------------------------------------

  // A reload while the network is down still shows the page (the gate scanner's or the booth
  // page, which share this): a service worker answers from a same-origin cache of the page,
  // its styles and its scripts.
  function keepForOffline() {
    if (!("serviceWorker" in navigator && window.isSecureContext && config.serviceWorker)) return;
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

  app.request = request;
  app.setOnline = setOnline;
  app.syncQueue = syncQueue;
  app.refreshKeys = refreshKeys;
  app.applyKeys = applyKeys;
  app.refreshSetup = refreshSetup;
  app.tick = tick;
  app.keepForOffline = keepForOffline;
})();
