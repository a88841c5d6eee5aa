// Lodestar service worker: keeps the walkthrough capture page, its script and style, and the
// observer's teachers and framework available offline. Network first, so online is always fresh.
const CACHE = "lodestar-capture-v1";
const OFFLINE_URLS = ["/walkthroughs/new", "/walkthroughs/capture-data", "/js/capture.js", "/css/lodestar.css", "/favicon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const url of OFFLINE_URLS) {
      try {
        const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
        if (response.ok) await cache.put(url, response);
      } catch (error) { /* cached on the next visit */ }
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !OFFLINE_URLS.includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok && !response.redirected) await cache.put(url.pathname, response.clone());
      return response;
    } catch (offline) {
      const cached = await cache.match(url.pathname);
      if (cached) return cached;
      throw offline;
    }
  })());
});
