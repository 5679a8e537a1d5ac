// Mina asks who is bringing the cake and copies a link to her question; 450
// messages later Jun opens the link, which takes him straight to the question
// (loading the history back to it), and answers it. Mina sees the answer with
// a quote of her question; the quote takes her back up to it. When she
// deletes the question, the quote says so. A link opened while the list is
// still scrolling stays at its message too. A link 5,000 messages back opens
// just as well: at the message, lit, with only a window of history drawn,
// after one page of history around it (not the 25 pages between it and the
// newest, a minute's download on a slow phone network), asked for beside the
// room's newest page, not after it; "Jump to latest"
// takes him back. Reading on from a message far back fetches the rest as he
// scrolls down, and every message comes once, in order, with none skipped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothIn, deleteMessage, postMessages, serverAndBrowser, signedInPage } from '../harness.mjs';

const world = serverAndBrowser(['--actions-per-sec', '100000', '--frames-per-sec', '100000']);

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

/**
 * The message in `room`, confirmed by the server, whose own text (not a quote
 * of it) holds `text` (a string), or matches it (a RegExp).
 */
const message = (page, room, text) =>
  page
    .getByRole('log', { name: room })
    .locator('article[data-seq]')
    .filter({ has: page.locator('.message-text', { hasText: text }) });

/**
 * Waits until the message a link opened in `page` has the focus, and a frame
 * or two for anything that would move the view; then whether `locator`'s
 * message is lit and focused, and in the list's view (see `revealed`).
 */
async function revealedOnceFocused(page, locator) {
  await locator.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => document.activeElement?.matches('article[data-highlighted]'));
  await page.waitForTimeout(300);
  return revealed(locator);
}

/** Whether `locator`'s message is lit and has the focus, and is in the list's view. */
const revealed = (locator) =>
  locator.evaluate((row) => {
    const list = row.closest('[role="log"]').getBoundingClientRect();
    const box = row.getBoundingClientRect();
    return {
      lit: row.hasAttribute('data-highlighted'),
      focused: row === document.activeElement,
      inView: box.top >= list.top && box.bottom <= list.bottom,
    };
  });

test('a link to a message 450 back opens it, a reply quotes it, and the quote leads back', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'party');
  await mina.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.server.url });

  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Who is bringing the cake?');
  await composer.press('Enter');
  const question = message(mina, 'party', 'Who is bringing the cake?');
  await question.waitFor();
  await question.click(); // selects it, showing its buttons
  await question.getByRole('button', { name: 'Copy link' }).click();
  await mina.getByRole('status').filter({ hasText: 'Link copied' }).waitFor(); // said to a screen reader
  await question.getByRole('button', { name: 'Link copied' }).waitFor(); // and shown
  const link = await mina.evaluate(() => navigator.clipboard.readText());
  assert.match(link, /\/rooms\/\d+\/messages\/\d+$/, link);

  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  await postMessages(mina, room, 450, 'chatter');
  // Jun, at the bottom, follows the burst to its end.
  await message(jun, 'party', 'chatter 450').waitFor({ timeout: 30_000 });
  const recentSeq = await message(jun, 'party', 'chatter 430').getAttribute('data-seq');

  // Jun follows the link: the room opens at the question, however far back it is.
  await jun.goto(link);
  const asked = message(jun, 'party', 'Who is bringing the cake?');
  await asked.waitFor({ timeout: 30_000 });
  await jun.waitForFunction(() => document.activeElement?.matches('article[data-highlighted]'));
  assert.deepEqual(await revealed(asked), { lit: true, focused: true, inView: true });

  // Reply, change his mind (Escape), then answer for real.
  await asked.getByRole('button', { name: 'Reply' }).click();
  const replying = jun.getByText('Replying to Mina');
  await replying.waitFor();
  const junComposer = jun.getByRole('textbox', { name: 'Message' });
  assert.deepEqual(
    await junComposer.evaluate((field) => [
      field === document.activeElement,
      field
        .getAttribute('aria-describedby')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent)
        .join(' '),
    ]),
    [true, 'Replying to Mina Who is bringing the cake?'],
    'ready to type, and a screen reader hears what the message will answer',
  );
  await junComposer.press('Escape');
  await replying.waitFor({ state: 'detached' });
  await asked.click();
  await asked.getByRole('button', { name: 'Reply' }).click();
  await junComposer.fill('I am! Chocolate.');
  await junComposer.press('Enter');
  await replying.waitFor({ state: 'detached' });

  // Mina, at the bottom, sees the answer with a quote of her question.
  const answer = message(mina, 'party', 'I am! Chocolate.');
  await answer.waitFor({ timeout: 30_000 });
  const quote = answer.getByRole('link', { name: 'In reply to Mina: Who is bringing the cake?' });
  await quote.waitFor();
  assert.equal(await question.count(), 0, 'the question is far out of the window');
  await quote.click();
  await question.waitFor({ timeout: 30_000 });
  await mina.waitForFunction(() => document.activeElement?.matches('article[data-highlighted]'));
  assert.deepEqual(await revealed(question), { lit: true, focused: true, inView: true });
  assert.equal(new URL(mina.url()).pathname, new URL(link).pathname, 'the address is the link to the question');

  // Mina deletes the question: Jun's view of the answer says what it answered is gone.
  await deleteMessage(question);
  await message(jun, 'party', 'I am! Chocolate.')
    .getByRole('link', { name: 'In reply to a deleted message' })
    .waitFor({ timeout: 30_000 });

  // A link to a message only twenty back opens there too: the newest rows
  // are in the page, and the list must not follow past it to the bottom.
  await jun.goto(`${world.server.url}/rooms/${room}/messages/${recentSeq}`);
  const recent = message(jun, 'party', 'chatter 430');
  assert.deepEqual(await revealedOnceFocused(jun, recent), { lit: true, focused: true, inView: true });
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

