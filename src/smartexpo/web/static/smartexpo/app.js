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
