// Hanmadi's service worker: keeps the app's built files, so a reload with no
// network still opens the app. The app then shows what was last seen (kept in
// localStorage, see src/last_seen.rs) and queues what is typed, as always.
//
// - The page itself (any navigation: `/`, `/rooms/7`, …) comes from the
//   network when it answers, so a new deploy is picked up on the next load;
//   offline, the page kept last time is served.
// - Trunk's files carry a hash in their names and never change: served from
//   the cache once kept. The page names them, so on install and on every fresh
//   page the ones it names are kept and the older ones dropped.
// - The API, the socket and anything from elsewhere are never touched.
//
// Plain JavaScript, not Rust: a service worker runs before and apart from the
// app, and this one is small.

const CACHE = 'hanmadi-app';
const PAGE = '/';

/** The same-origin files `html` names: its script, wasm, styles and icon. */
function filesNamedIn(html) {
  const names = new Set();
  for (const [, path] of html.matchAll(/["'](\/[^"'\s?#]+\.(?:js|wasm|css|svg|png|ico))["']/g)) names.add(path);
  return [...names];
}

/**
 * Keeps `page` and drops kept files it no longer names. With `fetchNamed`,
 * also fetches the files it names that are not kept yet: on install, when the
 * page's own requests went by before this worker. A navigation leaves them
 * to the page's own requests, which `file` keeps, so that on a slow network
 * a new wasm is not downloaded twice at once.
 */
async function keepPage(cache, page, fetchNamed) {
  const html = await page.clone().text();
  const named = filesNamedIn(html);
  await cache.put(PAGE, page);
  if (fetchNamed) await Promise.all(named.map(async (path) => (await cache.match(path)) || cache.add(path)));
  const wanted = new Set([PAGE, ...named]);
  for (const request of await cache.keys()) {
    if (!wanted.has(new URL(request.url).pathname)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const page = await fetch(PAGE, { cache: 'no-cache' });
      if (page.ok) await keepPage(await caches.open(CACHE), page, true);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/**
 * A navigation: the network's page, else the kept one. The network's is
 * answered at once and kept meanwhile: the page (its first screen) must not
 * wait on keeping it.
 */
async function page(event) {
  const cache = await caches.open(CACHE);
  try {
    const fresh = await fetch(event.request);
    if (fresh.ok) event.waitUntil(keepPage(cache, fresh.clone(), false));
    return fresh;
  } catch (offline) {
    const kept = await cache.match(PAGE);
    if (kept) return kept;
    throw offline;
  }
}

/** One of the app's files: the kept copy, else the network's. */
async function file(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const fresh = await fetch(request);
  if (fresh.ok) await cache.put(request, fresh.clone());
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(event));
  } else if (/^\/[^/]+\.(?:js|wasm|css|svg|png|ico)$/.test(url.pathname) && url.pathname !== '/sw.js') {
    event.respondWith(file(request));
  }
});
