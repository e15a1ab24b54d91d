/* 辽宁省直公积金 service worker: caches the app shell only. Pages with member data, uploads,
   materials and the API are network-only and never stored. */
const VERSION = "{{ version }}";
const SHELL = {{ shell|safe }};
const NETWORK_ONLY = {{ network_only|safe }};
const OFFLINE = "{{ offline }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return; // network-only
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    // Pages are never cached; offline, the (data-free) offline page is shown.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
});
