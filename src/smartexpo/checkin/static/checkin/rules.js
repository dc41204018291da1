// SmartExpo check-in rules for the gate scanner deciding offline (checkin/scanner.html).
//
// The rules themselves are not written here: the page hands over the server's table,
// smartexpo/checkin/rules.py RULES (config.rules: reason, fact, broken_when, direction, gates),
// and this file computes each fact from what the tablet knows and walks the table in its order,
// as rules.decide does. Offline every authentic serial counts as known ("unknown" is the
// server's to tell). At a room's door (a gate of the set-up with "room": true) the session is
// found as smartexpo/checkin/offline.py door_at finds it, from the set-up's sessions, and an
// admission there is not remembered: a room's door keeps no inside state. Loaded by the page as
// window.SmartExpoRules, and by node in tests/checkin/test_rules.py as a CommonJS module.
(function (root) {
  "use strict";

  // The reason of the first rule of the scan's direction (and kind of gate: `room` true at a
  // room's door) that the facts break; null: admit.
  function firstBroken(table, facts, direction, room) {
    for (var i = 0; i < table.length; i++) {
      var rule = table[i];
      if (rule.direction && rule.direction !== direction) continue;
      if (rule.gates && rule.gates !== (room ? "room" : "venue")) continue;
      if (facts[rule.fact] === rule.broken_when) return rule.reason;
    }
    return null;
  }

  // The set-up's sessions read once per set-up document: per room, [{id, starts, ends (ms),
  // seated}] in the programme's order, and serial → {session id: true} of the reservations.
  var doorCache = typeof WeakMap === "function" ? new WeakMap() : null;
  function doorsOf(setup) {
    var cached = doorCache && doorCache.get(setup);
    if (cached) return cached;
    var doors = { rooms: {}, reserved: {}, before: (setup.doors_open_before || 0) * 1000 };
    (setup.sessions || []).forEach(function (s) {
      var list = doors.rooms[s.room] || (doors.rooms[s.room] = []);
      list.push({
        id: Number(s.id),
        starts: Date.parse(s.starts_at),
        ends: Date.parse(s.ends_at),
        seated: !!s.reservation,
      });
      (s.reserved || []).forEach(function (serial) {
        var key = String(serial);
        (doors.reserved[key] || (doors.reserved[key] = {}))[Number(s.id)] = true;
      });
    });
    if (doorCache) doorCache.set(setup, doors);
    return doors;
  }

  // The session a room's door admits into at instant `at` (ms): the one running then, else
  // the next to start within doors_open_before; null if none.
  function doorAt(doors, room, at) {
    var upcoming = null;
    var list = doors.rooms[room] || [];
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (s.starts <= at && at < s.ends) return s;
      if (at < s.starts && s.starts <= at + doors.before && (!upcoming || s.starts < upcoming.starts)) {
        upcoming = s;
      }
    }
    return upcoming;
  }

  // One offline decision, after the signature check. `claims` {serial, typeId, days: ISO
  // dates} or null; `setup` the set-up document; `revoked` a Set of serials; `inside` the
  // tablet's memory (serial → ISO day it entered on), updated when the scan is admitted;
  // `scan` {gate, direction, scanned_at: ISO instant with its offset}; `day` the scan's expo
  // day (ISO). Answers {result, reason, serial, typeId, session}.
  function decide(table, claims, setup, revoked, inside, scan, day) {
    var gateZone = null;
    var room = false;
    setup.gates.forEach(function (g) {
      if (g.code === scan.gate) {
        gateZone = g.zone;
        room = !!g.room;
      }
    });
    var doors = room ? doorsOf(setup) : null;
    var door = room ? doorAt(doors, gateZone, Date.parse(scan.scanned_at)) : null;
    var zones = [];
    if (claims) {
      setup.ticket_types.forEach(function (t) {
        if (Number(t.id) === claims.typeId) zones = t.zones;
      });
    }
    var key = claims ? String(claims.serial) : null;
    var seated = !!door && door.seated;
    var held = key !== null && doors && doors.reserved[key];
    var facts = {
      authentic: !!claims,
      gate_served: gateZone !== null,
      known: true,
      revoked: !!claims && revoked.has(claims.serial),
      day_valid: !!claims && claims.days.indexOf(day) >= 0,
      zone_valid: gateZone !== null && (seated || zones.indexOf(gateZone) >= 0),
      reserved: !seated || !!(held && held[door.id]),
      inside_today: key !== null && inside[key] === day,
    };
    var reason = firstBroken(table, facts, scan.direction, room);
    if (!claims) return { result: "reject", reason: reason };
    if (reason) return { result: "reject", reason: reason, serial: claims.serial, typeId: claims.typeId };
    if (room) return { result: "admit", serial: claims.serial, typeId: claims.typeId, session: door ? door.id : null };
    if (scan.direction === "in") inside[key] = day;
    else delete inside[key];
    return { result: "admit", serial: claims.serial, typeId: claims.typeId };
  }

  var api = { firstBroken: firstBroken, decide: decide };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SmartExpoRules = api;
})(this);
