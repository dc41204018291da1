// The report jobs page: while a job is queued or running, poll the jobs' JSON and update each
// row's status, progress and download link in place; stop once none is left to wait for.
// Without JavaScript the page's Refresh link does the same.
(function () {
  "use strict";
  var configNode = document.getElementById("jobs-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var statusNode = document.getElementById("jobs-status");
  var waiting = function (status) { return status === "queued" || status === "running"; };

  function pending() {
    var rows = document.querySelectorAll("tr[data-job]");
    for (var i = 0; i < rows.length; i++) {
      if (waiting(rows[i].getAttribute("data-status"))) return true;
    }
    return false;
  }

  function update(job) {
    var row = document.getElementById("job-" + job.id);
    if (!row) return;
    row.setAttribute("data-status", job.status);
    var status = row.querySelector(".job-status");
    status.textContent = job.status_label + (job.error ? ": " + job.error : "");
    var bar = row.querySelector(".job-progress");
    bar.value = job.percent;
    bar.textContent = job.percent + " %";
    row.querySelector(".job-steps").textContent = job.done + "/" + job.total;
    var file = row.querySelector(".job-file");
    if (job.download && !file.querySelector("a")) {
      var link = document.createElement("a");
      link.href = job.download;
      link.textContent = config.strings.download;
      file.appendChild(link);
    }
  }

  function poll() {
    if (!pending()) return;
    fetch(config.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (body) {
        body.jobs.forEach(update);
        statusNode.textContent = "";
        setTimeout(poll, config.pollMs);
      })
      .catch(function () {
        statusNode.textContent = config.strings.failed;
        setTimeout(poll, config.pollMs * 4);
      });
  }

  setTimeout(poll, config.pollMs);
})();
