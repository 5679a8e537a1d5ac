// axe-core's checks on the screens a person sees first: the name prompt, a room
// with messages, the members panel and the reconnecting state, in light and
// dark, in English and Korean. Nothing serious or critical may be found.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nothingWaiting, seriousViolations, serverAndBrowser } from '../harness.mjs';

const world = serverAndBrowser();

/** What the page says, per language (from src/i18n.rs). */
const WORDS = {
  'en-US': {
    name: 'Name', continue: 'Continue', newRoom: 'New room', roomName: 'Room name', create: 'Create',
    message: 'Message', members: 'Members', connected: 'Connected', reconnecting: 'Reconnecting…',
  },
  'ko-KR': {
    name: '이름', continue: '계속', newRoom: '새 대화방', roomName: '대화방 이름', create: '만들기',
    message: '메시지', members: '멤버', connected: '연결됨', reconnecting: '다시 연결 중…',
  },
};

for (const colorScheme of ['light', 'dark']) {
  for (const locale of Object.keys(WORDS)) {
    test(`nothing serious for axe: ${locale}, ${colorScheme}`, async () => {
      const words = WORDS[locale];
      // The app's strict CSP would refuse axe's script; it is not what is checked here.
      const viewport = { width: 1200, height: 800 };
      const context = await world.browser.newContext({ colorScheme, locale, viewport, bypassCSP: true });
      const page = await context.newPage();
      const found = {};
      const check = async (screen) => {
        const violations = await seriousViolations(page);
        if (violations.length > 0) found[screen] = violations;
      };

      await page.goto(world.server.url);
      await page.getByRole('textbox', { name: words.name }).waitFor();
      await check('the name prompt');

      await page.getByRole('textbox', { name: words.name }).fill('Mina');
      await page.getByRole('button', { name: words.continue }).click();
      await page.getByRole('status').filter({ hasText: words.connected }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: words.newRoom }).click();
      await page.getByRole('textbox', { name: words.roomName }).fill(`${locale} ${colorScheme}`);
      await page.getByRole('button', { name: words.create, exact: true }).click();
      const composer = page.getByRole('textbox', { name: words.message });
      for (const text of ['hello', '안녕하세요']) {
        await composer.fill(text);
        await composer.press('Enter');
      }
      // Settled: both delivered, no row still "Sending…".
      await page.locator('article[data-seq]').filter({ hasText: '안녕하세요' }).waitFor();
      await nothingWaiting(page);
      await check('a room with messages');

      await page.getByRole('button', { name: new RegExp(`^${words.members} \\(`) }).click();
      await page.getByRole('complementary', { name: words.members, exact: true }).waitFor();
      await check('the members panel');
      await page.keyboard.press('Escape');

      await context.routeWebSocket(/\/ws$/, (ws) => ws.close());
      await page.reload();
      await page.getByRole('status').filter({ hasText: words.reconnecting }).waitFor({ timeout: 15_000 });
      await check('the reconnecting state');

      await context.close();
      assert.deepEqual(found, {}, 'serious or critical violations, by screen');
    });
  }
}

test('axe is really looking: a button with no name is caught', async () => {
  const context = await world.browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(world.server.url);
  await page.getByRole('textbox', { name: 'Name' }).waitFor();
  await page.evaluate(() => document.body.append(document.createElement('button')));
  const violations = await seriousViolations(page);
  await context.close();
  assert.ok(violations.some((violation) => violation.id === 'button-name'), JSON.stringify(violations));
});
