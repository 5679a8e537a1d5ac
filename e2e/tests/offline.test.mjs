// Mina's train goes into a tunnel. She reloads the page with no network at
// all (not just the socket blocked): the app still opens, from the files its
// service worker kept, with her rooms, the unread count of the room she was
// not reading and the messages she last saw. She writes to Jun; it waits as
// "Sending…" and goes out once when the train comes out, and Jun gets it once;
// what the kept copy left out (who joined) comes back from the server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothIn, createRoom, nothingWaiting, serverAndBrowser, signedInPage } from '../harness.mjs';

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

  await mina.context().setOffline(true);
  await mina.reload();
  await messages(mina, 'walk', 'By the river').waitFor({ timeout: 30_000 });
  await messages(mina, 'walk', 'Walk at 6?').waitFor();
  await mina.getByRole('link', { name: /news/ }).getByLabel('1 unread').waitFor();
  assert.notEqual(await mina.getByRole('status').filter({ hasText: 'Connected' }).count(), 1, 'not connected');

  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Running late, 10 min');
  await composer.press('Enter');
  await mina.locator('article.pending').filter({ hasText: 'Running late' }).getByText('Sending…').waitFor();

  await mina.context().setOffline(false);
  await messages(jun, 'walk', 'Running late').waitFor({ timeout: 30_000 });
  await messages(mina, 'walk', 'Running late').waitFor({ timeout: 30_000 });
  await nothingWaiting(mina);
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
