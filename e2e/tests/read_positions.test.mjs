// Where Mina has read up to is kept by the server: her unread counts, the tab
// title and the "New messages" line survive a reload, and reading on one of
// her screens clears the count on the others. What she watches arrive is
// not new to her, and nothing before a newcomer's joining is new to them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoom, postMessages, serverAndBrowser, signedInPage } from '../harness.mjs';

const world = serverAndBrowser(['--actions-per-sec', '100000', '--frames-per-sec', '100000']);

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

const roomLink = (page, name) =>
  page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: new RegExp(`^${name}`) });

/** Waits until the link to `room` says `count` unread; if it never does, says what it said. */
async function unreadIs(page, room, count) {
  await roomLink(page, room)
    .getByLabel(`${count} unread`)
    .waitFor({ timeout: 30_000 })
    .catch(async () => {
      assert.fail(`expected ${count} unread, the link says: ${await roomLink(page, room).textContent()}`);
    });
}

test('unread counts, the tab title and the New messages line survive a reload and follow Mina to her other tab', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'reunion');
  await jun.getByRole('button', { name: 'Join reunion' }).click();
  await jun.getByRole('log', { name: 'reunion' }).waitFor();
  const composer = jun.getByRole('textbox', { name: 'Message' });
  await composer.fill('already read');
  await composer.press('Enter');
  await mina.getByRole('log', { name: 'reunion' }).getByText('already read').waitFor();

  // Mina goes to another room; Jun writes twice in the first.
  await createRoom(mina, 'elsewhere');
  for (const text of ['are you coming?', 'bring snacks']) {
    await composer.fill(text);
    await composer.press('Enter');
  }
  await unreadIs(mina, 'reunion', 2);
  await mina.waitForFunction(() => document.title === '(2) Hanmadi');

  // A reload keeps both.
  await mina.reload();
  await unreadIs(mina, 'reunion', 2);
  await mina.waitForFunction(() => document.title === '(2) Hanmadi');

  // She opens the room in a second tab: the line sits before the first message she has not read.
  const secondTab = await mina.context().newPage();
  await secondTab.goto(world.server.url);
  await roomLink(secondTab, 'reunion').click();
  const log = secondTab.getByRole('log', { name: 'reunion' });
  await log.getByText('bring snacks').waitFor();
  const order = await log.evaluate((list) =>
    [...list.querySelectorAll('.new-messages, article[data-seq]')].map((row) =>
      row.classList.contains('new-messages') ? 'LINE' : row.querySelector('.message-text')?.textContent,
    ),
  );
  assert.deepEqual(order.slice(-4), ['already read', 'LINE', 'are you coming?', 'bring snacks']);

  // The first tab hears of it: nothing unread, and the title says so; a reload agrees.
  await roomLink(mina, 'reunion').getByLabel('2 unread').waitFor({ state: 'detached', timeout: 10_000 });
  await mina.waitForFunction(() => document.title === 'Hanmadi');
  await mina.reload();
  await roomLink(mina, 'reunion').waitFor();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  assert.equal(await roomLink(mina, 'reunion').getByLabel(/unread/).count(), 0);
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test('a room with screens of unread messages opens at its New messages line, not at the bottom', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'long read');
  await jun.getByRole('button', { name: 'Join long read' }).click();
  const junLog = jun.getByRole('log', { name: 'long read' });
  await junLog.waitFor();
  await createRoom(mina, 'meanwhile');
  const room = Number(new URL(jun.url()).pathname.split('/')[2]);
  await postMessages(jun, room, 60, 'news');
  await unreadIs(mina, 'long read', 60);

  await roomLink(mina, 'long read').click();
  const log = mina.getByRole('log', { name: 'long read' });
  await log.locator('article[data-seq]').filter({ hasText: 'news 60' }).waitFor();
  await mina.waitForTimeout(500); // anything that would scroll has had its frames
  const seen = await log.evaluate((list) => {
    const view = list.getBoundingClientRect();
    const inView = (el) => {
      const box = el.getBoundingClientRect();
      return box.bottom > view.top && box.top < view.bottom;
    };
    const last = [...list.querySelectorAll('article[data-seq]')].pop();
    return { line: inView(list.querySelector('.new-messages')), newest: inView(last) };
  });
  assert.deepEqual(seen, { line: true, newest: false }, 'she starts reading where she left off');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test('no New messages line over what Mina watches arrive, and Sora, joining a busy room, starts at its latest', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'book club');
  await jun.getByRole('button', { name: 'Join book club' }).click();
  const junComposer = jun.getByRole('textbox', { name: 'Message' });
  const minaComposer = mina.getByRole('textbox', { name: 'Message' });
  const minaLog = mina.getByRole('log', { name: 'book club' });
  for (const [composer, text] of [
    [junComposer, 'Chapter one tonight?'],
    [minaComposer, 'Yes, at eight'],
    [junComposer, 'Great, see you'],
  ]) {
    await composer.fill(text);
    await composer.press('Enter');
    await minaLog.locator('article[data-seq]').filter({ hasText: text }).waitFor();
  }
  // Her own last word, after his: the line would have been drawn by then.
  await minaComposer.fill('See you');
  await minaComposer.press('Enter');
  await minaLog.locator('article[data-seq]').filter({ hasText: 'See you' }).last().waitFor();
  assert.equal(await minaLog.getByText('New messages').count(), 0, 'she saw each one come');

  // Jun talks on; Sora joins later, with nothing unread and the newest in view.
  const room = Number(new URL(jun.url()).pathname.split('/')[2]);
  await postMessages(jun, room, 60, 'notes');
  await minaLog.locator('article[data-seq]').filter({ hasText: 'notes 60' }).waitFor();
  const sora = await signIn('Sora');
  await sora.getByRole('button', { name: 'Join book club' }).click();
  const soraLog = sora.getByRole('log', { name: 'book club' });
  const newest = soraLog.locator('article[data-seq]').filter({ hasText: 'notes 60' });
  await newest.waitFor({ timeout: 30_000 });
  await sora.waitForTimeout(500); // anything that would scroll has had its frames
  const view = await soraLog.boundingBox();
  const box = await newest.boundingBox();
  assert.ok(box.y < view.y + view.height && box.y + box.height > view.y, 'the newest message is in view');
  assert.equal(await soraLog.getByText('New messages').count(), 0, 'nothing before her joining is new to her');
  assert.equal(await roomLink(sora, 'book club').getByLabel(/unread/).count(), 0);
  assert.equal(await minaLog.getByText('New messages').count(), 0, 'Mina, reading along, has no line either');
  assert.deepEqual([...mina.errors, ...jun.errors, ...sora.errors], [], 'no uncaught errors');
});

