// Mina's train goes into a tunnel (after a reload on a slow network, left
// before her rooms came). She reloads the page with no network at
// all (not just the socket blocked): the app still opens, from the files its
// service worker kept, with her rooms, the unread count of the room she was
// not reading and the messages she last saw. She writes to Jun; it waits as
// "Sending…" and goes out once when the train comes out, and Jun gets it once;
// what the kept copy left out (who joined) comes back from the server.
//
// Then weeks in the mountains: her session is ended on the server while what
// she wrote waits. Nothing of it can go out as her any more; the app shows her
// every word, in each of her tabs, to copy, and sends none of it under the new
// user she signs in as.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  artifactsDir,
  bothIn,
  collectErrors,
  createRoom,
  nothingWaiting,
  sameSessionElsewhere,
  seriousViolations,
  serverAndBrowser,
  signedInPage,
} from '../harness.mjs';
import { sendOffline } from '../files.mjs';

const world = serverAndBrowser();

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

/** The messages in `room` the server confirmed that hold `text`. */
const messages = (page, room, text) =>
  page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text });

test('a reload with no network opens the app with what was last seen, and what is written then goes once', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'news');
  await bothIn(mina, jun, 'walk');
  const junComposer = jun.getByRole('textbox', { name: 'Message' });
  for (const text of ['Walk at 6?', 'By the river']) {
    await junComposer.fill(text);
    await junComposer.press('Enter');
    await messages(mina, 'walk', text).waitFor();
  }
  const minaComposer = mina.getByRole('textbox', { name: 'Message' });
  await minaComposer.fill('Yes!');
  await minaComposer.press('Enter');
  await messages(jun, 'walk', 'Yes!').waitFor();
  // Something unread in the room she is not reading.
  await jun.getByRole('button', { name: 'Join news' }).click();
  await jun.getByRole('log', { name: 'news' }).waitFor();
  await junComposer.fill('Big news');
  await junComposer.press('Enter');
  await mina.getByRole('link', { name: /news/ }).getByLabel('1 unread').waitFor();
  await jun.getByRole('link', { name: /walk/ }).click();
  await jun.getByRole('log', { name: 'walk' }).waitFor();
  // The service worker has kept the app's files and controls the page.
  await mina.evaluate(async () => {
    await navigator.serviceWorker.ready;
    while (!navigator.serviceWorker.controller) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  // On a slow network she reloads, and leaves again before her rooms come:
  // what she last saw stays kept.
  await mina.route(/\/api\/rooms\?/, () => {});
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await mina.unroute(/\/api\/rooms\?/);

  await mina.context().setOffline(true);
  await mina.reload();
  await messages(mina, 'walk', 'By the river').waitFor({ timeout: 30_000 });
  await messages(mina, 'walk', 'Walk at 6?').waitFor();
  await mina.getByRole('link', { name: /news/ }).getByLabel('1 unread').waitFor();
  assert.notEqual(await mina.getByRole('status').filter({ hasText: 'Connected' }).count(), 1, 'not connected');

  await minaComposer.fill('Running late, 10 min');
  await minaComposer.press('Enter');
  await mina.locator('article.pending').filter({ hasText: 'Running late' }).getByText('Sending…').waitFor();
  // ↑ edits her newest message, and that one is not sent yet: "Yes!" is not it.
  await minaComposer.press('ArrowUp');
  assert.equal(await mina.getByRole('textbox', { name: 'Edit message' }).count(), 0, 'no edit of an older message');

  await mina.context().setOffline(false);
  await messages(jun, 'walk', 'Running late').waitFor({ timeout: 30_000 });
  await messages(mina, 'walk', 'Running late').waitFor({ timeout: 30_000 });
  await nothingWaiting(mina);
  const edit = mina.getByRole('textbox', { name: 'Edit message' });
  assert.equal(await edit.count(), 0, 'the ↑ pressed offline opened nothing once it was sent');
  await minaComposer.press('ArrowUp');
  assert.equal(await edit.inputValue(), 'Running late, 10 min', 'once sent, ↑ edits it');
  await edit.press('Escape');
  // What the kept copy left out comes back from the server: who joined.
  await mina.getByRole('log', { name: 'walk' }).locator('.notice').filter({ hasText: 'Jun joined' }).waitFor();
  // Whatever the reconnect replayed, it is there once, for both.
  await jun.reload();
  await messages(jun, 'walk', 'By the river').waitFor({ timeout: 30_000 });
  assert.equal(await messages(jun, 'walk', 'Running late').count(), 1);
  assert.equal(await messages(mina, 'walk', 'Running late').count(), 1);
  assert.equal(await messages(mina, 'walk', 'By the river').count(), 1);
  for (const page of [mina, jun]) assert.deepEqual(page.errors, []);
});

