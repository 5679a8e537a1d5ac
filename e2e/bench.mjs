// The web app's figures in real Chromium against the release build: opening
// the app on a slow phone network, a room of 10,000 messages (opening, what the
// page holds, scrolling back through 2,000 messages, a link to its first
// message opened on the slow network) and typing while the live ticker floods.
// Prints figures, asserts nothing: machines here are shared and noisy. Run
// through `cargo xtask bench`.

import { createRoom, launchBrowser, postMessages, Server, signedInPage } from './harness.mjs';

const MESSAGES = 10_000;
const SCROLL_BACK = 2_000;
const FLOOD_RATE = 2_000;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (value) => `${value.toFixed(1)} ms`;
const line = (label, value) => console.log(`  ${label.padEnd(40)}${value}`);

/** Creates a room (which opens it) and returns its id, from the address. */
async function createRoomWithId(page, name) {
  await createRoom(page, name);
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/** Starts counting animation frames and long tasks in the page. */
const startRecording = (page) =>
  page.evaluate(() => {
    const record = { frames: [], longTasks: 0, longTaskMs: 0, running: true };
    window.record = record;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        record.longTasks++;
        record.longTaskMs += entry.duration;
      }
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (now) => {
      record.frames.push(now - last);
      last = now;
      if (record.running) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });

const stopRecording = (page) =>
  page.evaluate(() => {
    window.record.running = false;
    const { frames, longTasks, longTaskMs } = window.record;
    return { frames, longTasks, longTaskMs };
  });

async function bigRoom(browser) {
  const server = await Server.start(['--actions-per-sec', '100000', '--frames-per-sec', '100000']);
  try {
    const page = await signedInPage(browser, server.url, 'Mina');
    const room = await createRoomWithId(page, 'busy');
    const posting = performance.now();
    await postMessages(page, room, MESSAGES);
    const postSeconds = (performance.now() - posting) / 1000;

    const opening = performance.now();
    await page.reload();
    const log = page.getByRole('log', { name: 'busy' });
    await log.getByRole('article').filter({ hasText: `message number ${MESSAGES}` }).waitFor({ timeout: 60_000 });
    const openMs = performance.now() - opening;
    const held = await log.evaluate((el) => ({
      rows: el.querySelectorAll('article').length,
      elements: document.querySelectorAll('*').length,
      heap: performance.memory?.usedJSHeapSize ?? NaN,
    }));

    await startRecording(page);
    const scroll = await log.evaluate(async (el, target) => {
      const inView = () => {
        const middle = el.getBoundingClientRect().top + el.clientHeight / 2;
        const row = [...el.querySelectorAll('article')].find((a) => a.getBoundingClientRect().bottom > middle);
        return Number(row.querySelector('.message-text').textContent.match(/(\d+)$/)?.[1] ?? Infinity);
      };
      const started = performance.now();
      let steps = 0;
      let moves = 0;
      let first = el.querySelector('article');
      let most = 0;
      while (inView() > target && steps < 5_000) {
        el.scrollBy(0, -300);
        await new Promise((resolve) => setTimeout(resolve, 16));
        steps++;
        if (el.querySelector('article') !== first) moves++;
        first = el.querySelector('article');
        most = Math.max(most, el.querySelectorAll('article').length);
      }
      return { steps, moves, most, seconds: (performance.now() - started) / 1000, reached: inView() };
    }, MESSAGES - SCROLL_BACK);
    const frames = await stopRecording(page);

    console.log(`\nA room of ${MESSAGES.toLocaleString('en')} messages`);
    line('posted through one socket', `${postSeconds.toFixed(1)} s (${Math.round(MESSAGES / postSeconds)} msg/s, acked)`);
    line('reload to newest message shown', ms(openMs));
    line('messages in the page / in the room', `${held.rows} / ${MESSAGES} (${((100 * held.rows) / MESSAGES).toFixed(1)}%)`);
    line('elements in the whole page', `${held.elements}`);
    line('JS heap', `${(held.heap / 2 ** 20).toFixed(1)} MiB`);
    line(`scrolled back ${SCROLL_BACK.toLocaleString('en')} messages`, `to #${scroll.reached} in ${scroll.steps} steps of 300 px, ${scroll.seconds.toFixed(1)} s`);
    line('window moves / most rows at once', `${scroll.moves} / ${scroll.most}`);
    line('frame interval p50 / p95 / max', `${ms(percentile(frames.frames, 50))} / ${ms(percentile(frames.frames, 95))} / ${ms(Math.max(...frames.frames))}`);
    line('long tasks (> 50 ms) while scrolling', `${frames.longTasks} (${ms(frames.longTaskMs)} in all)`);
    await linkFarBack(page, room);
  } finally {
    await server.close();
  }
}

/**
 * A link to the room's first message, 10,000 back, opened in a new tab on the
 * slow network: how long until it is shown, and the pages of history asked
 * for. Beside it, the pages the app asked for before it held history in
 * stretches (the 200 before the oldest held, back to the message), fetched
 * the same way in the same tab.
 */
async function linkFarBack(page, room) {
  const firstSeq = await page.evaluate(async (room) => {
    const { token } = JSON.parse(localStorage.getItem('hanmadi.session'));
    const headers = { authorization: `Bearer ${token}` };
    return (await (await fetch(`/api/rooms/${room}/messages?limit=1&after=0`, { headers })).json()).messages[0].seq;
  }, room);
  const url = new URL(page.url());
  await page.close(); // as a link opened later: no open tab hands it a socket
  const tab = await page.context().newPage();
  await slowNetwork(tab);
  const shown = tab.getByRole('log', { name: 'busy' }).locator('.message-text', { hasText: /^message number 1$/ });
  const linkMs = await timeToReady(tab, `${url.origin}/rooms/${room}/messages/${firstSeq}`, () => shown.waitFor({ timeout: 120_000 }));
  // The pages of history the app asked for, by their encoded size.
  const asked = await tab.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((entry) => new URL(entry.name).pathname.endsWith('/messages'))
      .map((entry) => entry.encodedBodySize),
  );
  const before = await tab.evaluate(
    async ({ room, firstSeq }) => {
      const { token } = JSON.parse(localStorage.getItem('hanmadi.session'));
      const headers = { authorization: `Bearer ${token}` };
      const earlier = performance.getEntriesByType('resource').length;
      const started = performance.now();
      let oldest = null;
      while (oldest === null || oldest > firstSeq) {
        const from = oldest === null ? '' : `&before=${oldest}`;
        const limit = oldest === null ? 50 : 200;
        const page = await (await fetch(`/api/rooms/${room}/messages?limit=${limit}${from}`, { headers })).json();
        oldest = Math.min(...page.messages.map((message) => message.seq));
        if (page.complete) break;
      }
      const elapsed = performance.now() - started;
      const entries = performance.getEntriesByType('resource').slice(earlier);
      return { pages: entries.length, bytes: entries.reduce((sum, entry) => sum + entry.encodedBodySize, 0), ms: elapsed };
    },
    { room, firstSeq },
  );
  await tab.close();
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log('\nA link to the first of those 10,000 messages, opened on the slow network');
  line('message shown', `${ms(linkMs)}, after ${asked.length} pages of history (${kib(asked.reduce((a, b) => a + b, 0))})`);
  line('every page between, as before', `${before.pages} pages (${kib(before.bytes)}) in ${ms(before.ms)}: ${(before.ms / linkMs).toFixed(1)}× as long`);
}

