// SmartExpo gate scanner, part 3 of 6: deciding offline — the ticket secret checked with
// WebCrypto (Ed25519, the normative format of smartexpo/tickets/ticket_secrets.py), then the
// server's rule table walked by rules.js, as smartexpo/checkin/offline.py does.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;

  var MAX_SERIAL = BigInt("9007199254740991"); // 2^53 - 1
  var SIGNATURE_LEN = 64;
  var HEADER_LEN = 10; // version, kid, 8-byte serial
  var MAX_BODY_LEN = 24;
  var BODY_LEN = 10;
  var MAX_SECRET_CHARS = 131;
  var DAY_ZERO = Date.UTC(2000, 0, 1);

  function dayFromNumber(n) {
    return new Date(DAY_ZERO + n * 86400000).toISOString().slice(0, 10);
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

  // This browser cannot check a signature: the scan is refused, never admitted unchecked.
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

  // A new keys package: the keys imported from the old one may no longer apply.
  function forgetPublicKeys() {
    keyCache = {};
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
      var day = app.localDay(at, state.setup.timezone);
      var verdict = window.SmartExpoRules.decide(
        config.rules, claims, state.setup, app.revoked, state.inside, scan, day
      );
      if (verdict.result === "admit") app.store.set("inside", state.inside);
      return verdict;
    });
  }

  app.NoCrypto = NoCrypto;
  app.forgetPublicKeys = forgetPublicKeys;
  // The booth page (leads/booth.html) verifies secrets with it too, without the gate's rules.
  app.verifySecret = verifySecret;
  app.decideOffline = decideOffline;
})();
