// SmartExpo signing ceremony screen (deals/ceremony.html).
//
// The page arrives with the figures of now; this script keeps them current without reloading,
// as the live venue page does: it polls the signed tally (GET /api/v1/expos/{expo}/deals/tally)
// every couple of seconds, one request at a time, and counts the figures up to the new ones.
// A failed request leaves the figures as they were, says "connection lost, retrying" in both
// languages and tries again at the next tick.
//
// Amounts are exact decimal strings. The count-up's frames show an approximation (a float is
// good enough for a figure that is moving); the last frame prints the tally's own digits,
// grouped as text, never a float's.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("ceremony-config").textContent);
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var shown = {
    projects: Number(document.getElementById("projects").getAttribute("data-value")),
    amount: document.getElementById("amount").getAttribute("data-value"),
    atExpo: Number(document.getElementById("at-expo").getAttribute("data-value")),
  };
  var frame = null;

  // "816900000000.00" → "816,900,000,000.00": only separators put between the digits.
  function grouped(text) {
    var parts = String(text).split(".");
    var sign = parts[0].charAt(0) === "-" ? "-" : "";
    var whole = parts[0].replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + (parts.length > 1 ? "." + parts[1] : "");
  }

  function setStatus(state) {
    var status = document.getElementById("status");
    status.setAttribute("data-state", state);
    var words = config.strings[state];
    status.textContent = words ? words.en + " · " + words.zh : "";
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
    return fetch(config.url, settings).then(
      function (response) {
        window.clearTimeout(timer);
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      },
      function (error) {
        window.clearTimeout(timer);
        throw error;
      }
    );
  }

  function show(target, settled) {
    var projects = document.getElementById("projects");
    var amount = document.getElementById("amount");
    var atExpo = document.getElementById("at-expo");
    projects.textContent = String(target.projects);
    atExpo.textContent = String(target.atExpo);
    amount.textContent = "¥" + (settled ? grouped(target.amount) : target.amountText);
    if (settled) {
      projects.setAttribute("data-value", String(target.projects));
      atExpo.setAttribute("data-value", String(target.atExpo));
      amount.setAttribute("data-value", target.amount);
    }
  }

  // From the figures shown to `target` in countMs, easing out; the last frame is exact.
  function countUp(target) {
    if (frame !== null) window.cancelAnimationFrame(frame);
    var from = { projects: shown.projects, amount: parseFloat(shown.amount), atExpo: shown.atExpo };
    var to = { projects: target.projects, amount: parseFloat(target.amount), atExpo: target.at_expo };
    var cents = (String(target.amount).split(".")[1] || "00");
    var exact = { projects: target.projects, amount: target.amount, atExpo: target.at_expo };
    var start = null;
    document.body.setAttribute("data-counting", "true");
    function step(now) {
      if (start === null) start = now;
      var t = reduced ? 1 : Math.min(1, (now - start) / config.countMs);
      if (t >= 1) {
        frame = null;
        show(exact, true);
        shown = exact;
        document.body.setAttribute("data-counting", "false");
        return;
      }
      var k = 1 - Math.pow(1 - t, 3);
      var whole = Math.floor(from.amount + (to.amount - from.amount) * k);
      show(
        {
          projects: Math.round(from.projects + (to.projects - from.projects) * k),
          atExpo: Math.round(from.atExpo + (to.atExpo - from.atExpo) * k),
          amountText: grouped(String(whole)) + "." + cents,
        },
        false
      );
      // What is on screen now, approximately: where a new tally would start counting from.
      shown = { projects: exact.projects, amount: String(whole) + "." + cents, atExpo: exact.atExpo };
      frame = window.requestAnimationFrame(step);
    }
    frame = window.requestAnimationFrame(step);
  }

  function sectors(rows) {
    var list = document.getElementById("sectors");
    var top = (rows || [])
      .slice()
      .sort(function (a, b) {
        return b.projects - a.projects;
      })
      .slice(0, 6);
    list.textContent = "";
    top.forEach(function (row) {
      var names = config.sectors[row.sector] || { en: row.sector, zh: row.sector };
      var item = document.createElement("li");
      item.setAttribute("data-sector", row.sector);
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = names.en + " ";
      var zh = document.createElement("span");
      zh.setAttribute("lang", "zh-Hans");
      zh.textContent = names.zh;
      name.appendChild(zh);
      var n = document.createElement("span");
      n.className = "n";
      n.textContent = String(row.projects);
      item.appendChild(name);
      item.appendChild(n);
      list.appendChild(item);
    });
  }

  function apply(tally) {
    setStatus("live");
    var changed =
      tally.projects !== shown.projects || tally.amount !== shown.amount || tally.at_expo !== shown.atExpo;
    if (changed || frame !== null) countUp(tally);
    sectors(tally.by_sector);
    document.getElementById("chain-head").textContent = tally.chain_head || "";
  }

  // Each request waits for the answer to the one before: a slow server gets one request at a
  // time from every screen, never a queue of them.
  function tick() {
    request().then(
      function (tally) {
        apply(tally);
        window.setTimeout(tick, config.pollMs);
      },
      function () {
        setStatus("lost");
        window.setTimeout(tick, config.pollMs);
      }
    );
  }
  tick();
})();
