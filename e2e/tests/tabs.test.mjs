// Mina keeps Hanmadi open in several tabs: they share one socket to the
// server, one outbox and one picture of her rooms. When the tab holding the
// socket closes, another takes over at once, and nothing she queued is lost
// or sent twice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothIn, collectErrors, createRoom, nothingWaiting, postMessages, sameSessionElsewhere, serverAndBrowser, signedInPage, signInOn } from '../harness.mjs';

const world = serverAndBrowser();

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

const messages = (page, room, text) =>
  page.getByRole('log', { name: room }).getByRole('article').filter({ hasText: text });

const roomLink = (page, name) =>
  page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: new RegExp(`^${name}`) });

/**
 * Routes every socket of Mina's browser through the test, which counts the
 * ones open and notes when each was asked for. `cut()` starts a tunnel: the
 * open sockets drop and new ones are refused until `tunnel` is false again.
 */
async function watchSockets(context) {
  const live = new Set();
  const sockets = {
    opened: [],
    tunnel: false,
    get open() {
      return live.size;
    },
    async cut() {
      sockets.tunnel = true;
      for (const ws of live) await ws.close().catch(() => {});
      live.clear();
    },
  };
  await context.routeWebSocket(/\/ws$/, (ws) => {
    sockets.opened.push(Date.now());
    if (sockets.tunnel) {
      ws.close();
      return;
    }
    live.add(ws);
    ws.connectToServer();
    ws.onClose(() => live.delete(ws));
  });
  // The pages open now were connected before the route: they connect again through it.
  for (const page of context.pages()) {
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  }
  return sockets;
}

/** Another tab of Mina's, in the room, connected. */
async function anotherTab(first, room) {
  const tab = await first.context().newPage();
  tab.errors = [];
  tab.on('pageerror', (error) => tab.errors.push(error.message));
  await tab.goto(world.server.url);
  await tab.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await roomLink(tab, room).click();
  await tab.getByRole('log', { name: room }).waitFor();
  return tab;
}

async function say(page, text) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

