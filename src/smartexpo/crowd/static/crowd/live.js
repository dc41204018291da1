// SmartExpo live venue page (crowd/live.html).
//
// The page arrives complete from the server; this script keeps it current without reloading:
// it polls data.json every couple of seconds (halls, zones, booths, alerts, the clock) and
// chart.json a little less often (occupancy over the day, drawn with the plotly.js bundle the
// app serves itself). One request of each kind at a time; a failed request leaves the page as
// it was, says "connection lost, retrying" and tries again at the next tick.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("live-config").textContent);
  var S = config.strings;
  var numbers = new Intl.NumberFormat(config.lang === "zh" ? "zh-CN" : "en");
  var updatedAt = new Intl.DateTimeFormat(config.lang === "zh" ? "zh-CN" : "en-GB", {
    timeZone: config.timezone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  });
  var chartDrawn = false;

  function $(id) {
    return document.getElementById(id);
  }

  // Django's named placeholders, as the translations keep them: "%(count)s / %(capacity)s".
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return name in values ? String(values[name]) : match;
    });
  }

  function withAt(url) {
    return config.at ? url + "?at=" + encodeURIComponent(config.at) : url;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // --- requests ------------------------------------------------------------------------------

  function request(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, config.timeoutMs)
      : null;
    var settings = Object.assign(
      { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } },
      options || {}
    );
    if (controller) settings.signal = controller.signal;
    return fetch(url, settings).then(
      function (response) {
        window.clearTimeout(timer);
        if (!response.ok) {
          var error = new Error("HTTP " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      },
      function (error) {
        window.clearTimeout(timer);
        throw error;
      }
    );
  }

  function setStatus(state, text) {
    var status = $("status");
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function failed(error) {
    if (error && error.status === 401) {
      setStatus("signed-out", S.signed_out);
    } else if (error && error.status === 403) {
      setStatus("forbidden", S.forbidden);
    } else if (error && error.status && error.status < 500) {
      setStatus("error", format(S.bad_request, { status: error.status }));
    } else {
      setStatus("lost", S.connection_lost);
    }
  }

  // Each loop waits for its answer before scheduling the next request: a slow server gets
  // one request at a time from every open page, never a queue of them.
  function loop(run, every) {
    function tick() {
      run().then(
        function () {
          window.setTimeout(tick, every);
        },
        function () {
          window.setTimeout(tick, every);
        }
      );
    }
    tick();
  }

  // --- the data ------------------------------------------------------------------------------

  function densityText(zone) {
    return format(S.density, { density: zone.density.toFixed(2) });
  }

  function countText(zone) {
    return format(S.count, {
      count: numbers.format(zone.count),
      capacity: numbers.format(zone.capacity),
    });
  }

  function updateHall(group, zone) {
    group.setAttribute("data-level", zone.level);
    group.setAttribute("data-alert", zone.alert ? "true" : "false");
    group.setAttribute("data-predicted", zone.predicted ? "true" : "false");
    group.setAttribute("fill", zone.ink);
    group.querySelector(".live-hall-area").setAttribute("fill", zone.colour);
    group.querySelector(".live-hall-count").textContent = countText(zone);
    group.querySelector(".live-hall-density").textContent = densityText(zone) + " · " + zone.level;
  }

  function fillRow(row, zone) {
    row.setAttribute("data-level", zone.level);
    row.setAttribute("data-alert", zone.alert ? "true" : "false");
    row.querySelector('[data-field="count"]').textContent = numbers.format(zone.count);
    row.querySelector('[data-field="capacity"]').textContent = numbers.format(zone.capacity);
    row.querySelector('[data-field="density"]').textContent = zone.density.toFixed(2);
    var level = row.querySelector('[data-field="level"]');
    level.textContent = zone.level;
    level.style.background = zone.colour;
    level.style.color = zone.ink;
    var flag = row.querySelector('[data-field="alert"]');
    flag.textContent = "";
    if (zone.alert) flag.appendChild(element("span", "live-flag", "⚠ " + S.alert));
  }

  function newRow(zone, booth) {
    var row = element("tr");
    row.setAttribute("data-zone", zone.zone);
    var name = element("th", null, zone.label + " ");
    name.setAttribute("scope", "row");
    name.appendChild(element("span", "muted", zone.zone));
    row.appendChild(name);
    row.appendChild(element("td", null, booth ? zone.hall || "" : zone.kind_label));
    ["count", "capacity", "density"].forEach(function (field) {
      var cell = element("td", "num");
      cell.setAttribute("data-field", field);
      row.appendChild(cell);
    });
    var level = element("td");
    var chip = element("span", "live-level");
    chip.setAttribute("data-field", "level");
    level.appendChild(chip);
    row.appendChild(level);
    var alert = element("td");
    alert.setAttribute("data-field", "alert");
    row.appendChild(alert);
    fillRow(row, zone);
    return row;
  }

  function renderZones(zones) {
    var rows = {};
    document.querySelectorAll("#zones tbody tr[data-zone]").forEach(function (row) {
      rows[row.getAttribute("data-zone")] = row;
    });
    var halls = {};
    document.querySelectorAll(".live-hall").forEach(function (group) {
      halls[group.getAttribute("data-zone")] = group;
    });
    zones.forEach(function (zone) {
      if (rows[zone.zone]) fillRow(rows[zone.zone], zone);
      if (halls[zone.zone]) updateHall(halls[zone.zone], zone);
    });
  }

  function renderBooths(booths) {
    var body = $("booths-body");
    body.textContent = "";
    if (!booths.busiest.length) {
      var empty = element("tr", "live-empty");
      var cell = element("td", "muted", S.no_booths);
      cell.setAttribute("colspan", "7");
      empty.appendChild(cell);
      body.appendChild(empty);
      return;
    }
    booths.busiest.forEach(function (zone) {
      body.appendChild(newRow(zone, true));
    });
  }

  function alertItem(alert) {
    var item = element("li", "live-alert");
    item.setAttribute("data-alert-id", alert.id);
    item.setAttribute("data-zone", alert.zone);
    item.setAttribute("data-active", alert.active ? "true" : "false");
    var head = element("p", "live-alert-head");
    head.appendChild(element("strong", null, alert.label));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("span", "muted", alert.zone));
    item.appendChild(head);
    item.appendChild(element("p", "live-alert-reason", S.reasons[alert.reason] || alert.reason));
    var meta = [
      format(S.raised, { time: alert.raised_local }),
      format(S.peak, { peak: numbers.format(alert.peak_count) }),
    ];
    if (alert.cleared_local) {
      meta.push(
        format(alert.ended_by_reset ? S.ended_by_reset : S.cleared, { time: alert.cleared_local })
      );
    }
    item.appendChild(element("p", "live-alert-meta muted", meta.join(" · ")));
    if (alert.acknowledged_at) {
      item.appendChild(
        element(
          "p",
          "live-alert-ack",
          format(S.acknowledged, {
            name: alert.acknowledged_by,
            time: alert.acknowledged_local,
          })
        )
      );
    } else {
      var form = element("form", "live-ack");
      form.method = "post";
      form.action = alert.acknowledge_url;
      var token = element("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = config.csrf;
      form.appendChild(token);
      form.appendChild(element("button", "button", S.acknowledge)).type = "submit";
      item.appendChild(form);
    }
    return item;
  }

  function renderList(list, alerts, emptyText) {
    list.textContent = "";
    if (!alerts.length) {
      list.appendChild(element("li", "muted live-empty", emptyText));
      return;
    }
    alerts.forEach(function (alert) {
      list.appendChild(alertItem(alert));
    });
  }

  function renderAlerts(alerts) {
    var count = $("alert-count");
    count.textContent = numbers.format(alerts.active_count);
    count.setAttribute("data-count", alerts.active_count);
    renderList($("alerts-active"), alerts.active, S.no_active);
    renderList($("alerts-recent"), alerts.recent, S.no_recent);
    var more = $("alerts-more");
    var hidden = alerts.active_count - alerts.active.length;
    more.hidden = hidden <= 0;
    more.textContent = hidden > 0 ? format(S.more_active, { count: numbers.format(hidden) }) : "";
  }

  // --- predicted alerts (a forecast: their own list, never among the live alerts) -----------

  function etaText(alert) {
    var minutes = alert.minutes_to_threshold;
    var threshold = numbers.format(alert.threshold);
    if (minutes === 0) return format(S.predicted_reached, { threshold: threshold });
    if (minutes === null) {
      return format(S.predicted_beyond, { clear: numbers.format(alert.clear_threshold) });
    }
    var template = minutes === 1 ? S.predicted_in_one : S.predicted_in;
    return format(template, { threshold: threshold, minutes: numbers.format(minutes) });
  }

  function predictedItem(alert) {
    var item = element("li", "live-alert live-predicted-alert");
    item.setAttribute("data-zone", alert.zone);
    item.setAttribute("data-active", alert.active ? "true" : "false");
    var head = element("p", "live-alert-head");
    head.appendChild(element("span", "live-predicted-tag", S.predicted_tag));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("strong", null, alert.label));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("span", "muted", alert.zone));
    item.appendChild(head);
    if (alert.active) {
      var eta = element("p", "live-predicted-eta", etaText(alert));
      eta.setAttribute("data-minutes", alert.minutes_to_threshold === null ? "" : alert.minutes_to_threshold);
      item.appendChild(eta);
    }
    var meta = [
      format(S.predicted_raised, { time: alert.raised_local }),
      format(S.predicted_expected, { time: alert.expected_local }),
    ];
    if (alert.cleared_local) {
      meta.push(
        format(alert.ended_by_reset ? S.ended_by_reset : S.cleared, { time: alert.cleared_local })
      );
    }
    item.appendChild(element("p", "live-alert-meta muted", meta.join(" · ")));
    item.appendChild(element("p", "live-alert-meta muted", alert.basis_label));
    return item;
  }

  function renderPredictedList(list, alerts, emptyText) {
    list.textContent = "";
    if (!alerts.length) {
      list.appendChild(element("li", "muted live-empty", emptyText));
      return;
    }
    alerts.forEach(function (alert) {
      list.appendChild(predictedItem(alert));
    });
  }

  function renderPredicted(predicted) {
    if (!predicted) return;
    var count = $("predicted-count");
    count.textContent = numbers.format(predicted.active_count);
    count.setAttribute("data-count", predicted.active_count);
    renderPredictedList($("predicted-active"), predicted.active, S.no_predicted);
    renderPredictedList($("predicted-recent"), predicted.recent, S.no_predicted_recent);
  }

  function renderClock(clock) {
    $("clock").textContent = clock.label;
    $("live").setAttribute("data-source", clock.source);
    $("idle-note").hidden = !clock.idle;
    var link = $("latest-link");
    link.hidden = !clock.latest;
    if (clock.latest) {
      link.href = clock.latest.url;
      $("latest-time").textContent = clock.latest.local;
    }
  }

  function render(data) {
    renderClock(data.clock);
    renderZones(data.zones);
    renderBooths(data.booths);
    renderAlerts(data.alerts);
    renderPredicted(data.predicted);
    // When the page last heard from the server (whatever instant it shows), on the
    // edition's clock like every other time on the page.
    setStatus("ok", format(S.updated, { time: updatedAt.format(new Date()) }));
  }

  function refresh() {
    return request(withAt(config.urls.data)).then(render, function (error) {
      failed(error);
      throw error;
    });
  }

  // --- the chart -----------------------------------------------------------------------------

  // Whole people on the axis: an empty day gets a fixed 0-10 scale rather than ticks at 0.2.
  function axis(chart) {
    var top = 0;
    chart.series.forEach(function (line) {
      line.counts.forEach(function (count) {
        if (count > top) top = count;
      });
    });
    var y = { title: { text: S.chart_axis }, rangemode: "tozero", tickformat: ",d" };
    if (top < 10) {
      y.range = [0, 10];
      y.autorange = false;
    } else {
      y.autorange = true;
    }
    return y;
  }

  function drawChart(chart) {
    var box = $("chart");
    if (!window.Plotly) {
      var note = $("chart-note");
      note.hidden = false;
      note.textContent = S.chart_unavailable;
      return;
    }
    var traces = chart.series.map(function (line) {
      return {
        type: "scatter",
        mode: "lines",
        name: line.zone,
        x: chart.times,
        y: line.counts,
        // The zone's name as data, not as part of the template plotly interprets.
        meta: line.label,
        hovertemplate: "%{meta}: %{y:,d}<extra></extra>",
      };
    });
    var layout = {
      margin: { l: 56, r: 16, t: 8, b: 40 },
      height: 340,
      hovermode: "x unified",
      legend: { orientation: "h", y: -0.18 },
      xaxis: { type: "date", tickformat: "%H:%M", hoverformat: "%Y-%m-%d %H:%M" },
      yaxis: axis(chart),
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
    };
    // No mode bar: its buttons' tooltips exist only in English (the wheel ships no plotly
    // locales), and dragging to zoom and double-clicking to reset work without it.
    window.Plotly.react(box, traces, layout, { displayModeBar: false, responsive: true });
    box.setAttribute("data-day", chart.day);
    box.setAttribute("data-points", chart.times.length);
    chartDrawn = true;
  }

  function refreshChart() {
    return request(withAt(config.urls.chart)).then(drawChart, function (error) {
      // The data loop reports the connection; an empty chart says the rest.
      if (!chartDrawn) failed(error);
      throw error;
    });
  }

  // --- acknowledging -------------------------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("live-ack")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    request(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": config.csrf },
    })
      .then(
        function () {
          refresh().catch(function () {});
        },
        function () {
          button.disabled = false;
          setStatus("error", S.acknowledge_failed);
        }
      );
  });

  // --- start ---------------------------------------------------------------------------------

  loop(refresh, config.pollMs);
  loop(refreshChart, config.chartMs);
})();
