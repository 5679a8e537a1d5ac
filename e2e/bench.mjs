// The web app's figures in real Chromium against the release build: a room of
// 10,000 messages (opening, what the page holds, scrolling back through 2,000
// messages) and typing while the live ticker floods. Prints figures, asserts
// nothing: machines here are shared and noisy. Run through `cargo xtask bench`.

import { launchBrowser, postMessages, Server, signedInPage } from './harness.mjs';

const MESSAGES = 10_000;
const SCROLL_BACK = 2_000;
const FLOOD_RATE = 2_000;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (value) => `${value.toFixed(1)} ms`;
const line = (label, value) => console.log(`  ${label.padEnd(40)}${value}`);

async function createRoom(page, name) {
  await page.getByRole('button', { name: 'New room' }).click();
  await page.getByRole('textbox', { name: 'Room name' }).fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('link', { name }).click();
  await page.getByRole('log', { name }).waitFor();
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
    const room = await createRoom(page, 'busy');
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
  } finally {
    await server.close();
  }
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
    await createRoom(page, 'typing');
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

const browser = await launchBrowser();
try {
  await bigRoom(browser);
  await tickerFlood(browser);
} finally {
  await browser.close();
}
