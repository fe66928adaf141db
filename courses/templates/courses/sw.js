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
const OFFLINE_PAGES = Object.values(CONFIG.offlinePages);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CORE).then((cache) => cache.addAll([...CONFIG.core, ...OFFLINE_PAGES]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((key) => key.startsWith("puente-core-") && key !== CORE)
        .map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

function offlinePage(url) {
  const language = url.pathname.split("/")[1];
  const page = CONFIG.offlinePages[language] || CONFIG.offlinePages[CONFIG.defaultLanguage];
  return caches.match(page);
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
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request, CORE));
  } else if (url.pathname.startsWith("/media/images/")) {
    event.respondWith(picture(request));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "puente-events") event.waitUntil(self.PuenteQueue.flush());
});
