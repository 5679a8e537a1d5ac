// Mina's files fill her upload quota. The second half of an album, sent from
// a tunnel, is refused when the train comes out; it stays "Not sent", and why,
// through a reload, without being uploaded again to learn so. Once she deletes
// an older file's message, Retry sends it, once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { attach, countUploads, sendOffline, uploadsReach } from '../files.mjs';
import { bothIn, createRoom, deleteMessage, nothingWaiting, serverAndBrowser, signedInPage } from '../harness.mjs';

const MIB = 1024 * 1024;
// Room for one of the album's 2 MiB halves, not for both.
const world = serverAndBrowser(['--upload-quota-bytes', String(3 * MIB)]);

const messages = (page, room, text) =>
  page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text });

test('a file over the quota stays “Not sent” through a reload, and Retry sends it once she frees space', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  const hoon = await signedInPage(world.browser, world.server.url, 'Hoon');
  await bothIn(mina, hoon, 'album');
  const uploads = countUploads(mina.context());

  // Online, the first half goes.
  await attach(mina, [{ name: 'day1.bin', mimeType: 'application/octet-stream', buffer: randomBytes(2 * MIB) }]);
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('album, day one');
  await composer.press('Enter');
  await messages(hoon, 'album', 'day one').getByRole('link', { name: 'Download day1.bin' }).waitFor({ timeout: 30_000 });

  // The second half, from the tunnel, is refused when the train comes out.
  await mina.context().setOffline(true);
  const waiting = await sendOffline(mina, 'day2.bin', randomBytes(2 * MIB), 'album, day two');
  await mina.context().setOffline(false);
  const overQuota = /^Your files already take .+ of your .+: delete some to upload more$/;
  await waiting.getByText(overQuota).waitFor({ timeout: 30_000 });
  await uploadsReach(uploads, 2);
  assert.equal(uploads.count, 2, 'the first half, and the second once');

  // A reload still says why, and asks the server nothing to learn it.
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await waiting.getByText(overQuota).waitFor({ timeout: 30_000 });
  await mina.waitForTimeout(2000); // time enough for an upload, were one coming
  assert.equal(uploads.count, 2, 'not uploaded again after the reload');

  // She deletes day one's message, which frees its file's space; Retry sends day two.
  const dayOne = messages(mina, 'album', 'day one');
  await deleteMessage(dayOne);
  await messages(hoon, 'album', 'This message was deleted.').waitFor({ timeout: 30_000 });
  await waiting.getByRole('button', { name: 'Retry' }).click();
  assert.equal(await composer.evaluate((field) => field === document.activeElement), true, 'the focus goes to the composer');
  const arrived = messages(hoon, 'album', 'day two');
  await arrived.getByRole('link', { name: 'Download day2.bin' }).waitFor({ timeout: 30_000 });
  await nothingWaiting(mina);
  await hoon.waitForTimeout(1000); // time enough for a second copy, were one coming
  assert.equal(await arrived.count(), 1, 'sent once');
  await uploadsReach(uploads, 3);
  assert.equal(uploads.count, 3, 'and its file uploaded once more, on Retry');
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('on a phone, Delete on a file that stays “Not sent” hands the focus to the room’s messages, not to a keyboard', async () => {
  const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
  const sora = await signedInPage(world.browser, world.server.url, 'Sora', phone);
  await createRoom(sora, 'scans');
  await sora.context().setOffline(true);
  const waiting = await sendOffline(sora, 'scan.bin', randomBytes(4 * MIB), 'all the scans');
  await sora.context().setOffline(false);
  await waiting.getByText(/^Your files already take .+: delete some to upload more$/).waitFor({ timeout: 30_000 });

  await waiting.getByRole('button', { name: 'Delete' }).tap();
  await waiting.waitFor({ state: 'detached' });
  const log = sora.getByRole('log', { name: 'scans' });
  assert.equal(await log.evaluate((log) => log === document.activeElement), true, 'the room’s messages have the focus');
  assert.deepEqual(sora.errors, [], 'no uncaught errors');
});
