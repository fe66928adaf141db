/* Puente's service worker. Pages: network first, the phone's copy when offline, else the
 * offline page in the learner's language. Static files: cache first. Pictures: cache first,
 * or any saved size of the same picture when offline. Progress queued offline is sent by
 * Background Sync (see puente.js, loaded here for its queue). */
"use strict";
const CONFIG = {{ config|safe }};
importScripts({{ queue_script|safe }});

const CORE = "puente-core-" + CONFIG.version;
const PAGES = "puente-pages";
const SAVED = "puente-saved";
const IMAGES = "puente-images";

// The offline page of a URL's language, or null for a URL outside every language.
function offlinePageFor(url) {
  return CONFIG.offlinePages[url.pathname.split("/")[1]] || null;
}

// Not every language's offline page: ten of them would cost a family on prepaid data ~50 KB.
// The default language's, the language of the pages open now, and later each language the
// family reads in (keepOfflinePageFor).
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const pages = new Set([CONFIG.offlinePages[CONFIG.defaultLanguage]]);
    windows.forEach((client) => {
      const page = offlinePageFor(new URL(client.url));
      if (page) pages.add(page);
    });
    const cache = await caches.open(CORE);
    await cache.addAll([...CONFIG.core, ...pages]);
    await self.skipWaiting();
  })());
});

async function keepOfflinePageFor(url) {
  const page = offlinePageFor(url);
  if (!page) return;
  const cache = await caches.open(CORE);
  if (!(await cache.match(page))) await cache.add(page).catch(() => {});
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((key) => key.startsWith("puente-core-") && key !== CORE)
        .map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

async function offlinePage(url) {
  const page = offlinePageFor(url);
  return (page && (await caches.match(page)))
    || caches.match(CONFIG.offlinePages[CONFIG.defaultLanguage]);
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && (response.headers.get("Content-Type") || "").startsWith("text/html")) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    const saved = await caches.match(request, { ignoreVary: true });
    return saved || (await offlinePage(new URL(request.url))) || Response.error();
  }
}

async function cacheFirst(request, store) {
  const saved = await caches.match(request);
  if (saved) return saved;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(store).then((cache) => cache.put(request, copy));
  }
  return response;
}

// /media/images/name.format-webp.width-320.webp: another format or width of the same picture
// will do when offline.
async function anySizeOf(request) {
  const url = new URL(request.url);
  const stem = url.pathname.split(".format-")[0] + ".";
  for (const name of [SAVED, IMAGES, PAGES]) {
    const cache = await caches.open(name);
    for (const key of await cache.keys()) {
      if (new URL(key.url).pathname.startsWith(stem)) return cache.match(key);
    }
  }
  return null;
}

async function picture(request) {
  try {
    return await cacheFirst(request, IMAGES);
  } catch (error) {
    return (await anySizeOf(request)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/admin/")) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
    if (navigator.onLine) event.waitUntil(keepOfflinePageFor(url));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request, CORE));
  } else if (url.pathname.startsWith("/media/images/")) {
    event.respondWith(picture(request));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "puente-events") event.waitUntil(self.PuenteQueue.flush());
});