// A scroll event can land in the very frame that places a linked message: the
// list scrolling as its first rows come, or the reader's wheel. Nothing but
// the reveal may move the view then. Here one lands before every frame's work,
// so the race that once pulled the view to the bottom, just after the message
// was placed, happens on every run instead of one in many.
test('a link Jun opens while his list is still scrolling keeps the message it leads to in view', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'picnic');
  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  await postMessages(mina, room, 100, 'sandwich');
  await message(jun, 'picnic', 'sandwich 100').waitFor({ timeout: 30_000 });
  const seq = await message(jun, 'picnic', 'sandwich 40').getAttribute('data-seq');

  await jun.addInitScript(() => {
    const nextFrame = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (work) =>
      nextFrame((time) => {
        document.querySelector('[role="log"]')?.dispatchEvent(new Event('scroll'));
        work(time);
      });
  });
  await jun.goto(`${world.server.url}/rooms/${room}/messages/${seq}`);
  const linked = message(jun, 'picnic', 'sandwich 40');
  assert.deepEqual(await revealedOnceFocused(jun, linked), { lit: true, focused: true, inView: true });
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test('a link to a message 5,000 back opens at it, lit, without drawing the history between', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'archive');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('The plan, for the record');
  await composer.press('Enter');
  const plan = message(mina, 'archive', 'The plan, for the record');
  await plan.waitFor();
  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  const link = `${world.server.url}/rooms/${room}/messages/${await plan.getAttribute('data-seq')}`;

  // Jun is away while the room says 5,000 more things.
  await jun.goto('about:blank');
  for (let burst = 1; burst <= 10; burst++) await postMessages(mina, room, 500, `later ${burst}`);
  await message(mina, 'archive', 'later 10 500').waitFor({ timeout: 60_000 });

  const pages = historyPagesAsked(jun, room);
  // His tab asks for the page around the plan while the room's newest page
  // is on its way, not a round trip after it: the newest is held back here
  // until the other is asked for (ten seconds at most, then let through).
  const order = [];
  let aroundAsked;
  const asked = new Promise((resolve) => (aroundAsked = resolve));
  await jun.route(
    (url) => url.pathname === `/api/rooms/${room}/messages`,
    async (route) => {
      const search = new URL(route.request().url()).search;
      if (isNewest(search)) {
        await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        order.push('newest let through');
      } else {
        order.push('around asked');
        aroundAsked();
      }
      await route.continue();
    },
  );
  await jun.goto(link);
  const found = message(jun, 'archive', 'The plan, for the record');
  await found.waitFor({ timeout: 30_000 });
  await jun.waitForFunction(() => document.activeElement?.matches('article[data-highlighted]'));
  assert.deepEqual(await revealed(found), { lit: true, focused: true, inView: true });
  assert.ok((await jun.locator('article[data-seq]').count()) < 1000, 'a window of the history, not all of it');
  const around = () => pages.filter((page) => !isNewest(page));
  assert.equal(around().length, 1, `one page around the plan, not every page between: ${pages}`);
  assert.equal(pages.filter(isNewest).length, 1, `the room's newest page once: ${pages}`);
  assert.deepEqual(order, ['around asked', 'newest let through'], 'both pages on their way at once');
  await jun.unrouteAll();

  // "Jump to latest" takes him to the newest at once: they are held already.
  await jun.getByRole('button', { name: 'Jump to latest' }).click();
  await message(jun, 'archive', 'later 10 500').waitFor();
  assert.equal(await found.count(), 0, 'the plan is out of the page');
  assert.equal(pages.length, 2, `nothing more to fetch: ${pages}`);
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test('Jun reads on from a message far back down to the newest, each message once and in order', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'minutes');
  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  await jun.goto('about:blank');
  await postMessages(mina, room, 700, 'item');
  const first = message(mina, 'minutes', 'item 700');
  await first.waitFor({ timeout: 60_000 });
  const seqOf = async (n) => {
    const { token } = await mina.evaluate(() => JSON.parse(localStorage.getItem('hanmadi.session')));
    const page = await mina.evaluate(
      async ({ room, token }) =>
        (await fetch(`/api/rooms/${room}/messages?limit=1&after=0`, { headers: { authorization: `Bearer ${token}` } })).json(),
      { room, token },
    );
    return page.messages[0].seq + (n - 1);
  };

  const pages = historyPagesAsked(jun, room);
  await jun.goto(`${world.server.url}/rooms/${room}/messages/${await seqOf(1)}`);
  const itemOne = message(jun, 'minutes', /^item 1$/);
  assert.deepEqual(await revealedOnceFocused(jun, itemOne), { lit: true, focused: true, inView: true });
  assert.equal(pages.filter((page) => !isNewest(page)).length, 1, `a page of its own, not every page between: ${pages}`);
  const opened = pages.length;

  // He scrolls down, page after page, as far as it goes.
  const list = jun.getByRole('log', { name: 'minutes' });
  const seen = new Set();
  for (let step = 0; step < 60; step++) {
    const shown = await list.evaluate((list) => {
      const items = [...list.querySelectorAll('article[data-seq] .message-text')].map((text) => text.textContent);
      list.scrollTop = list.scrollHeight;
      return items;
    });
    const numbers = shown.map((text) => Number(text.replace('item ', '')));
    for (let i = 1; i < numbers.length; i++) {
      assert.equal(numbers[i], numbers[i - 1] + 1, `side by side as in the room, no hole between: ${numbers.join(',')}`);
    }
    numbers.forEach((n) => seen.add(n));
    if (seen.has(700) && (await list.getAttribute('aria-busy')) === 'false') break;
    await jun.waitForTimeout(150);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 700 }, (_, i) => i + 1), 'every one, once');
  const readOn = pages.slice(opened);
  assert.ok(readOn.length > 0 && readOn.every((page) => page.includes('after=')), `read on with pages after what he had: ${pages}`);
  await jun.getByRole('button', { name: /Jump to latest/ }).waitFor({ state: 'detached' });
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

/** Whether a page of history asked for (its query) is the room's newest. */
const isNewest = (query) => !query.includes('before=') && !query.includes('after=');

/** The pages of `room`'s history `page` asks for from now on, as they are asked. */
function historyPagesAsked(page, room) {
  const asked = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === `/api/rooms/${room}/messages`) asked.push(url.search);
  });
  return asked;
}