test('three tabs share one socket, and a message typed in any of them shows once everywhere', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sockets = await watchSockets(mina.context());
  await bothIn(mina, jun, 'one socket');
  const second = await anotherTab(mina, 'one socket');
  const third = await anotherTab(mina, 'one socket');
  const tabs = [mina, second, third];
  assert.equal(sockets.open, 1, 'the server holds one socket for Mina, whatever her tabs');

  await say(third, 'typed in the third tab');
  await messages(jun, 'one socket', 'typed in the third tab').waitFor({ timeout: 30_000 });
  // Jun answers: every tab shows it, once.
  await say(jun, 'got it');
  for (const tab of tabs) {
    await messages(tab, 'one socket', 'got it').waitFor({ timeout: 10_000 });
    await nothingWaiting(tab);
  }
  for (const tab of [...tabs, jun]) {
    assert.equal(await messages(tab, 'one socket', 'typed in the third tab').count(), 1);
    assert.equal(await messages(tab, 'one socket', 'got it').count(), 1);
  }
  assert.equal(sockets.open, 1, 'still one socket');

  // The leading tab is closed while Mina types in the third: the others carry
  // on without a flash of "Reconnecting…", and her message goes once.
  for (const tab of [second, third]) {
    await tab.evaluate(() => {
      window.badgeSaid = [];
      const badge = () => document.querySelector('[role="status"]')?.textContent;
      new MutationObserver(() => window.badgeSaid.push(badge())).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
  }
  const closing = mina.close({ runBeforeUnload: true });
  await say(third, 'typed as the first tab closed');
  await closing;
  await messages(jun, 'one socket', 'typed as the first tab closed').waitFor({ timeout: 30_000 });
  await say(jun, 'still here');
  for (const tab of [second, third]) {
    await messages(tab, 'one socket', 'still here').waitFor({ timeout: 30_000 });
    await nothingWaiting(tab);
    assert.equal(await messages(tab, 'one socket', 'typed as the first tab closed').count(), 1);
    const said = await tab.evaluate(() => window.badgeSaid);
    assert.ok(!said.some((text) => text.includes('Reconnecting')), `the badge said ${JSON.stringify(said)}`);
  }
  assert.equal(await messages(jun, 'one socket', 'typed as the first tab closed').count(), 1, 'sent once');
  assert.equal(sockets.open, 1, 'one socket, now the second tab’s or the third’s');
  assert.deepEqual([...mina.errors, ...second.errors, ...third.errors, ...jun.errors], [], 'no uncaught errors');
});

test('reading back in one tab, Mina sends from another: the tab she reads in stays where she was', async () => {
  const mina = await signIn('Mina');
  await createRoom(mina, 'long read');
  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  await postMessages(mina, room, 60, 'chapter');
  await messages(mina, 'long read', 'chapter 60').waitFor();
  const reading = await anotherTab(mina, 'long read');
  const log = reading.getByRole('log', { name: 'long read' });
  await messages(reading, 'long read', 'chapter 60').waitFor();

  // She scrolls to the top in the second tab, where the older messages load
  // (each page moves what is shown down), then to the very top, and the app
  // has seen it.
  await log.evaluate((el) => (el.scrollTop = 0));
  await messages(reading, 'long read', /chapter 1(?!\d)/).waitFor({ state: 'attached' });
  await log.evaluate((el) => (el.scrollTop = 0));
  await reading.waitForFunction(() => !document.querySelector('.messages')?.classList.contains('following'));
  const top = await log.evaluate((el) => el.scrollTop);

  await say(mina, 'a note from the first tab');
  await messages(reading, 'long read', 'a note from the first tab').waitFor({ state: 'attached' });
  await nothingWaiting(reading);
  // Two frames: a jump would have been drawn by then.
  await reading.evaluate(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
  assert.equal(await log.evaluate((el) => el.scrollTop), top, 'not pulled to the latest');

  // In the tab she sends from, she goes to the latest, as ever.
  await messages(mina, 'long read', 'a note from the first tab').waitFor();
  assert.ok(await messages(mina, 'long read', 'a note from the first tab').isVisible());
  assert.deepEqual([...mina.errors, ...reading.errors], [], 'no uncaught errors');
});

test('the tab holding the socket is closed with messages queued in a tunnel, and another takes over and sends them once', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sockets = await watchSockets(mina.context());
  await bothIn(mina, jun, 'hand-over');
  const second = await anotherTab(mina, 'hand-over');

  // In a tunnel: the socket drops, and each tab queues a message.
  await sockets.cut();
  for (const [tab, text] of [[mina, 'queued in the leading tab'], [second, 'queued in the other tab']]) {
    await say(tab, text);
  }
  for (const tab of [mina, second]) {
    for (const text of ['queued in the leading tab', 'queued in the other tab']) {
      await messages(tab, 'hand-over', text).filter({ hasText: 'Sending…' }).waitFor({ timeout: 10_000 });
    }
  }

  // The leading tab is closed as the tunnel ends: the other takes over.
  sockets.tunnel = false;
  const before = sockets.opened.length;
  const closedAt = Date.now();
  await mina.close({ runBeforeUnload: true });
  while (sockets.opened.length === before && Date.now() - closedAt < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const tookOverIn = sockets.opened[before] - closedAt;
  assert.ok(tookOverIn <= 1_000, `the other tab opened a socket ${tookOverIn} ms after the close`);

  for (const text of ['queued in the leading tab', 'queued in the other tab']) {
    await messages(jun, 'hand-over', text).waitFor({ timeout: 30_000 });
    await messages(second, 'hand-over', text).filter({ hasNotText: 'Sending…' }).waitFor({ timeout: 30_000 });
  }
  await say(jun, 'both here');
  await messages(second, 'hand-over', 'both here').waitFor({ timeout: 30_000 });
  await nothingWaiting(second);
  for (const text of ['queued in the leading tab', 'queued in the other tab']) {
    assert.equal(await messages(jun, 'hand-over', text).count(), 1, `${text}: delivered exactly once`);
    assert.equal(await messages(second, 'hand-over', text).count(), 1, `${text}: shown once`);
  }
  assert.deepEqual([...second.errors, ...jun.errors], [], 'no uncaught errors');
});

test('a tab opened later shows the same unread counts and waiting messages as the others', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sockets = await watchSockets(mina.context());
  await bothIn(mina, jun, 'news');
  await createRoom(mina, 'elsewhere');
  for (const text of ['first news', 'second news']) {
    await say(jun, text);
  }
  await roomLink(mina, 'news').getByLabel('2 unread').waitFor({ timeout: 30_000 });

  // In a tunnel, Mina writes in the other room.
  await sockets.cut();
  await say(mina, 'written in the tunnel');
  await messages(mina, 'elsewhere', 'written in the tunnel').filter({ hasText: 'Sending…' }).waitFor();

  // A new tab, still in the tunnel (the page itself loads: only the socket is cut).
  const later = await mina.context().newPage();
  later.errors = [];
  later.on('pageerror', (error) => later.errors.push(error.message));
  await later.goto(world.server.url);
  await roomLink(later, 'news').getByLabel('2 unread').waitFor({ timeout: 30_000 });
  await roomLink(later, 'elsewhere').click();
  await messages(later, 'elsewhere', 'written in the tunnel').filter({ hasText: 'Sending…' }).waitFor({ timeout: 10_000 });

  // Out of the tunnel, it goes once, and both tabs see it sent.
  sockets.tunnel = false;
  for (const tab of [mina, later]) {
    const retry = tab.getByRole('button', { name: 'Retry now' });
    await retry.click({ timeout: 2_000 }).catch(() => {});
  }
  for (const tab of [mina, later]) {
    await tab.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await messages(tab, 'elsewhere', 'written in the tunnel').filter({ hasNotText: 'Sending…' }).waitFor({ timeout: 30_000 });
    await nothingWaiting(tab);
    assert.equal(await messages(tab, 'elsewhere', 'written in the tunnel').count(), 1);
  }
  assert.equal(sockets.open, 1, 'one socket for both tabs');
  assert.deepEqual([...mina.errors, ...later.errors, ...jun.errors], [], 'no uncaught errors');
});

test('a tab opening just as Mina renames herself on her phone shows her new name', async () => {
  const mina = await signIn('Mina');
  await createRoom(mina, 'notes');
  const phone = await sameSessionElsewhere(world.browser, world.server.url, mina);

  // A second tab starts, but the browser takes its time saying whether
  // another tab holds the socket (as a busy machine may): the test decides
  // when it hears.
  const later = collectErrors(await mina.context().newPage());
  await later.addInitScript(() => {
    const request = LockManager.prototype.request;
    const asked = new Promise((resolve) => (window.answerLeaderLock = resolve));
    LockManager.prototype.request = function (name, ...rest) {
      const callback = rest.pop();
      if (!name.startsWith('hanmadi.leader')) return request.call(this, name, ...rest, callback);
      return request.call(this, name, ...rest, async (lock) => {
        await asked;
        return callback(lock);
      });
    };
  });
  await later.goto(world.server.url);
  await later.getByRole('button', { name: 'Your name: Mina' }).waitFor({ timeout: 30_000 });

  // In that moment she renames herself on her phone; the first tab hears it.
  await phone.getByRole('button', { name: 'Your name: Mina' }).click();
  await phone.getByRole('textbox', { name: 'Your name' }).fill('Minah');
  await phone.getByRole('textbox', { name: 'Your name' }).press('Enter');
  await mina.getByRole('button', { name: 'Your name: Minah' }).waitFor({ timeout: 30_000 });

  // The new tab follows the first, and has not missed it.
  await later.evaluate(() => window.answerLeaderLock());
  await later.getByRole('button', { name: 'Your name: Minah' }).waitFor({ timeout: 10_000 });
  await later.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  assert.deepEqual([...mina.errors, ...later.errors, ...phone.errors], [], 'no uncaught errors');
});

test('a tab of the last version left open across an upgrade: a new tab connects on its own, and what the old one queued goes once it is closed', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sockets = await watchSockets(mina.context());
  await bothIn(mina, jun, 'upgrade');

  // Written in a tunnel, the message waits in the leading tab's saved outbox.
  await sockets.cut();
  await say(mina, 'written before the upgrade');
  await messages(mina, 'upgrade', 'written before the upgrade').filter({ hasText: 'Sending…' }).waitFor({ timeout: 10_000 });
  const [copy] = await mina.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith('hanmadi.outbox.leader'))
      .map((key) => [key, localStorage.getItem(key)]),
  );
  assert.ok(copy, 'the leading tab saved its outbox');

  // That tab was of the version before tabs were told apart by theirs: it
  // holds the bare lock, saved its outbox under the bare key, and listens
  // on the one channel every version hears.
  // (A page of the app's origin that is not the app plays it: its service
  // worker's script, shown as text.)
  const old = await mina.context().newPage();
  await old.goto(new URL('/sw.js', world.server.url).href);
  assert.equal(await old.evaluate(() => document.scripts.length), 0, 'not the app');
  await mina.close();
  await old.evaluate(([key, json]) => {
    localStorage.removeItem(key);
    localStorage.setItem('hanmadi.outbox.leader', json);
    window.heard = [];
    window.channel = new BroadcastChannel('hanmadi.tabs');
    window.channel.onmessage = (event) => window.heard.push(event.data.kind);
    return new Promise((granted) =>
      navigator.locks.request('hanmadi.leader', () => {
        granted();
        return new Promise(() => {});
      }),
    );
  }, copy);

  // After the upgrade she opens a new tab: it leads its own version's tabs.
  sockets.tunnel = false;
  const upgraded = await old.context().newPage();
  upgraded.errors = [];
  upgraded.on('pageerror', (error) => upgraded.errors.push(error.message));
  await upgraded.goto(world.server.url);
  await upgraded.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await roomLink(upgraded, 'upgrade').click();
  await upgraded.getByRole('log', { name: 'upgrade' }).waitFor();
  // A second new tab follows the new one.
  const following = await anotherTab(upgraded, 'upgrade');
  // The old tab says what an old leader refused by the new server says
  // there: the new tabs take none of it for their own leader's. (Not
  // "leading": a follower would greet the new leader again, whose answer
  // would put its own status back.)
  await old.evaluate(() => {
    window.channel.postMessage({ kind: 'status', status: 'failed', why: 'protocol', reason: '' });
    window.channel.postMessage({ kind: 'lost' });
  });
  await say(jun, 'still here');
  for (const tab of [upgraded, following]) {
    await messages(tab, 'upgrade', 'still here').waitFor({ timeout: 30_000 });
    assert.equal(await tab.getByRole('status').filter({ hasText: 'Connected' }).count(), 1, 'still connected');
  }
  // The old tab's queue is its own while it lives (crashed tabs are looked for every 5 s).
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const leftWithTheOldTab = await upgraded.evaluate(() => localStorage.getItem('hanmadi.outbox.leader'));
  assert.equal(leftWithTheOldTab, copy[1], 'not taken from a tab still open');
  const heard = await old.evaluate(() => window.heard);
  const forEveryVersion = ['read', 'signed-in', 'signed-out', 'session-ended'];
  assert.deepEqual(
    heard.filter((kind) => !forEveryVersion.includes(kind)),
    [],
    'the old tab hears nothing of the new leader and its followers',
  );

  // She closes the old tab: its message goes, once.
  await old.close();
  await messages(jun, 'upgrade', 'written before the upgrade').waitFor({ timeout: 30_000 });
  await messages(upgraded, 'upgrade', 'written before the upgrade').filter({ hasNotText: 'Sending…' }).waitFor({ timeout: 30_000 });
  await say(jun, 'got it');
  await messages(upgraded, 'upgrade', 'got it').waitFor({ timeout: 30_000 });
  await nothingWaiting(upgraded);
  assert.equal(await messages(jun, 'upgrade', 'written before the upgrade').count(), 1, 'delivered exactly once');
  assert.equal(await upgraded.evaluate(() => localStorage.getItem('hanmadi.outbox.leader')), null, 'the old copy is gone');
  assert.deepEqual([...upgraded.errors, ...following.errors, ...jun.errors], [], 'no uncaught errors');
});

