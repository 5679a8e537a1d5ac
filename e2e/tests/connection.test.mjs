// A user's first minute with Hanmadi: the app asks for a name, connects, notices
// the server going away for a deploy, says so, and reconnects on its own when it
// returns; a reload keeps the session.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifactsDir, createRoom, serverAndBrowser, signedInPage, signOut } from '../harness.mjs';

const world = serverAndBrowser();

test('the badge follows the server through a restart', async () => {
  const page = await world.browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(world.server.url);
  await page.getByRole('textbox', { name: 'Name' }).fill('Mina');
  await page.getByRole('button', { name: 'Continue' }).click();
  const badge = page.locator('.connection').getByRole('status');
  await badge.filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(artifactsDir(), 'connected.png') });

  await world.server.stop();
  await badge.filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Retry now' }).waitFor();
  await page.screenshot({ path: join(artifactsDir(), 'reconnecting.png') });
  // "Retry now" goes while the new attempt connects; the focus goes to the word saying how.
  await page.getByRole('button', { name: 'Retry now' }).click();
  await badge.filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 15_000 });
  assert.equal(await badge.evaluate((word) => word === document.activeElement), true, 'the focus is on the badge');

  await world.server.restart();
  await badge.filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  assert.equal(await badge.textContent(), 'Connected');

  await page.reload();
  await badge.filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0, 'no name prompt after a reload');
  await page.getByRole('navigation', { name: 'Rooms' }).waitFor();
  assert.deepEqual(errors, [], 'no uncaught errors on the page');
});

test('on a phone, while the server is away, the state and "Retry now" fit on the screen and the message box stays in view', async () => {
  const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
  const page = await signedInPage(world.browser, world.server.url, 'Mina', phone);
  await createRoom(page, 'design review');
  const badge = page.locator('.connection').getByRole('status');

  await world.server.stop();
  await badge.filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 15_000 });
  const retry = await page.getByRole('button', { name: 'Retry now' }).boundingBox();
  assert.ok(retry && retry.x >= 0 && retry.x + retry.width <= 360, `"Retry now" on the screen: ${JSON.stringify(retry)}`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'nothing to scroll sideways');
  const composer = await page.getByRole('textbox', { name: 'Message' }).boundingBox();
  assert.ok(composer && composer.y + composer.height <= 740, `the message box in view: ${JSON.stringify(composer)}`);
  await page.screenshot({ path: join(artifactsDir(), 'reconnecting-phone.png') });

  await world.server.restart();
  await badge.filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  assert.deepEqual(page.errors, [], 'no uncaught errors');
  await page.context().close();
});

test('a Korean browser gets the app in Korean', async () => {
  const context = await world.browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  await page.goto(world.server.url);
  await page.getByRole('textbox', { name: '이름' }).fill('미나');
  await page.getByRole('button', { name: '계속' }).click();
  await page.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });
  await page.getByRole('navigation', { name: '대화방' }).getByRole('button', { name: '새 대화방' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
  await context.close();
});

test('Minah signs in while the server cannot be reached, then too often: the page says so in Korean, and she is in once it answers', async () => {
  const context = await world.browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  const answers = ['unreachable', 'too many'];
  await page.route(/\/api\/session$/, (route) => {
    const answer = answers.shift();
    if (answer === 'unreachable') return route.abort('internetdisconnected');
    if (answer === 'too many') {
      const body = JSON.stringify({ error: 'too many sign-ups; try again in 7 s' });
      return route.fulfill({ status: 429, headers: { 'retry-after': '7' }, contentType: 'application/json', body });
    }
    return route.continue();
  });
  await page.goto(world.server.url);
  await page.getByRole('textbox', { name: '이름' }).fill('민아');
  const signIn = page.getByRole('button', { name: '계속' });
  await signIn.click();
  await page.getByRole('alert').filter({ hasText: '서버에 연결할 수 없어요' }).waitFor();
  await signIn.click();
  await page.getByRole('alert').filter({ hasText: '7초 뒤에 다시 해 주세요' }).waitFor();
  await signIn.click();
  await page.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });
  await context.close();
});

test('Mina is asked before she signs out, for good, in one tab, and her other tab is signed out too', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  const otherTab = await mina.context().newPage();
  await otherTab.goto(world.server.url);
  await otherTab.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  const token = await mina.evaluate(() => JSON.parse(localStorage.getItem('hanmadi.session')).token);

  // Signing out a name-only guest cannot be undone: she is asked, and Escape keeps her in.
  await mina.getByRole('button', { name: 'Sign out' }).click();
  const question = mina.getByRole('alertdialog', { name: 'Sign out?' });
  await question.waitFor();
  assert.equal(await mina.evaluate(() => document.activeElement?.textContent), 'Cancel', 'a key pressed by mistake keeps her in');
  await mina.keyboard.press('Escape');
  await question.waitFor({ state: 'hidden' });
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor();

  // The server is slow to hear of it: meanwhile the page says so, to her
  // screen reader too, and nothing on it can be used.
  let hear;
  const heard = new Promise((resolve) => (hear = resolve));
  await mina.route(/\/api\/session$/, async (route) => {
    if (route.request().method() === 'DELETE') await heard;
    return route.continue();
  });
  const asked = signOut(mina);
  await mina.getByRole('status').filter({ hasText: 'Signing out…' }).waitFor();
  assert.equal(await mina.locator('.layout').evaluate((layout) => layout.inert), true, 'the page is out of reach');
  hear();
  assert.match(await asked, /can't be undone/);
  assert.doesNotMatch(await asked, /not been sent/, 'nothing of hers waits to be sent');
  // The server ended the session: the other tab's socket is closed and it
  // cannot refresh its way back in.
  await otherTab.getByRole('textbox', { name: 'Name' }).waitFor({ timeout: 30_000 });
  const status = await mina.evaluate(async (token) => {
    const response = await fetch('/api/me', { headers: { Authorization: `Bearer ${token}` } });
    return response.status;
  }, token);
  assert.equal(status, 401, 'the old token no longer works');
  assert.deepEqual(mina.errors, [], 'no uncaught errors');
});

test("Jun's tab slept past his token's life: he changes his name, the token is renewed, and the name is his", async () => {
  const jun = await signedInPage(world.browser, world.server.url, 'Jun');
  const tokenBefore = await jun.evaluate(() => JSON.parse(localStorage.getItem('hanmadi.session')).token);
  // The server refuses the token of the first rename as it refuses an expired one.
  let expired = true;
  await jun.route(/\/api\/me$/, (route) => {
    if (route.request().method() !== 'PATCH' || !expired) return route.continue();
    expired = false;
    const body = JSON.stringify({ error: 'the session token is invalid, expired or signed out' });
    return route.fulfill({ status: 401, contentType: 'application/json', body });
  });
  const refreshes = [];
  jun.on('request', (request) => request.url().endsWith('/api/session/refresh') && refreshes.push(request));

  await jun.getByRole('button', { name: 'Your name: Jun' }).click();
  await jun.getByRole('textbox', { name: 'Your name' }).fill('Junho');
  await jun.keyboard.press('Enter');
  await jun.getByRole('button', { name: 'Your name: Junho' }).waitFor();
  assert.equal(expired, false, 'the first try was refused');
  assert.equal(refreshes.length, 1, 'the token was renewed once');
  const tokenAfter = await jun.evaluate(() => JSON.parse(localStorage.getItem('hanmadi.session')).token);
  assert.notEqual(tokenAfter, tokenBefore, 'the renewed token is kept');
  await jun.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  assert.deepEqual(jun.errors, [], 'no uncaught errors');
});
