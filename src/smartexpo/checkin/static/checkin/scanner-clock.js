// SmartExpo gate scanner, part 2 of 6: time — the edition's clock, its expo days and how the
// page writes times.
//
// An edition on a demo clock (a rehearsal, the demo) dates its scans by it: the set-up (and, before
// sign-in, the page's configuration) gives its offset from the real time, which editionNow() adds
// to the device's clock; a striped banner and the verdict say "demo clock" so that nobody takes
// it for the real time.
(function () {
  "use strict";

  var app = window.SmartExpoScanner;
  var config = app.config;
  var state = app.state;
  var pad = app.pad;

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
    var el = app.$("demo-clock");
    var clock = demoClock();
    el.hidden = !clock;
    if (!clock) {
      clearInterval(clockTimer);
      clockTimer = null;
      return;
    }
    el.textContent = app.format(app.strings.demo_clock, { time: localTime(editionNow(), timeZone()), zone: timeZone() });
    if (!clockTimer) clockTimer = setInterval(renderDemoClock, 1000);
  }

  app.isoWithOffset = isoWithOffset;
  app.localDay = localDay;
  app.demoClock = demoClock;
  app.editionNow = editionNow;
  app.timeZone = timeZone;
  app.localTime = localTime;
  app.renderDemoClock = renderDemoClock;
})();
