/*
 * The portal's service worker (built into dist/sw.js by scripts/service-worker.mjs, which fills in
 * VERSION and PRECACHE). It makes the portal open and the report form fill with no connection:
 * - the app shell (index.html, every hashed asset, the manifest) is cached at install;
 * - hashed assets are served from the cache first (their names change with their content);
 * - the page and the API's GET answers go to the network first and fall back to the last copy.
 * Writes (PUT/POST/PATCH/DELETE) are never touched here: the page's outbox (IndexedDB) queues them
 * with their Idempotency-Key and sends them when the connection is back.
 */
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const SHELL = `thidua-shell-${VERSION}`;
const API = "thidua-api";
const scope = new URL(self.registration.scope);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(["./", "./manifest.webmanifest", ...PRECACHE]))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("thidua-shell-") && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// On a connection that neither answers nor fails (a provincial 2G cell), the last copy is shown
// after this long; the network's answer, if it comes later, still refreshes the cache.
const PATIENCE_MS = 6000;

function networkFirst(request, cacheName, fallbackUrl) {
  const key = fallbackUrl || request;
  const network = fetch(request).then((response) => {
    // A 404 is an answer too: the report form of a period not yet reported reads one, and must open offline.
    if (response.ok || response.status === 404) {
      const copy = response.clone();
      caches.open(cacheName).then((cache) => cache.put(key, copy));
    }
    return response;
  });
  const cachedSoon = new Promise((resolve) => setTimeout(resolve, PATIENCE_MS))
    .then(() => caches.match(key, { ignoreVary: true }));
  return new Promise((resolve, reject) => {
    let settled = false;
    const answer = (response) => {
      if (!settled && response) {
        settled = true;
        resolve(response);
      }
    };
    network.then(answer, async (error) => {
      const cached = await caches.match(key, { ignoreVary: true });
      if (cached) answer(cached);
      else if (!settled) {
        settled = true;
        reject(error);
      }
    });
    cachedSoon.then(answer);
  });
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(SHELL).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (request.mode === "navigate" || path === "" || path === "index.html") {
    event.respondWith(networkFirst(request, SHELL, new URL("./", scope).href));
  } else if (path.startsWith("assets/")) {
    event.respondWith(cacheFirst(request));
  } else if (path.startsWith("v1/") && !path.endsWith("/workbook") && path !== "v1/openapi.json") {
    event.respondWith(networkFirst(request, API));
  }
});
