// SmartExpo gate scanner: the page and its own files from a cache when the network is down.
// Served at …/scanner/sw.js (see checkin/views.py), so it controls only the scanner page.
// Network first: online, the page is always fresh; the API (/api/) is never cached.
"use strict";

var CACHE = "smartexpo-scanner-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  event.respondWith(
    fetch(request)
      .then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) {
            return cache.put(request, copy);
          });
        }
        return response;
      })
      .catch(function () {
        return caches.match(request, { ignoreVary: true, ignoreSearch: true }).then(function (hit) {
          return hit || Response.error();
        });
      })
  );
});
