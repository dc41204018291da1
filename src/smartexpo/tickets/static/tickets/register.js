// The registration form's days follow the chosen ticket type: a pass ticks and locks its own
// days; a day that is full or not on sale for the type is locked, with the reason. The server
// draws the same states for the type it shows as chosen, and treats a pass as covering its
// days whatever is sent, so the page works without this file.
(function () {
  "use strict";
  var source = document.getElementById("register-days");
  var select = document.getElementById("id_ticket_type");
  if (!source || !select) return;
  var states = JSON.parse(source.textContent);
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="days"]'));

  function note(box, text) {
    var label = box.closest("label");
    var span = label.querySelector(".note");
    if (!text) {
      if (span) span.remove();
      return;
    }
    if (!span) {
      span = document.createElement("span");
      span.className = "muted note";
      label.appendChild(document.createTextNode(" "));
      label.appendChild(span);
    }
    span.textContent = text;
  }

  function draw() {
    var type = states.types[select.value];
    boxes.forEach(function (box) {
      var state = type ? type.days[box.value] || "off" : "open";
      var passed = Boolean(type && type.all_days && state !== "off");
      if (passed) {
        box.checked = true;
        box.dataset.byPass = "1";
      } else if (state !== "open" || box.dataset.byPass) {
        // A day the type cannot have, or one the previous type (a pass) ticked by itself.
        box.checked = false;
        delete box.dataset.byPass;
      }
      box.disabled = passed || state !== "open";
      note(box, state !== "open" ? states.notes[state] : passed ? states.notes.pass : "");
    });
  }

  select.addEventListener("change", draw);
  draw();
})();