test('a room with more unread than a page holds opens at its New messages line, and Mina reads back from there', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'saga');
  await jun.getByRole('button', { name: 'Join saga' }).click();
  await jun.getByRole('log', { name: 'saga' }).waitFor();
  const composer = jun.getByRole('textbox', { name: 'Message' });
  await composer.fill('before you left');
  await composer.press('Enter');
  await mina.getByRole('log', { name: 'saga' }).getByText('before you left').waitFor();

  // Mina closes the app; Jun writes on and on.
  const url = mina.url();
  await createRoom(mina, 'elsewhere');
  const context = mina.context();
  await mina.close();
  const room = Number(new URL(url).pathname.split('/')[2]);
  await postMessages(jun, room, 300, 'chapter');

  // She comes back to the room: it opens at the line, above the first
  // chapter she has not read, though the newest page holds only the last ones.
  const back = await context.newPage();
  await back.goto(url);
  const log = back.getByRole('log', { name: 'saga' });
  const firstUnread = log.locator('article[data-seq]').filter({ has: back.locator('.message-text', { hasText: /^chapter 1$/ }) });
  await firstUnread.waitFor({ timeout: 30_000 });
  await back.waitForFunction(() => document.querySelector('[role="log"]').getAttribute('aria-busy') === 'false');
  await back.waitForTimeout(500); // anything that would scroll has had its frames
  const opened = await log.evaluate((list) => {
    const view = list.getBoundingClientRect();
    const line = list.querySelector('.new-messages');
    const box = line?.getBoundingClientRect();
    return {
      lineInView: !!box && box.bottom > view.top && box.top < view.bottom,
      below: line?.nextElementSibling?.querySelector('.message-text')?.textContent,
    };
  });
  assert.deepEqual(opened, { lineInView: true, below: 'chapter 1' }, 'she starts at the first she has not read');
  // Scrolling up from there, she finds what she had read.
  await log.hover();
  const read = log.locator('article[data-seq]').filter({ hasText: 'before you left' });
  const inView = () =>
    read.evaluate((row) => {
      const view = row.closest('[role="log"]').getBoundingClientRect();
      const box = row.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    });
  for (let tries = 0; tries < 20 && !(await inView()); tries++) {
    await back.mouse.wheel(0, -200);
    await back.waitForTimeout(100);
  }
  assert.ok(await inView(), 'what she had read is just above');
  assert.deepEqual([...jun.errors], [], 'no uncaught errors');
});

