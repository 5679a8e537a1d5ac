// Rows stay put while what they show changes: a message being edited keeps
// its draft and cursor when someone reacts to it, a reaction chip keeps the
// focus as its count changes, and a room link keeps the focus as its unread
// count grows. Each checks that the very same element is still there (a mark
// set on it survives), not just something that looks the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothIn, serverAndBrowser, signedInPage } from '../harness.mjs';

const world = serverAndBrowser();

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

/** Marks the element `locator` finds, to tell later whether it is still the same one. */
const mark = (locator) => locator.evaluate((element) => (element.dataset.storyMark = 'kept'));
const stillMarked = (locator) => locator.evaluate((element) => element.dataset.storyMark === 'kept');
const focusedLabel = (page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));

test('Mina is fixing a message when Jun reacts to it: her draft, cursor and row stay', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'picnic');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('see you at 7');
  await composer.press('Enter');
  const sent = mina.getByRole('log', { name: 'picnic' }).locator('article[data-seq]').filter({ hasText: 'see you at 7' });
  // While it is being edited its text is in the field: find it by its seq.
  const seq = await sent.getAttribute('data-seq');
  const minaRow = mina.getByRole('log', { name: 'picnic' }).locator(`article[data-seq="${seq}"]`);
  await mark(minaRow);

  // Mina starts fixing it; her cursor is at the end of the draft.
  await minaRow.hover();
  await minaRow.getByRole('button', { name: 'Edit' }).click();
  const draft = mina.getByRole('textbox', { name: 'Edit message' });
  await draft.press('End');
  await mina.keyboard.type(' pm');

  // Meanwhile Jun reacts to it.
  const junRow = jun.getByRole('log', { name: 'picnic' }).locator('article[data-seq]').filter({ hasText: 'see you at 7' });
  await junRow.hover();
  await junRow.getByRole('button', { name: 'Add reaction' }).click();
  await jun.getByRole('button', { name: 'React with 👍' }).click();
  await minaRow.getByRole('button', { name: '👍 1' }).waitFor();

  // Her row, draft and focus are as she left them; she goes on typing and saves.
  assert.equal(await stillMarked(minaRow), true, 'the row was rebuilt');
  assert.equal(await draft.inputValue(), 'see you at 7 pm');
  assert.equal(await focusedLabel(mina), 'Edit message');
  await mina.keyboard.type('!');
  await mina.keyboard.press('Enter');
  await minaRow.filter({ hasText: 'see you at 7 pm! (edited)' }).waitFor();
  await jun.getByRole('log', { name: 'picnic' }).getByText('see you at 7 pm!').waitFor();
  assert.equal(await stillMarked(minaRow), true, 'the row was rebuilt by the edit');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test('Jun adds his reaction with the keyboard, and the chip keeps the focus as its count changes', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'chips');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('cake on Friday?');
  await composer.press('Enter');
  const minaRow = mina.getByRole('log', { name: 'chips' }).locator('article[data-seq]').filter({ hasText: 'cake on Friday?' });
  await minaRow.hover();
  await minaRow.getByRole('button', { name: 'Add reaction' }).click();
  await mina.getByRole('button', { name: 'React with 🙏' }).click();

  const junRow = jun.getByRole('log', { name: 'chips' }).locator('article[data-seq]').filter({ hasText: 'cake on Friday?' });
  const chip = junRow.locator('button.reaction');
  await chip.filter({ hasText: '🙏 1' }).waitFor();
  await mark(chip);
  await chip.focus();
  await jun.keyboard.press('Enter');
  await junRow.getByRole('button', { name: '🙏 2, including you' }).waitFor();
  assert.equal(await stillMarked(chip), true, 'the chip was rebuilt');
  assert.equal(await focusedLabel(jun), '🙏 2, including you');

  // And again: Enter takes his back, still on the same chip.
  await jun.keyboard.press('Enter');
  await junRow.getByRole('button', { name: '🙏 1', exact: true }).waitFor();
  assert.equal(await stillMarked(chip), true, 'the chip was rebuilt');
  assert.equal(await focusedLabel(jun), '🙏 1');

  // His own 👍, alone: taking it back takes the chip away, and the focus
  // goes to "Add reaction" on the same message, not to the page.
  await junRow.hover();
  await junRow.getByRole('button', { name: 'Add reaction' }).click();
  await jun.getByRole('button', { name: 'React with 👍' }).click();
  const thumbs = junRow.getByRole('button', { name: '👍 1, including you' });
  await thumbs.waitFor();
  await thumbs.focus();
  await jun.keyboard.press('Enter');
  await thumbs.waitFor({ state: 'detached' });
  assert.equal(await focusedLabel(jun), 'Add reaction');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test("a room link keeps the keyboard's focus while its unread count grows", async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'news');
  // Mina goes to another room and tabs onto the link to "news".
  await mina.getByRole('button', { name: 'New room' }).click();
  await mina.getByRole('textbox', { name: 'Room name' }).fill('quiet');
  await mina.getByRole('button', { name: 'Create' }).click();
  await mina.getByRole('log', { name: 'quiet' }).waitFor();
  const link = mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^news/ });
  await mark(link);
  await link.focus();

  const composer = jun.getByRole('textbox', { name: 'Message' });
  for (const text of ['one', 'two']) {
    await composer.fill(text);
    await composer.press('Enter');
  }
  await link.getByLabel('2 unread').waitFor();
  assert.equal(await stillMarked(link), true, 'the link was rebuilt');
  assert.equal(await link.evaluate((element) => element === document.activeElement), true, 'the focus moved');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});