test('in a browser without Web Locks, each tab keeps its own socket and outbox, and a closed tab’s message still goes once', async () => {
  const context = await world.browser.newContext();
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }));
  const mina = await signInOn(await context.newPage(), world.server.url, 'Mina');
  const jun = await signIn('Jun');
  const sockets = await watchSockets(context);
  await bothIn(mina, jun, 'no locks');
  const second = await anotherTab(mina, 'no locks');
  assert.equal(sockets.open, 2, 'one socket per tab, as before tabs could share');

  await sockets.cut();
  for (const [tab, text] of [[mina, 'from the first tab'], [second, 'from the closed tab']]) {
    await say(tab, text);
    await messages(tab, 'no locks', text).filter({ hasText: 'Sending…' }).waitFor({ timeout: 10_000 });
  }
  await second.close({ runBeforeUnload: true });
  sockets.tunnel = false;
  await mina.getByRole('button', { name: 'Retry now' }).click({ timeout: 5_000 }).catch(() => {});
  for (const text of ['from the first tab', 'from the closed tab']) {
    await messages(jun, 'no locks', text).waitFor({ timeout: 30_000 });
  }
  await say(jun, 'both here');
  await messages(mina, 'no locks', 'both here').waitFor({ timeout: 30_000 });
  for (const text of ['from the first tab', 'from the closed tab']) {
    assert.equal(await messages(jun, 'no locks', text).count(), 1, `${text}: delivered exactly once`);
  }
  assert.deepEqual([...mina.errors, ...second.errors, ...jun.errors], [], 'no uncaught errors');
  await context.close();
});