test('Mina marks everything as read at once: each count, the tab title and her other tab agree, after a reload too', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const rooms = {};
  for (const name of ['picnic', 'books']) {
    await createRoom(mina, name);
    await jun.getByRole('button', { name: `Join ${name}` }).click();
    await jun.getByRole('log', { name }).waitFor();
    rooms[name] = Number(new URL(jun.url()).pathname.split('/')[2]);
  }
  await createRoom(mina, 'desk');
  const readAll = mina.getByRole('button', { name: 'Mark all as read' });
  assert.equal(await readAll.isVisible(), false, 'nothing to mark yet');
  // Where the first room starts (it grows a line when something is said in it).
  const topLeft = async () => {
    const { x, y } = await roomLink(mina, 'picnic').boundingBox();
    return { x, y };
  };
  const firstRoom = await topLeft();
  await postMessages(jun, rooms.picnic, 2, 'sandwiches');
  await postMessages(jun, rooms.books, 3, 'chapter');
  await unreadIs(mina, 'picnic', 2);
  await unreadIs(mina, 'books', 3);
  await mina.waitForFunction(() => document.title === '(5) Hanmadi');
  assert.deepEqual(await topLeft(), firstRoom, 'the button comes without moving a room');
  const secondTab = await mina.context().newPage();
  await secondTab.goto(world.server.url);
  await unreadIs(secondTab, 'books', 3);

  // From the keyboard, on the button: everything is read, she hears so, and
  // the focus goes to her first room rather than nowhere as the button hides.
  assert.equal(await readAll.getAttribute('aria-keyshortcuts'), 'Shift+Escape');
  await readAll.focus();
  await mina.keyboard.press('Enter');
  await mina.waitForFunction(() => document.title === 'Hanmadi');
  assert.equal(await roomLink(mina, 'picnic').getByLabel(/unread/).count(), 0);
  assert.equal(await roomLink(mina, 'books').getByLabel(/unread/).count(), 0);
  await readAll.waitFor({ state: 'hidden' });
  assert.equal(await mina.getByRole('status').filter({ hasText: 'All marked as read' }).count(), 1);
  assert.equal(await mina.evaluate(() => document.activeElement.classList.contains('room-link')), true);
  await roomLink(secondTab, 'books').getByLabel(/unread/).waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await roomLink(secondTab, 'picnic').getByLabel(/unread/).count(), 0, 'her other tab hears of it');

  await mina.reload();
  await roomLink(mina, 'books').waitFor({ timeout: 30_000 });
  assert.equal(await mina.getByRole('navigation', { name: 'Rooms' }).getByLabel(/unread/).count(), 0, 'kept by the server');
  assert.equal(await readAll.isVisible(), false, 'nothing to mark');

  // Jun writes again, twice; Shift+Escape, wherever she is, reads each. She
  // reloads at once: the server hears a room read at most once a second, so
  // the tab holding the socket may hold the second back, and tells the new
  // tab where she read instead.
  for (const text of ['dessert', 'coffee']) {
    await postMessages(jun, rooms.picnic, 1, text);
    await unreadIs(mina, 'picnic', 1);
    await mina.keyboard.press('Shift+Escape');
    await roomLink(mina, 'picnic').getByLabel(/unread/).waitFor({ state: 'detached', timeout: 10_000 });
  }
  await mina.reload();
  await roomLink(mina, 'picnic').waitFor({ timeout: 30_000 });
  await roomLink(mina, 'picnic').getByLabel(/unread/).waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});