/** Keydown to the next animation frame, for `count` keys typed into the composer. */
async function typingDelays(page, count) {
  await page.evaluate(() => {
    window.typingDelays = [];
    document.getElementById('composer').addEventListener('keydown', (event) => {
      const pressed = event.timeStamp;
      requestAnimationFrame(() => window.typingDelays.push(performance.now() - pressed));
    });
  });
  await page.getByRole('textbox', { name: 'Message' }).focus();
  await page.keyboard.type('a'.repeat(count), { delay: 25 });
  await page.waitForTimeout(100);
  return page.evaluate(() => window.typingDelays);
}

/** Ticker DOM writes and painted frames per second, over `seconds`. */
const tickerActivity = (page, seconds) =>
  page.evaluate(async (seconds) => {
    const ticker = document.querySelector('[aria-label="Live ticker"]');
    let writes = 0;
    const observer = new MutationObserver((records) => (writes += records.length));
    observer.observe(ticker, { subtree: true, childList: true, characterData: true });
    let frames = 0;
    let running = true;
    const frame = () => {
      frames++;
      if (running) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    running = false;
    observer.disconnect();
    return { writes: writes / seconds, frames: frames / seconds };
  }, seconds);

async function typingWhileTicking(browser, rate) {
  const server = await Server.start(['--ticker-rate', String(rate)]);
  try {
    const page = await signedInPage(browser, server.url, 'Jun');
    await createRoomWithId(page, 'typing');
    await page.getByRole('region', { name: 'Live ticker' }).getByRole('listitem').nth(10).waitFor();
    const activity = await tickerActivity(page, 5);
    const delays = await typingDelays(page, 120);
    return { activity, delays };
  } finally {
    await server.close();
  }
}

async function tickerFlood(browser) {
  const calm = await typingWhileTicking(browser, 20);
  const flood = await typingWhileTicking(browser, FLOOD_RATE);
  const p = (run, n) => percentile(run.delays, n);
  console.log(`\nTyping while the ticker floods (${FLOOD_RATE} updates/s against 20/s)`);
  line('ticker DOM writes per second', `${Math.round(flood.activity.writes)} at ${FLOOD_RATE}/s (${(flood.activity.writes / FLOOD_RATE).toFixed(2)} per update); ${Math.round(calm.activity.writes)} at 20/s`);
  line('frames painted per second', `${Math.round(flood.activity.frames)} flooded, ${Math.round(calm.activity.frames)} calm`);
  line('keydown to next frame p50 / p95', `calm ${ms(p(calm, 50))} / ${ms(p(calm, 95))}, flooded ${ms(p(flood, 50))} / ${ms(p(flood, 95))}`);
  line('flooded ÷ calm (p95)', `${(p(flood, 95) / p(calm, 95)).toFixed(2)}×`);
}

/** A slow phone network, as Chromium's own throttling makes it: 400 kbit/s
 * down, 200 up, 400 ms round trip, nothing cached. */
async function slowNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 400,
    downloadThroughput: (400 * 1000) / 8,
    uploadThroughput: (200 * 1000) / 8,
  });
}

