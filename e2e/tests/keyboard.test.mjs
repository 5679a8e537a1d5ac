// Sora never touches the mouse: she signs in, makes rooms, moves between them,
// writes, fixes and cancels edits, and looks at who is in a room, all from the
// keyboard, and can always see where the focus is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifactsDir, serverAndBrowser, signedInPage } from '../harness.mjs';

const world = serverAndBrowser();

async function openPage() {
  const context = await world.browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(world.server.url);
  return page;
}

/** The focused element's accessible name (aria-label, else its text) and whether its focus ring shows. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      name: (el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent).trim(),
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    };
  });

/** Presses Tab until the element named `name` has the focus, as a keyboard user would. */
async function tabTo(page, name) {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.name === name) {
      assert.ok(now.ring, `the focus on "${name}" is visible`);
      return;
    }
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** Waits until the element named `name` has the focus. */
async function focusOn(page, name) {
  for (let tries = 0; tries < 50; tries++) {
    if ((await focused(page)).name === name) return;
    await page.waitForTimeout(50);
  }
  assert.equal((await focused(page)).name, name, 'where the focus is');
}

const roomId = (page) => Number(new URL(page.url()).pathname.split('/').pop());

test('Sora chats with the keyboard alone', async () => {
  const sora = await openPage();
  await sora.getByRole('textbox', { name: 'Name' }).waitFor();
  assert.equal((await focused(sora)).name, 'Name', 'the name field is ready to type in');
  await sora.keyboard.type('Sora');
  await sora.keyboard.press('Enter');
  await sora.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });

  // Two rooms: "New room" opens a field that has the focus; Enter creates the
  // room and opens it, with the composer ready to type in.
  for (const name of ['alpha', 'beta']) {
    if ((await focused(sora)).name !== 'New room') await tabTo(sora, 'New room');
    await sora.keyboard.press('Enter');
    await focusOn(sora, 'Room name');
    await sora.keyboard.type(name);
    await sora.keyboard.press('Enter');
    await sora.getByRole('log', { name }).waitFor();
    await focusOn(sora, 'Message');
  }
  // Escape closes the form and hands the focus back.
  await tabTo(sora, 'New room');
  await sora.keyboard.press('Enter');
  await focusOn(sora, 'Room name');
  await sora.keyboard.press('Escape');
  await focusOn(sora, 'New room');

  // Alt+↓ opens the first room, and the composer is ready to type in.
  await sora.keyboard.press('Alt+ArrowDown');
  await sora.getByRole('log', { name: 'alpha' }).waitFor();
  await focusOn(sora, 'Message');
  await sora.keyboard.type('hello from the keyboard');
  await sora.keyboard.press('Enter');
  const log = sora.getByRole('log', { name: 'alpha' });
  await log.getByRole('article').filter({ hasText: 'hello from the keyboard' }).filter({ hasNotText: 'Sending…' }).waitFor();

  // ↑ in the empty composer edits her last message; Enter saves it.
  await sora.keyboard.press('ArrowUp');
  await focusOn(sora, 'Edit message');
  await sora.keyboard.type(', edited');
  await sora.keyboard.press('Enter');
  await log.getByRole('article').filter({ hasText: 'hello from the keyboard, edited' }).filter({ hasText: '(edited)' }).waitFor();
  await focusOn(sora, 'Message');

  // Escape abandons an edit and changes nothing.
  await sora.keyboard.press('ArrowUp');
  await focusOn(sora, 'Edit message');
  await sora.keyboard.type(' and more');
  await sora.keyboard.press('Escape');
  await focusOn(sora, 'Message');
  assert.equal(await log.getByRole('article').filter({ hasText: 'and more' }).count(), 0);

  // ↑ and Enter with nothing changed saves nothing: no "(edited)" mark.
  const landed = async (text) =>
    log.getByRole('article').filter({ hasText: text }).filter({ hasNotText: 'Sending…' }).waitFor();
  await sora.keyboard.type('one more thing');
  await sora.keyboard.press('Enter');
  await landed('one more thing');
  await sora.keyboard.press('ArrowUp');
  await focusOn(sora, 'Edit message');
  await sora.keyboard.press('Enter');
  await focusOn(sora, 'Message');
  // Actions land in order: an edit sent would be shown before this is.
  await sora.keyboard.type('that is all');
  await sora.keyboard.press('Enter');
  await landed('that is all');
  assert.equal(await log.getByRole('article').filter({ hasText: 'one more thing' }).filter({ hasText: '(edited)' }).count(), 0);

  // Alt+↓ and Alt+↑ walk the rooms, wrapping around.
  const alpha = roomId(sora);
  await sora.keyboard.press('Alt+ArrowDown');
  await sora.getByRole('log', { name: 'beta' }).waitFor();
  await sora.keyboard.press('Alt+ArrowDown');
  await sora.getByRole('log', { name: 'alpha' }).waitFor();
  assert.equal(roomId(sora), alpha);
  await sora.keyboard.press('Alt+ArrowUp');
  await sora.getByRole('log', { name: 'beta' }).waitFor();
  await sora.keyboard.press('Alt+ArrowUp');
  await sora.getByRole('log', { name: 'alpha' }).waitFor();
  assert.equal(await sora.getByRole('textbox', { name: 'Edit message' }).count(), 0, 'Alt+↑ in the composer only moves');
  await sora.keyboard.press('Alt+ArrowDown');
  await sora.getByRole('log', { name: 'beta' }).waitFor();

  // Jun joins alpha and writes while Sora is in beta: Alt+Shift+↓ takes her to it.
  const jun = await signedInPage(world.browser, world.server.url, 'Jun');
  await jun.getByRole('button', { name: 'Join alpha' }).click();
  await jun.getByRole('log', { name: 'alpha' }).waitFor();
  const junComposer = jun.getByRole('textbox', { name: 'Message' });
  await junComposer.fill('hi Sora');
  await junComposer.press('Enter');
  await sora.getByRole('link', { name: /alpha.*1 unread/ }).waitFor();
  await sora.keyboard.press('Alt+Shift+ArrowDown');
  await sora.getByRole('log', { name: 'alpha' }).getByRole('article').filter({ hasText: 'hi Sora' }).waitFor();
  // A "New messages" line marks where she left off; once she has been and
  // gone, it is not drawn again.
  const newLine = sora.getByRole('log', { name: 'alpha' }).getByText('New messages');
  assert.match(await newLine.evaluate((line) => line.nextElementSibling.textContent), /hi Sora/);
  await sora.keyboard.press('Alt+ArrowUp');
  await sora.getByRole('log', { name: 'beta' }).waitFor();
  await sora.keyboard.press('Alt+ArrowDown');
  await sora.getByRole('log', { name: 'alpha' }).getByRole('article').filter({ hasText: 'hi Sora' }).waitFor();
  assert.equal(await newLine.count(), 0);

  // Who is here: the members panel, opened and closed from the keyboard.
  const members = sora.getByRole('complementary', { name: 'Members' });
  await tabTo(sora, 'Members (2)');
  await sora.keyboard.press('Enter');
  await members.getByRole('heading', { name: 'Online — 2' }).waitFor();
  await members.getByRole('listitem').filter({ hasText: 'Sora(you)' }).waitFor();
  await sora.screenshot({ path: join(artifactsDir(), 'members.png') });
  await jun.close();
  await members.getByRole('heading', { name: 'Offline — 1' }).waitFor({ timeout: 15_000 });
  await members.getByRole('listitem').filter({ hasText: 'Jun' }).waitFor();
  const dots = await members.locator('.presence-dot').evaluateAll((all) => all.map((dot) => getComputedStyle(dot).backgroundColor));
  assert.notEqual(dots[0], dots[1], 'online and offline look different');

  // From the panel's foot she renames the room; Escape first backs out of the
  // form without closing the panel.
  await tabTo(sora, 'Rename room');
  await sora.keyboard.press('Enter');
  await focusOn(sora, 'New room name');
  await sora.keyboard.press('Escape');
  await focusOn(sora, 'Rename room');
  await sora.keyboard.press('Enter');
  await focusOn(sora, 'New room name');
  await sora.keyboard.type('alpha team');
  await sora.keyboard.press('Enter');
  await sora.getByRole('heading', { name: 'alpha team', exact: true }).waitFor();
  await sora.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'alpha team' }).waitFor();
  await sora.getByRole('log', { name: 'alpha team' }).getByText('The room was renamed to “alpha team”').waitFor();
  await focusOn(sora, 'Rename room');

  await tabTo(sora, 'Close members');
  await sora.keyboard.press('Shift+Tab');
  await sora.keyboard.press('Tab');
  await sora.keyboard.press('Escape');
  await members.waitFor({ state: 'detached' });
  await focusOn(sora, 'Members (2)');

  // And leaves it: it moves among the rooms she could join again.
  await sora.keyboard.press('Enter');
  await tabTo(sora, 'Leave room');
  await sora.keyboard.press('Enter');
  await sora.getByText('Pick a room, or create one.').waitFor();
  await sora.getByRole('listitem').filter({ hasText: 'alpha team' }).getByRole('button', { name: 'Join' }).waitFor();
  assert.deepEqual(sora.errors, [], 'no uncaught errors');
});

test('a room Sora creates or joins opens at once, ready to type in', async () => {
  const sora = await signedInPage(world.browser, world.server.url, 'Sora');
  const jun = await signedInPage(world.browser, world.server.url, 'Jun');
  await sora.getByRole('button', { name: 'New room' }).click();
  await sora.getByRole('textbox', { name: 'Room name' }).fill('coffee');
  await sora.keyboard.press('Enter');
  await sora.getByRole('log', { name: 'coffee' }).waitFor();
  await focusOn(sora, 'Message');

  await jun.getByRole('button', { name: 'Join coffee' }).click();
  await jun.getByRole('log', { name: 'coffee' }).waitFor();
  await focusOn(jun, 'Message');
  assert.deepEqual([...sora.errors, ...jun.errors], [], 'no uncaught errors');
});
