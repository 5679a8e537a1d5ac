// Jun asks Mina and 소라 to lunch: typing "@" offers the room's people, "mi"
// narrows it to Mina, in hand whoever was before (Enter picks her), "ㅅ" finds 소라 by her initial
// consonant (Tab picks her). Mina, reading another room, sees "1 mention" by
// the lunch room, still there after a reload; the message shows both as chips,
// hers lit and read out as mentioning her. When 소라 renames herself Sora, the
// chip follows: the message stored who she is, not what she was called. Found
// by search, it reads with names too, and searching her name finds it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoom, serverAndBrowser, seriousViolations, signedInPage } from '../harness.mjs';

const world = serverAndBrowser();

// axe's script needs the app's CSP bypassed; the story itself does not.
const signIn = (name) =>
  signedInPage(world.browser, world.server.url, name, { viewport: { width: 1200, height: 800 }, bypassCSP: true });

/** The message in `room`, confirmed by the server, that holds `text`. */
const message = (page, room, text) =>
  page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text });

const join = async (page, room) => {
  await page.getByRole('button', { name: `Join ${room}` }).click();
  await page.getByRole('log', { name: room }).waitFor();
};

test('mentions are picked from the room by name or initials, counted for her, and follow a rename', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sora = await signIn('소라');
  await createRoom(mina, 'desk');
  await createRoom(mina, 'lunch');
  await join(jun, 'lunch');
  await join(sora, 'lunch');
  // Mina goes back to her desk: what is said at lunch is unread for her.
  await mina.getByRole('link', { name: 'desk' }).click();
  await mina.getByRole('log', { name: 'desk' }).waitFor();

  const composer = jun.getByRole('textbox', { name: 'Message' });
  const list = jun.getByRole('listbox', { name: 'Mention' });
  await composer.pressSequentially('Lunch, @');
  await list.waitFor();
  assert.deepEqual(await list.getByRole('option').allTextContents(), ['Mina', '소라'], 'everyone but Jun');
  assert.deepEqual(await seriousViolations(jun), [], 'the open list passes axe');
  await composer.press('ArrowDown'); // 소라 in hand, until he types on
  await composer.pressSequentially('mi');
  assert.deepEqual(await list.getByRole('option').allTextContents(), ['Mina']);
  const active = await composer.getAttribute('aria-activedescendant');
  assert.equal(await jun.locator(`#${active}`).textContent(), 'Mina', 'the narrowed list’s first, heard by a screen reader');
  await composer.press('Enter'); // picks, does not send
  await list.waitFor({ state: 'detached' });
  await composer.pressSequentially('and @ㅅ');
  assert.deepEqual(await list.getByRole('option').allTextContents(), ['소라'], 'found by her initial consonant');
  await composer.press('Tab');
  assert.equal(await composer.inputValue(), 'Lunch, @Mina and @소라 ');
  await composer.pressSequentially('at noon? @nobody');
  await composer.press('Enter');

  const said = 'Lunch, @Mina and @소라 at noon? @nobody';
  await message(jun, 'lunch', 'at noon?').waitFor();
  assert.equal(await message(jun, 'lunch', 'at noon?').locator('.message-text').innerText(), said);

  // Mina, in another room, sees the mention counted apart, and after a reload too.
  const mentionCount = mina.getByRole('link', { name: /lunch/ }).getByLabel('1 mention');
  await mentionCount.waitFor();
  await mina.reload();
  await mentionCount.waitFor({ timeout: 30_000 });

  await mina.getByRole('link', { name: /lunch/ }).click();
  const asked = message(mina, 'lunch', 'at noon?');
  await asked.waitFor();
  assert.equal(await asked.locator('.message-text').innerText(), said, 'names, never the stored ids');
  assert.deepEqual(await asked.locator('.mention').allTextContents(), ['@Mina', '@소라']);
  assert.equal(await asked.locator('.mention.you').textContent(), '@Mina', 'her own chip stands out');
  assert.match(await asked.getAttribute('aria-label'), /Mentions you$/);
  await mentionCount.waitFor({ state: 'detached' });

  // 소라 becomes Sora; the message she was mentioned in follows.
  await sora.getByRole('button', { name: 'Your name: 소라' }).click();
  await sora.getByRole('textbox', { name: 'Your name' }).fill('Sora');
  await sora.keyboard.press('Enter');
  await asked.locator('.mention').filter({ hasText: '@Sora' }).waitFor();
  assert.equal(await asked.locator('.message-text').innerText(), 'Lunch, @Mina and @Sora at noon? @nobody');

  // Found by search, the message reads with names there too.
  await mina.getByRole('searchbox', { name: 'Search messages' }).fill('noon');
  const found = mina.getByRole('list', { name: 'Search results' }).getByRole('link');
  await found.waitFor();
  assert.match(await found.locator('.hit-text').innerText(), /^Lunch, @Mina and @Sora at noon\? @nobody$/);
  // Her name finds where she is mentioned, though the text holds no name: the mention is marked.
  await mina.getByRole('searchbox', { name: 'Search messages' }).fill('sora');
  await found.locator('mark').filter({ hasText: '@Sora' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(await found.locator('mark').allTextContents(), ['@Sora']);

  for (const page of [mina, jun, sora]) assert.deepEqual(page.errors, []);
});

test('the rooms list names whom the newest message mentions, offline and never seen in this tab, not "@someone"', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sora = await signIn('Sora');
  await createRoom(mina, 'office');
  await createRoom(mina, 'picnic');
  await join(jun, 'picnic');
  await join(sora, 'picnic');
  // Sora goes offline; Mina reloads in her office, so this tab has never
  // opened the picnic room nor seen Sora online.
  await sora.close();
  await mina.getByRole('link', { name: 'office' }).click();
  await mina.getByRole('log', { name: 'office' }).waitFor();
  await mina.reload();
  await mina.getByRole('log', { name: 'office' }).waitFor({ timeout: 30_000 });

  const composer = jun.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('Bring the blanket, @So');
  await jun.getByRole('listbox', { name: 'Mention' }).getByRole('option', { name: 'Sora' }).waitFor();
  await composer.press('Enter'); // picks her
  await composer.press('Enter'); // sends
  await message(jun, 'picnic', 'Bring the blanket').waitFor();

  const line = mina.getByRole('link', { name: /picnic/ }).locator('.room-last');
  await line.filter({ hasText: 'blanket' }).waitFor();
  await line.filter({ hasText: '@Sora' }).waitFor({ timeout: 10_000 }).catch(() => {});
  assert.equal(await line.textContent(), ': Jun: Bring the blanket, @Sora', 'named as the room knows her');
  assert.deepEqual(mina.errors, [], 'no uncaught errors');
});
