// SmartExpo public big screen (reports/screen.html).
//
// The page arrives with the figures of now; this script keeps them current for hours without a
// reload. It polls the screen's JSON (screen/data.json), one request at a time, and rewrites
// the page's fixed slots in place: no element is ever added, so the page does not grow, and
// at most one timer is pending at any time (plus the timeout of the request in flight).
//
// When a request fails (network down, server error, timeout) the figures stay as they were, a
// discreet "offline since HH:MM" appears (the edition's time, as the clock shows it), and the
// next try waits twice as long each time, up to backoffMaxMs; the first answer that comes
// back hides it and the polling goes back to its pace.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("screen-config").textContent);
  var langs = config.langs;
  var failures = 0;
  var offlineSince = null;
  var pending = null; // the one timer waiting for the next poll
  // The edition's instant of the last answer, and when (on this machine) it came.
  var lastAt = Date.parse(document.getElementById("clock-time").getAttribute("datetime"));
  var lastReceived = Date.now();
  var timeFormat = hoursAndMinutes(config.timezone);

  // HH:MM in the edition's time zone (this machine's, should the browser not know that one).
  function hoursAndMinutes(timeZone) {
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: timeZone }, options));
    } catch (error) {
      return new Intl.DateTimeFormat("en-GB", options);
    }
  }

  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function setHidden(el, hidden) {
    if (el.hidden !== hidden) el.hidden = hidden;
  }

  // The spans of `el`, one per language shown, get `names` ({en, zh}) or a label's texts.
  function setNames(el, names, values) {
    var spans = el.children;
    for (var i = 0; i < langs.length && i < spans.length; i++) {
      var text = names ? names[langs[i]] || "" : "";
      if (values) text = text.replace("%(time)s", values.time);
      setText(spans[i], text);
    }
  }

  function setFigure(id, value, text) {
    var el = document.getElementById(id);
    setText(el, text);
    el.setAttribute("data-value", String(value));
  }

  function showClock(clock) {
    var time = document.getElementById("clock-time");
    setText(time, clock.time);
    time.setAttribute("datetime", clock.at);
    setText(document.getElementById("clock-date"), clock.date);
    var status = document.getElementById("status");
    status.setAttribute("data-open", clock.open ? "true" : "false");
    setNames(status, clock.open ? config.labels.open_until : config.labels.closed, { time: clock.closes });
    var demo = document.getElementById("demo");
    setHidden(demo, clock.source === "now");
    if (clock.source !== "now") setNames(demo, clock.source === "replay" ? config.labels.replay : config.labels.demo);
    document.body.setAttribute("data-source", clock.source);
  }

  function showHalls(listId, halls) {
    var slots = document.getElementById(listId).children;
    for (var i = 0; i < slots.length; i++) {
      var li = slots[i];
      var hall = halls[i];
      setHidden(li, !hall);
      if (!hall) continue;
      li.setAttribute("data-zone", hall.zone);
      li.setAttribute("data-level", hall.level);
      li.style.background = hall.colour;
      li.style.color = hall.ink;
      setText(li.querySelector(".hall-code"), hall.zone);
      setNames(li.querySelector(".hall-name"), hall.name);
      setText(li.querySelector(".hall-percent"), hall.percent + "%");
      var level = li.querySelector(".hall-level");
      setText(level.querySelector(".hall-letter"), hall.level);
      var spans = level.querySelectorAll("span");
      for (var j = 0; j < langs.length && j < spans.length; j++) setText(spans[j], hall.level_name[langs[j]] || "");
    }
  }

  function showSessions(sessions) {
    var slots = document.getElementById("sessions").children;
    for (var i = 0; i < slots.length; i++) {
      var li = slots[i];
      var s = sessions[i];
      setHidden(li, !s);
      if (!s) continue;
      li.setAttribute("data-session", String(s.id));
      var date = li.querySelector(".session-date");
      setText(date, s.date);
      setHidden(date, s.today);
      setText(li.querySelector(".session-time"), s.time);
      setNames(li.querySelector(".session-title"), s.title);
      setNames(li.querySelector(".session-room"), s.room_name);
    }
    setHidden(document.getElementById("no-sessions"), sessions.length > 0);
  }

  function apply(data) {
    showClock(data.clock);
    setFigure("visitors-today", data.visitors.today, grouped(data.visitors.today));
    setFigure("visitors-total", data.visitors.total, grouped(data.visitors.total));
    setFigure("deals-projects", data.deals.projects, grouped(data.deals.projects));
    setFigure("deals-amount", data.deals.amount, "¥" + data.deals.amount_text);
    setFigure("deals-at-expo", data.deals.at_expo, grouped(data.deals.at_expo));
    showHalls("busiest", data.halls.busiest);
    showHalls("quietest", data.halls.quietest);
    setHidden(document.getElementById("no-halls"), data.halls.counted > 0);
    showSessions(data.sessions);
  }

  // The edition's time now, as far as this screen can tell: the last answer's instant moved on
  // by the time since it came.
  function editionNow() {
    return new Date(lastAt + (Date.now() - lastReceived));
  }

  function setOnline() {
    offlineSince = null;
    var el = document.getElementById("offline");
    el.setAttribute("data-state", "online");
    setHidden(el, true);
  }

  function setOffline() {
    var el = document.getElementById("offline");
    if (offlineSince === null) {
      var since = editionNow();
      if (isNaN(since.getTime())) since = new Date();
      offlineSince = timeFormat.format(since);
      var texts = config.labels.offline;
      var words = [];
      for (var i = 0; i < langs.length; i++) words.push(texts[langs[i]].replace("%(time)s", offlineSince));
      setText(el, words.join(" · "));
    }
    el.setAttribute("data-state", "offline");
    el.setAttribute("data-failures", String(failures));
    setHidden(el, false);
  }

  function request() {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, config.timeoutMs)
      : null;
    var settings = { credentials: "omit", cache: "no-store", headers: { Accept: "application/json" } };
    if (controller) settings.signal = controller.signal;
    return fetch(config.url, settings)
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(
        function (data) {
          window.clearTimeout(timer);
          return data;
        },
        function (error) {
          window.clearTimeout(timer);
          throw error;
        }
      );
  }

  function schedule(delay) {
    if (pending !== null) window.clearTimeout(pending);
    pending = window.setTimeout(tick, delay);
  }

  // After n failures in a row: pollMs × 2^(n−1), at most backoffMaxMs, give or take a tenth so
  // that a hall of screens does not come back in step.
  function backoff() {
    var delay = Math.min(config.pollMs * Math.pow(2, failures - 1), config.backoffMaxMs);
    return Math.round(delay * (0.9 + Math.random() * 0.2));
  }

  function tick() {
    pending = null;
    // An answer the page cannot show counts as a failure too: the chain always goes on.
    request()
      .then(function (data) {
        apply(data);
        lastAt = Date.parse(data.clock.at);
        lastReceived = Date.now();
      })
      .then(
        function () {
          failures = 0;
          schedule(config.pollMs);
          setOnline();
        },
        function () {
          // The next try is set before anything else, so that nothing here can end the loop.
          failures += 1;
          schedule(backoff());
          setOffline();
        }
      );
  }

  schedule(config.pollMs);
})();
