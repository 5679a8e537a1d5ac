// Mina opens Hanmadi for the first time on a slow phone network. The page
// asks for her name at once, before the app itself has arrived: she types it,
// even presses Continue, and the app carries on from there when it loads (after
// the syllable she is composing, if she types in Korean).
// Someone who has been here before never sees that prompt.
// When the network drops before the app has arrived, the page says so instead
// of leaving a blank page or a Continue pressed for nothing, and loads again on
// Retry or by itself once the browser is back online; when the app is taking
// long, the page says that too, and the app still starts when it comes. An
// error in some other script meanwhile is no failure of the app's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from '../harness.mjs';

const world = serverAndBrowser();

/**
 * Holds `page`'s app (its wasm) back until `arrive()` is called, as a network
 * that takes seconds to bring it would.
 */
async function holdTheApp(page) {
  let arrive;
  const arrived = new Promise((resolve) => (arrive = resolve));
  await page.route(/_bg\.wasm$/, async (route) => {
    await arrived;
    await route.continue();
  });
  return arrive;
}

/**
 * Fails every download of `page`'s app (its wasm, or its script if `file` says
 * so) while `network.down` is true, as a connection that drops would: once
 * `held` has settled, so that the page can be used meanwhile.
 */
async function dropTheApp(page, held = Promise.resolve(), file = /_bg\.wasm$/) {
  const network = { down: true };
  await page.route(file, async (route) => {
    await held;
    await (network.down ? route.abort('internetdisconnected') : route.continue());
  });
  return network;
}

/** The page's word that the app could not be loaded. */
const couldNotLoad = (page, words = 'Hanmadi couldn’t load on this connection.') =>
  page.getByRole('alert').filter({ hasText: words });

/** A newcomer's page, opened with its app held back. Service workers are kept
 * out, so that every request is the network's. */
async function slowApp(contextOptions = {}) {
  const context = await world.browser.newContext({ serviceWorkers: 'block', ...contextOptions });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  const arrive = await holdTheApp(page);
  await page.goto(world.server.url, { waitUntil: 'domcontentloaded' });
  return { page, context, arrive };
}

/** Whether the app's own prompt has taken the place of the first screen. */
const appLoaded = (page) => page.evaluate(() => document.getElementById('first-run-name') !== null);

const connected = (page) => page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });

test('Mina types her name and presses Continue before the app has loaded, and is signed in as soon as it arrives', async () => {
  const { page, context, arrive } = await slowApp();
  const name = page.getByRole('textbox', { name: 'Name' });
  await name.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Name', 'ready to type in');
  await page.keyboard.type('Mina');
  await page.keyboard.press('Enter');
  assert.ok(await page.getByRole('button', { name: 'Continue' }).isDisabled(), 'Continue shows it was pressed');
  assert.equal(await appLoaded(page), false, 'all this before the app had arrived');

  arrive();
  await connected(page);
  await page.getByRole('button', { name: 'Your name: Mina' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0, 'no prompt left behind');
  assert.deepEqual(page.errors, [], 'no uncaught errors');
  await context.close();
});

test('the app arrives while Mina is still typing: its prompt has her letters and her caret, and she finishes there', async () => {
  const { page, context, arrive } = await slowApp();
  await page.getByRole('textbox', { name: 'Name' }).waitFor();
  await page.keyboard.type('Mna');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');

  arrive();
  await page.waitForFunction(() => document.getElementById('first-run-name') !== null, null, { timeout: 30_000 });
  const field = page.getByRole('textbox', { name: 'Name' });
  assert.equal(await field.inputValue(), 'Mna', 'what she typed is still there');
  await page.keyboard.type('i');
  assert.equal(await field.inputValue(), 'Mina', 'her caret was kept, and the field focused');
  await page.keyboard.press('Enter');
  await connected(page);
  await page.getByRole('button', { name: 'Your name: Mina' }).waitFor();
  assert.deepEqual(page.errors, [], 'no uncaught errors');
  await context.close();
});

test('Minah is mid-syllable in Korean when the app arrives: it waits for the syllable, which stays whole', async () => {
  const { page, context, arrive } = await slowApp({ locale: 'ko-KR' });
  await page.getByRole('textbox', { name: '이름' }).waitFor();
  // As a Korean keyboard types: 미 is being composed, not yet committed.
  const ime = await context.newCDPSession(page);
  await ime.send('Input.imeSetComposition', { text: '미', selectionStart: 1, selectionEnd: 1 });

  arrive();
  await page.waitForFunction(() => window.wasmBindings !== undefined, null, { timeout: 30_000 });
  assert.equal(await appLoaded(page), false, 'the app waits while the syllable is composed');
  await ime.send('Input.imeSetComposition', { text: '민', selectionStart: 1, selectionEnd: 1 });
  await ime.send('Input.insertText', { text: '민' });
  await page.waitForFunction(() => document.getElementById('first-run-name') !== null, null, { timeout: 5_000 });
  const field = page.getByRole('textbox', { name: '이름' });
  assert.equal(await field.inputValue(), '민', 'the syllable, whole');
  await ime.send('Input.imeSetComposition', { text: '아', selectionStart: 1, selectionEnd: 1 });
  await ime.send('Input.insertText', { text: '아' });
  assert.equal(await field.inputValue(), '민아', 'typed on in the app’s own field');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '내 이름: 민아' }).waitFor();
  assert.deepEqual(page.errors, [], 'no uncaught errors');
  await context.close();
});

