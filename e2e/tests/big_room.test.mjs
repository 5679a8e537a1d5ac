// A room with thousands of messages opens at once: only the newest rows are in
// the page, and scrolling up brings older ones in without losing your place.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from '../harness.mjs';

const world = serverAndBrowser(['--actions-per-sec', '100000', '--frames-per-sec', '100000']);

/** Posts `count` messages through a raw socket from inside the page, as Mina. */
async function flood(page, room, count, text = 'message number') {
  await page.evaluate(
    async ({ room, count, text }) => {
      const { token } = JSON.parse(localStorage.getItem('hanmadi.session'));
      const ws = new WebSocket(`ws://${location.host}/ws`);
      await new Promise((resolve) => (ws.onopen = resolve));
      ws.send(JSON.stringify({ type: 'hello', protocol: 1, token }));
      let acked = 0;
      const done = new Promise((resolve) => {
        ws.onmessage = (event) => {
          if (JSON.parse(event.data).type === 'ack' && ++acked === count) resolve();
        };
      });
      for (let n = 1; n <= count; n++) {
        const action = { kind: 'send_message', room, text: `${text} ${n}` };
        ws.send(JSON.stringify({ type: 'action', key: `flood-${text.replaceAll(' ', '-')}-${n}`, action }));
      }
      await done;
      ws.close();
    },
    { room, count, text },
  );
}

test('a room of 3,000 messages renders only the newest and reveals more on scroll', async () => {
  const page = await world.browser.newPage();
  await page.goto(world.server.url);
  await page.getByRole('textbox', { name: 'Name' }).fill('Mina');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'New room' }).click();
  await page.getByRole('textbox', { name: 'Room name' }).fill('busy');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('link', { name: 'busy' }).click();
  const room = Number(new URL(page.url()).pathname.split('/').pop());
  await flood(page, room, 3000);

  await page.reload();
  const log = page.getByRole('log', { name: 'busy' });
  await log.getByRole('article').filter({ hasText: 'message number 3000' }).waitFor({ timeout: 30_000 });
  const rendered = await log.getByRole('article').count();
  assert.ok(rendered <= 200, `only the newest rows are in the page (${rendered})`);

  const scrolls = await log.evaluate((el) => el.scrollHeight > el.clientHeight);
  assert.ok(scrolls, 'the message list scrolls inside the page');
  // Scroll to the top again and again: older messages come in, and the view holds still.
  const articles = log.getByRole('article');
  let more = rendered;
  for (let tries = 0; more <= 200 && tries < 100; tries++) {
    await log.evaluate((el) => (el.scrollTop = 0));
    await page.waitForTimeout(100);
    more = await articles.count();
  }
  assert.ok(more > 200, `scrolling up revealed more (${rendered} → ${more})`);
  await page.waitForFunction((el) => el.scrollTop > 0, await log.elementHandle(), { timeout: 5_000 });

  // Reading history while a new message arrives: the view stays, a button offers the latest.
  await flood(page, room, 1, 'just arrived');
  const jump = page.getByRole('button', { name: 'Jump to latest (1 new)' });
  await jump.click();
  await articles.filter({ hasText: 'just arrived' }).waitFor();
  await jump.waitFor({ state: 'detached' });

  // Back at the latest, the rows far above leave the page again.
  await log.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForFunction(
    (el) => el.querySelectorAll('article').length <= 200,
    await log.elementHandle(),
    { timeout: 10_000 },
  );
  await articles.filter({ hasText: 'message number 3000' }).waitFor();
});