/** Milliseconds from navigation until `ready` resolves. */
async function timeToReady(page, url, ready) {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready();
  return performance.now() - started;
}

/** What was downloaded: encoded bytes per type of file (API calls aside). */
const downloaded = (page) =>
  page.evaluate(() => {
    const bytes = {};
    for (const entry of performance.getEntriesByType('resource')) {
      const file = new URL(entry.name).pathname.split('/').pop();
      if (!file.includes('.')) continue;
      const type = file.split('.').pop();
      bytes[type] = (bytes[type] ?? 0) + entry.encodedBodySize;
    }
    return bytes;
  });

async function coldOpen(browser) {
  const server = await Server.start();
  const runs = { firstVisit: [], appLoaded: [], signedIn: [], returning: [] };
  let bytes = {};
  try {
    for (let run = 0; run < 3; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await slowNetwork(page);
      // She types her name as soon as she can and presses Continue: the
      // first screen takes it before the app has loaded, and the app signs
      // her in when it has.
      const name = page.getByRole('textbox', { name: 'Name' });
      const started = performance.now();
      runs.firstVisit.push(await timeToReady(page, server.url, () => name.waitFor({ timeout: 60_000 })));
      await name.fill('Mina');
      await page.getByRole('button', { name: 'Continue' }).click();
      // The loader (Trunk.toml's pattern_script) sets wasmBindings once the app has started.
      await page.waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: 60_000 });
      runs.appLoaded.push(performance.now() - started);
      await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 60_000 });
      runs.signedIn.push(performance.now() - started);
      bytes = await downloaded(page);
      // She comes back later: her tab was closed (an open one would hand the
      // new tab its socket), the session is saved, nothing is in the HTTP
      // cache; what the service worker kept is used, as it would be.
      await page.close();
      const again = await context.newPage();
      await slowNetwork(again);
      const connected = again.getByRole('status').filter({ hasText: 'Connected' });
      runs.returning.push(await timeToReady(again, server.url, () => connected.waitFor({ timeout: 60_000 })));
      await context.close();
    }
  } finally {
    await server.close();
  }
  const median = (values) => percentile(values, 50);
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log('\nCold open on a slow phone network (400 kbit/s down, 200 up, 400 ms RTT, no cache; median of 3)');
  line('first visit: name field typeable', `${ms(median(runs.firstVisit))} (target ≤ 4000 ms)`);
  line('first visit: the app loaded', ms(median(runs.appLoaded)));
  line('first visit: signed in, "Connected"', ms(median(runs.signedIn)));
  line('returning: "Connected" shown', `${ms(median(runs.returning))} (target ≤ 4000 ms)`);
  line('downloaded (encoded)', Object.entries(bytes).map(([type, n]) => `${type} ${kib(n)}`).join(', '));
}

// `node bench.mjs [cold-open] [big-room] [ticker]` runs those only; no names, all.
const sections = { 'cold-open': coldOpen, 'big-room': bigRoom, ticker: tickerFlood };
const wanted = process.argv.slice(2);
const browser = await launchBrowser();
try {
  for (const [name, run] of Object.entries(sections)) {
    if (wanted.length === 0 || wanted.includes(name)) await run(browser);
  }
} finally {
  await browser.close();
}