test('someone signed in never sees the first screen, and a Korean browser gets it in Korean', async () => {
  const first = await slowApp({ locale: 'ko-KR' });
  const name = first.page.getByRole('textbox', { name: '이름' });
  await name.waitFor();
  assert.equal(await first.page.evaluate(() => document.documentElement.lang), 'ko');
  await first.page.getByRole('button', { name: '계속' }).waitFor();
  await name.fill('미나');
  first.arrive();
  await first.page.getByRole('button', { name: '계속' }).click();
  await first.page.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });

  // She comes back: while the app is on its way, nothing asks for her name.
  const again = await first.context.newPage();
  const arrive = await holdTheApp(again);
  await again.goto(world.server.url, { waitUntil: 'domcontentloaded' });
  assert.equal(await again.getByRole('textbox', { name: '이름' }).count(), 0, 'no name prompt for her');
  arrive();
  await again.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });
  assert.equal(await again.getByRole('textbox', { name: '이름' }).count(), 0, 'nor once the app has loaded');
  await first.context.close();
});

test('the network drops while the app is on its way: the page says so, and Retry brings it, her name still there', async () => {
  const context = await world.browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  let arrive;
  const network = await dropTheApp(page, new Promise((resolve) => (arrive = resolve)));
  await page.goto(world.server.url, { waitUntil: 'domcontentloaded' });
  await page.getByRole('textbox', { name: 'Name' }).waitFor();
  await page.keyboard.type('Mina');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'You’ll be in as soon as Hanmadi has loaded.' }).waitFor();

  arrive();
  await couldNotLoad(page).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Mina', 'her name is still there');

  network.down = false;
  await couldNotLoad(page).getByRole('button', { name: 'Retry' }).click();
  await connected(page);
  await page.getByRole('button', { name: 'Your name: Mina' }).waitFor();
  assert.equal(await couldNotLoad(page).count(), 0, 'the word is gone with the app loaded');
  await context.close();
});

test('the app’s script cannot be fetched: the page says so, and Retry brings the app', async () => {
  const context = await world.browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const network = await dropTheApp(page, undefined, /hanmadi-[0-9a-f]+\.js$/);
  await page.goto(world.server.url, { waitUntil: 'domcontentloaded' });
  await couldNotLoad(page).waitFor({ timeout: 10_000 });

  network.down = false;
  await couldNotLoad(page).getByRole('button', { name: 'Retry' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill('Mina');
  await page.getByRole('button', { name: 'Continue' }).click();
  await connected(page);
  assert.equal(await couldNotLoad(page).count(), 0, 'the word is gone with the app loaded');
  await context.close();
});

test('another script on the page fails while the app is on its way: nothing says the app could not load, and it starts', async () => {
  const { page, context, arrive } = await slowApp();
  await page.getByRole('textbox', { name: 'Name' }).waitFor();
  // As a browser extension's scripts might, before the app has started.
  const seen = new Promise((resolve) => page.on('pageerror', () => page.errors.length === 2 && resolve()));
  await page.route(/\/an-extension\.js$/, (route) => route.abort('connectionrefused'));
  const missing = page.waitForEvent('requestfailed', (request) => request.url().endsWith('/an-extension.js'));
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.src = '/an-extension.js';
    document.head.append(script);
    setTimeout(() => {
      throw new TypeError('an extension could not read its settings');
    });
    Promise.reject(new Error('an extension could not reach its server'));
  });
  await seen;
  await missing;
  await page.keyboard.type('Mina');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'You’ll be in as soon as Hanmadi has loaded.' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'no word of a failed load');

  arrive();
  await connected(page);
  await page.getByRole('button', { name: 'Your name: Mina' }).waitFor();
  await context.close();
});

test('Minah has been here before: her app fails to arrive, the page says so in Korean, and loads itself once she is back online', async () => {
  const context = await world.browser.newContext({ serviceWorkers: 'block', locale: 'ko-KR' });
  const page = await context.newPage();
  await page.goto(world.server.url);
  await page.getByRole('textbox', { name: '이름' }).fill('민아');
  await page.getByRole('button', { name: '계속' }).click();
  await page.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });

  const network = await dropTheApp(page);
  await page.reload({ waitUntil: 'domcontentloaded' });
  const failure = couldNotLoad(page, '이 연결로는 한마디를 불러오지 못했어요.');
  await failure.waitFor({ timeout: 10_000 });
  await failure.getByRole('button', { name: '다시 시도' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: '이름' }).count(), 0, 'no name prompt for her');

  await context.setOffline(true);
  network.down = false;
  await context.setOffline(false);
  await page.getByRole('status').filter({ hasText: '연결됨' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '내 이름: 민아' }).waitFor();
  assert.equal(await failure.count(), 0);
  await context.close();
});

test('the app takes long to arrive: after a while the page says so and offers Retry, and the app still starts when it comes', async () => {
  const { page, context, arrive } = await slowApp();
  await page.getByRole('textbox', { name: 'Name' }).waitFor();
  await page.keyboard.type('Mina');
  await page.keyboard.press('Enter');
  const slow = page.getByRole('alert').filter({ hasText: 'Hanmadi is taking long to load on this connection.' });
  await slow.waitFor({ timeout: 20_000 });
  await slow.getByRole('button', { name: 'Retry' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Mina', 'her name is still there');

  arrive();
  await connected(page);
  await page.getByRole('button', { name: 'Your name: Mina' }).waitFor();
  assert.equal(await slow.count(), 0, 'the word is gone with the app loaded');
  assert.deepEqual(page.errors, [], 'no uncaught errors');
  await context.close();
});
