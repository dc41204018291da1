// SmartExpo progressive enhancements. Pages work without this file.
(function () {
  "use strict";
  // htmx may have changed the address (live search pushes ?q=…); switch language on the
  // page as it is now, not as it was first rendered.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("langswitch")) {
      var next = form.querySelector('input[name="next"]');
      if (next) next.value = window.location.pathname + window.location.search;
    }
  });
})();

// Floor plans that zoom and pan (figure[data-zoom] > svg): pinch and drag on a touch screen,
// the wheel and drag with a mouse, the +/−/reset buttons (and +, −, 0 and the arrow keys on
// the plan) by keyboard. Only the SVG's viewBox changes, so the drawing stays sharp and its
// links keep working; without this script the plan is simply drawn whole.
(function () {
  "use strict";
  var MAX_ZOOM = 8;
  var STEP = 1.5;

  function zoomable(figure) {
    var svg = figure.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    var b = svg.viewBox.baseVal;
    var base = { x: b.x, y: b.y, w: b.width, h: b.height };
    var view = { x: base.x, y: base.y, w: base.w, h: base.h };

    function apply() {
      // Never smaller than the whole plan nor larger than MAX_ZOOM, never off the plan.
      view.w = Math.min(base.w, Math.max(base.w / MAX_ZOOM, view.w));
      view.h = view.w * base.h / base.w;
      view.x = Math.min(base.x + base.w - view.w, Math.max(base.x, view.x));
      view.y = Math.min(base.y + base.h - view.h, Math.max(base.y, view.y));
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (n) {
        return Math.round(n * 1000) / 1000;
      }).join(" "));
      figure.setAttribute("data-scale", (base.w / view.w).toFixed(2));
    }

    // A point of the screen in the plan's metres (the SVG may be letterboxed in its box).
    function toPlan(clientX, clientY) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
      var p = svg.createSVGPoint();
      p.x = clientX;
      p.y = clientY;
      return p.matrixTransform(matrix.inverse());
    }

    function zoomAt(factor, point) {
      var w = Math.min(base.w, Math.max(base.w / MAX_ZOOM, view.w / factor));
      var ratio = w / view.w;
      view.x = point.x - (point.x - view.x) * ratio;
      view.y = point.y - (point.y - view.y) * ratio;
      view.w = w;
      apply();
    }

    function centre() {
      return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
    }

    function metresPerPixel() {
      var rect = svg.getBoundingClientRect();
      // Under "meet" the drawing fits the tighter of the two directions.
      return Math.max(view.w / (rect.width || 1), view.h / (rect.height || 1));
    }

    function panBy(dxPixels, dyPixels) {
      var scale = metresPerPixel();
      view.x -= dxPixels * scale;
      view.y -= dyPixels * scale;
      apply();
    }

    function reset() {
      view = { x: base.x, y: base.y, w: base.w, h: base.h };
      apply();
    }

    var tools = figure.querySelector(".plan-tools");
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("[data-zoom-action]");
        if (!button) return;
        var action = button.getAttribute("data-zoom-action");
        if (action === "in") zoomAt(STEP, centre());
        else if (action === "out") zoomAt(1 / STEP, centre());
        else reset();
      });
    }

    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      zoomAt(Math.exp(-delta * 0.002), toPlan(event.clientX, event.clientY));
    }, { passive: false });

    // Pointers down on the plan: one drags, two pinch. A drag only starts past a few pixels,
    // so that a tap or a click on a booth still follows its link.
    var pointers = new Map();
    var dragged = false;
    var pinch = null;

    function pinchState() {
      var points = Array.from(pointers.values());
      var dx = points[0].x - points[1].x;
      var dy = points[0].y - points[1].y;
      return {
        distance: Math.hypot(dx, dy) || 1,
        x: (points[0].x + points[1].x) / 2,
        y: (points[0].y + points[1].y) / 2,
      };
    }

    svg.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0) return;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY, startX: event.clientX, startY: event.clientY });
      if (pointers.size === 1) dragged = false;
      pinch = pointers.size === 2 ? pinchState() : null;
    });

    svg.addEventListener("pointermove", function (event) {
      var pointer = pointers.get(event.pointerId);
      if (!pointer) return;
      var dx = event.clientX - pointer.x;
      var dy = event.clientY - pointer.y;
      pointer.x = event.clientX;
      pointer.y = event.clientY;
      if (pointers.size >= 2 && pinch) {
        var now = pinchState();
        zoomAt(now.distance / pinch.distance, toPlan(now.x, now.y));
        panBy(now.x - pinch.x, now.y - pinch.y);
        pinch = now;
        dragged = true;
        return;
      }
      if (!dragged && Math.hypot(event.clientX - pointer.startX, event.clientY - pointer.startY) < 5) return;
      if (!dragged) {
        dragged = true;
        figure.classList.add("dragging");
        try { svg.setPointerCapture(event.pointerId); } catch (e) { /* already released */ }
      }
      panBy(dx, dy);
    });

    function release(event) {
      pointers.delete(event.pointerId);
      pinch = pointers.size === 2 ? pinchState() : null;
      if (!pointers.size) figure.classList.remove("dragging");
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);

    // A link dragged on the plan pans it; it is not dragged out as an address.
    svg.addEventListener("dragstart", function (event) { event.preventDefault(); });

    // The click that ends a drag is not a click on the booth it ended over.
    svg.addEventListener("click", function (event) {
      if (dragged) {
        event.preventDefault();
        event.stopPropagation();
        dragged = false;
      }
    }, true);

    figure.addEventListener("keydown", function (event) {
      // From the buttons or a booth of the plan; arrows scroll the page until it is zoomed.
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var step = 40;
      var zoomed = view.w < base.w;
      switch (event.key) {
        case "+": case "=": zoomAt(STEP, centre()); break;
        case "-": case "_": zoomAt(1 / STEP, centre()); break;
        case "0": reset(); break;
        case "ArrowLeft": if (!zoomed) return; panBy(step, 0); break;
        case "ArrowRight": if (!zoomed) return; panBy(-step, 0); break;
        case "ArrowUp": if (!zoomed) return; panBy(0, step); break;
        case "ArrowDown": if (!zoomed) return; panBy(0, -step); break;
        default: return;
      }
      event.preventDefault();
    });
    apply();
  }

  function init() {
    document.querySelectorAll("figure[data-zoom]").forEach(zoomable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
