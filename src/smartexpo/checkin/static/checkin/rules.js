// SmartExpo check-in rules for the gate scanner deciding offline (checkin/scanner.html).
//
// The rules themselves are not written here: the page hands over the server's table,
// smartexpo/checkin/rules.py RULES (config.rules: reason, fact, broken_when, direction), and
// this file computes each fact from what the tablet knows and walks the table in its order,
// as rules.decide does. Offline every authentic serial counts as known ("unknown" is the
// server's to tell). Loaded by the page as window.SmartExpoRules, and by node in
// tests/checkin/test_rules.py as a CommonJS module.
(function (root) {
  "use strict";

  // The reason of the first rule of the scan's direction that the facts break; null: admit.
  function firstBroken(table, facts, direction) {
    for (var i = 0; i < table.length; i++) {
      var rule = table[i];
      if (rule.direction && rule.direction !== direction) continue;
      if (facts[rule.fact] === rule.broken_when) return rule.reason;
    }
    return null;
  }

  // One offline decision, after the signature check. `claims` {serial, typeId, days: ISO
  // dates} or null; `setup` the set-up document; `revoked` a Set of serials; `inside` the
  // tablet's memory (serial → ISO day it entered on), updated when the scan is admitted;
  // `scan` {gate, direction}; `day` the scan's expo day (ISO). Answers {result, reason,
  // serial, typeId}.
  function decide(table, claims, setup, revoked, inside, scan, day) {
    var gateZone = null;
    setup.gates.forEach(function (g) {
      if (g.code === scan.gate) gateZone = g.zone;
    });
    var zones = [];
    if (claims) {
      setup.ticket_types.forEach(function (t) {
        if (Number(t.id) === claims.typeId) zones = t.zones;
      });
    }
    var key = claims ? String(claims.serial) : null;
    var facts = {
      authentic: !!claims,
      gate_served: gateZone !== null,
      known: true,
      revoked: !!claims && revoked.has(claims.serial),
      day_valid: !!claims && claims.days.indexOf(day) >= 0,
      zone_valid: gateZone !== null && zones.indexOf(gateZone) >= 0,
      inside_today: key !== null && inside[key] === day,
    };
    var reason = firstBroken(table, facts, scan.direction);
    if (!claims) return { result: "reject", reason: reason };
    if (reason) return { result: "reject", reason: reason, serial: claims.serial, typeId: claims.typeId };
    if (scan.direction === "in") inside[key] = day;
    else delete inside[key];
    return { result: "admit", serial: claims.serial, typeId: claims.typeId };
  }

  var api = { firstBroken: firstBroken, decide: decide };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SmartExpoRules = api;
})(this);