test('a session ended on the server while messages waited: Mina is shown every word to copy, and none of it goes out under her new user', async () => {
  // axe's script needs the CSP bypassed (see `seriousViolations`).
  const mina = await signedInPage(world.browser, world.server.url, 'Mina', { viewport: { width: 1200, height: 800 }, bypassCSP: true });
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'hike');
  const otherTab = await mina.context().newPage();
  collectErrors(otherTab);
  await otherTab.goto(world.server.url);
  await otherTab.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  const token = await mina.evaluate(() => JSON.parse(localStorage.getItem('hanmadi.session')).token);

  // In the mountains: two messages, one with a file, and a draft wait.
  await mina.context().setOffline(true);
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Summit at noon');
  await composer.press('Enter');
  await mina.locator('article.pending').filter({ hasText: 'Summit at noon' }).getByText('Sending…').waitFor();
  await sendOffline(mina, 'route.txt', 'north ridge', 'The route');
  await composer.fill('Bring\nwarm socks');

  // Her session is ended on the server (signed out on another device).
  const ended = await jun.evaluate(async (token) => {
    const response = await fetch('/api/session', { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    return response.status;
  }, token);
  assert.ok(ended < 300, `the session ended (${ended})`);

  // Back in range: the app cannot get her back in, and shows what was not sent.
  await mina.context().setOffline(false);
  const unsent = [
    'Message in hike\nSummit at noon',
    'Message in hike · files not sent: route.txt\nThe route',
    'Draft in hike\nBring\nwarm socks',
  ];
  for (const page of [mina, otherTab]) {
    const notice = page.getByRole('region', { name: 'Your session ended before these were sent' });
    await notice.waitFor({ timeout: 30_000 });
    const words = notice.getByRole('textbox', { name: 'Your session ended before these were sent' });
    // Each tab adds what it held: the order depends on which found the end first.
    await page.waitForFunction(
      (count) => document.querySelector('.unsent textarea')?.value.split('\n\n').length === count,
      unsent.length,
    );
    assert.deepEqual((await words.inputValue()).split('\n\n').sort(), [...unsent].sort(), 'every waiting word, once');
    assert.equal(await words.getAttribute('readonly'), '', 'to copy, not to edit');
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
  }
  assert.deepEqual(await seriousViolations(mina), []);
  await mina.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await seriousViolations(mina), [], 'in the dark too');
  await mina.screenshot({ path: join(artifactsDir(), 'unsent-notice.png') });
  await mina.emulateMedia({ colorScheme: 'light' });
  await mina.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.server.url });
  const notice = mina.getByRole('region', { name: 'Your session ended before these were sent' });
  const shown = await notice.getByRole('textbox').inputValue();
  await notice.getByRole('button', { name: 'Copy' }).click();
  await notice.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await mina.evaluate(() => navigator.clipboard.readText()), shown);
  // Dismissed in her other tab, it goes in both; there the name is next.
  await otherTab.getByRole('button', { name: 'Dismiss' }).click();
  await notice.waitFor({ state: 'hidden' });
  assert.equal(await otherTab.evaluate(() => document.activeElement?.id), 'first-run-name');
  const kept = await mina.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith('hanmadi.outbox'))
      .map((key) => localStorage.getItem(key)),
  );
  assert.ok(kept.every((json) => json === '[]'), `the outbox kept is emptied: ${kept}`);

  // She signs in again, a new user: the notice goes, and nothing of hers waits or goes out.
  // The page starts over as the new user: nothing the last one's page held
  // (rooms, messages, the rooms its engine followed) is left to show.
  await mina.evaluate(() => { window.lastPersonsPage = true; });
  await mina.getByRole('textbox', { name: 'Name' }).fill('Mina');
  await mina.getByRole('button', { name: 'Continue' }).click();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  assert.equal(await mina.evaluate(() => window.lastPersonsPage), undefined, 'a fresh page');
  await mina.getByRole('button', { name: 'Join hike' }).click();
  await mina.getByRole('log', { name: 'hike' }).waitFor();
  await composer.fill('Back, new phone who dis');
  await composer.press('Enter');
  await messages(jun, 'hike', 'Back, new phone').waitFor({ timeout: 30_000 });
  await nothingWaiting(mina);
  for (const text of ['Summit at noon', 'The route', 'warm socks']) {
    assert.equal(await jun.getByRole('log', { name: 'hike' }).getByText(text).count(), 0, `Jun never got "${text}"`);
    assert.equal(await mina.getByRole('log', { name: 'hike' }).getByText(text).count(), 0, `"${text}" is not drawn as hers`);
  }
  assert.equal(await composer.inputValue(), '', 'the old draft is not in her new box');
  assert.equal(await mina.evaluate(() => localStorage.getItem('hanmadi.unsent')), null);
  for (const page of [mina, otherTab, jun]) assert.deepEqual(page.errors, []);
});

test('written in a tunnel to a room she left on her phone, her messages stay in sight, Not sent: she deletes one, joins again and sends the other', async () => {
  const laptop = await signIn('Mina');
  await createRoom(laptop, 'summit');

  // Her phone: the same person on another device, with the same session.
  const phone = await sameSessionElsewhere(world.browser, world.server.url, laptop);

  // In a tunnel, she writes twice on her laptop; meanwhile she leaves the room on her phone.
  await laptop.context().setOffline(true);
  const composer = laptop.getByRole('textbox', { name: 'Message' });
  const waiting = (text) => laptop.locator('article.pending').filter({ hasText: text });
  for (const text of ['See you at the top', 'Bring snacks']) {
    await composer.fill(text);
    await composer.press('Enter');
    await waiting(text).getByText('Sending…').waitFor();
  }
  await phone.getByRole('link', { name: /summit/ }).click();
  await phone.getByRole('button', { name: /^Members/ }).click();
  await phone.getByRole('button', { name: 'Leave room' }).click();
  await phone.getByRole('button', { name: 'Join summit' }).waitFor();

  // Out of the tunnel, the server refuses both: she is no longer in the
  // room. Her laptop looks into it now, and still shows what she wrote.
  await laptop.context().setOffline(false);
  const join = laptop.getByRole('button', { name: 'Join this room' });
  await join.waitFor({ timeout: 30_000 });
  for (const text of ['See you at the top', 'Bring snacks']) await waiting(text).getByText('Not sent').waitFor({ timeout: 30_000 });
  const hasFocus = (element) => element.evaluate((element) => element === document.activeElement);

  // She deletes one; the focus goes to where she would write: Join.
  await waiting('Bring snacks').getByRole('button', { name: 'Delete' }).click();
  assert.equal(await hasFocus(join), true, 'Delete gives the focus to "Join this room"');
  await waiting('Bring snacks').waitFor({ state: 'detached' });

  // She joins again, and Retry sends the other.
  await join.click();
  await laptop.getByRole('log', { name: 'summit' }).waitFor();
  await waiting('See you at the top').getByRole('button', { name: 'Retry' }).click();
  assert.equal(await hasFocus(composer), true, 'Retry gives the focus to the composer');
  await messages(laptop, 'summit', 'See you at the top').waitFor({ timeout: 30_000 });
  await nothingWaiting(laptop);
  assert.equal(await messages(laptop, 'summit', 'Bring snacks').count(), 0, 'the deleted one never went');
  assert.deepEqual([...laptop.errors, ...phone.errors], [], 'no uncaught errors');
});
