// Mina and Jun chat in real Chromium against the real server: a new room, a join,
// messages both ways, typing, and a message written while Mina's socket could
// not get through that survives a reload and arrives exactly once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  artifactsDir,
  bothIn,
  createRoom,
  deleteMessage,
  inKoreanRoom,
  nothingWaiting,
  seriousViolations,
  serverAndBrowser,
  signedInPage,
} from '../harness.mjs';

const world = serverAndBrowser();

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

/**
 * Out of the tunnel: presses "Retry now", unless the app's own next try got
 * through first (its backoff timer may fire at any moment), and waits until
 * connected.
 */
async function retryNow(page) {
  const retry = page.getByRole('button', { name: 'Retry now' });
  await retry.click({ timeout: 5_000 }).catch(() => {});
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
}

const messages = (page, room, text) =>
  page.getByRole('log', { name: room }).getByRole('article').filter({ hasText: text });

test('two people chat, and a message written during an outage arrives once', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');

  // Mina creates a room, which opens it.
  await mina.getByRole('button', { name: 'New room' }).click();
  await mina.getByRole('textbox', { name: 'Room name' }).fill('점심');
  await mina.getByRole('button', { name: 'Create' }).click();
  await mina.getByRole('log', { name: '점심' }).waitFor();

  // Jun sees it appear among the other rooms, without reloading, and joins: he is taken in.
  await jun.getByRole('button', { name: 'Join 점심' }).click();
  await jun.getByRole('log', { name: '점심' }).waitFor();

  // Mina writes; Enter sends.
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('뭐 먹을래요?');
  await composer.press('Enter');
  await messages(jun, '점심', '뭐 먹을래요?').waitFor();
  assert.equal(await composer.inputValue(), '', 'the composer is cleared');

  // Jun types; Mina sees it; Jun answers.
  const junComposer = jun.getByRole('textbox', { name: 'Message' });
  await junComposer.pressSequentially('냉면', { delay: 50 });
  await mina.getByText('Jun is typing…').waitFor();
  await junComposer.press('Enter');
  await messages(mina, '점심', '냉면').waitFor();
  await mina.screenshot({ path: join(artifactsDir(), 'chat.png') });

  // Enter that ends an IME composition (Korean) confirms the syllable; it does not send.
  await composer.fill('한');
  await composer.dispatchEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true });
  assert.equal(await composer.inputValue(), '한', 'still being written');
  assert.equal(await messages(jun, '점심', '한').count(), 0, 'nothing was sent');
  await composer.fill('');

  // Mina reacts to Jun's answer; Jun adds his own to hers with one click on the chip.
  const answer = messages(mina, '점심', '냉면');
  await answer.hover();
  await answer.getByRole('button', { name: 'Add reaction' }).click();
  await answer.getByRole('button', { name: 'React with 👍' }).click();
  await answer.getByRole('button', { name: '👍 1, including you' }).waitFor();
  const junSees = messages(jun, '점심', '냉면').getByRole('button', { name: '👍 1' });
  await junSees.click();
  const both = answer.getByRole('button', { name: '👍 2, including you' });
  await both.waitFor();
  // Who reacted shows over the chip, and is read after its count.
  assert.equal(await both.getAttribute('title'), 'You and Jun reacted with 👍');
  const junBoth = messages(jun, '점심', '냉면').getByRole('button', { name: '👍 2, including you' });
  assert.equal(await junBoth.getAttribute('title'), 'You and Mina reacted with 👍');
  await junBoth.click();
  await answer.getByRole('button', { name: '👍 1, including you' }).waitFor();

  // Mina fixes her question, then takes it back.
  const question = messages(mina, '점심', '뭐 먹을래요?');
  await question.hover();
  await question.getByRole('button', { name: 'Edit' }).click();
  const edit = mina.getByRole('textbox', { name: 'Edit message' });
  await edit.fill('뭐 먹을까요?');
  await mina.getByRole('button', { name: 'Save' }).click();
  await messages(jun, '점심', '뭐 먹을까요?').filter({ hasText: '(edited)' }).waitFor();
  const fixed = messages(mina, '점심', '뭐 먹을까요?');
  await deleteMessage(fixed);
  await messages(jun, '점심', 'This message was deleted.').waitFor();

  // Away from the room, Mina gets a desktop notification when Jun mentions her.
  await mina.addInitScript(() => {
    window.shownNotifications = [];
    window.Notification = class {
      static get permission() { return 'granted'; }
      static requestPermission() { return Promise.resolve('granted'); }
      constructor(title, options) { window.shownNotifications.push({ title, body: options?.body }); }
    };
  });
  await mina.goto(world.server.url);
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await junComposer.pressSequentially('@Mi');
  await junComposer.press('Enter'); // picks her from the "Mention" list
  await junComposer.pressSequentially('12시 어때요?');
  await junComposer.press('Enter');
  await mina.waitForFunction(() => window.shownNotifications.length > 0, null, { timeout: 15_000 });
  assert.deepEqual(await mina.evaluate(() => window.shownNotifications), [
    { title: 'Jun mentioned you', body: '@Mina 12시 어때요?' },
  ]);
  await mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: '점심' }).click();

  // Mina's train enters a tunnel: her socket cannot get through. She writes
  // anyway, and reloads the page before the tunnel ends.
  let tunnel = true;
  await mina.context().routeWebSocket(/\/ws$/, (ws) => (tunnel ? ws.close() : ws.connectToServer()));
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 15_000 });
  await composer.fill('다녀올게요');
  await composer.press('Enter');
  await messages(mina, '점심', '다녀올게요').filter({ hasText: 'Sending…' }).waitFor();
  // A reaction made in the tunnel shows at once, waiting to go out.
  const answerInTunnel = messages(mina, '점심', '냉면');
  await answerInTunnel.hover();
  await answerInTunnel.getByRole('button', { name: 'Add reaction' }).click();
  await answerInTunnel.getByRole('button', { name: 'React with 🙏' }).click();
  await answerInTunnel.getByRole('button', { name: '🙏 1, including you' }).waitFor();
  await mina.reload();
  await messages(mina, '점심', '다녀올게요').filter({ hasText: 'Sending…' }).waitFor({ timeout: 15_000 });
  await messages(mina, '점심', '냉면').getByRole('button', { name: '🙏 1, including you' }).waitFor();
  await mina.screenshot({ path: join(artifactsDir(), 'sending-offline.png') });

  // Out of the tunnel: "Retry now", and the message goes out.
  tunnel = false;
  await retryNow(mina);
  await messages(jun, '점심', '다녀올게요').waitFor({ timeout: 30_000 });
  await messages(mina, '점심', '다녀올게요').filter({ hasNotText: 'Sending…' }).waitFor({ timeout: 15_000 });
  await messages(jun, '점심', '냉면').getByRole('button', { name: '🙏 1' }).waitFor();
  await nothingWaiting(mina);
  assert.equal(await messages(jun, '점심', '다녀올게요').count(), 1, 'delivered exactly once');
  assert.equal(await messages(mina, '점심', '다녀올게요').count(), 1, 'shown once to its author');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});

test('Jun changes his name and everyone sees the new one at once', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'names');
  await mina.getByText('2 here: Mina, Jun').waitFor();

  // The header shows his name; it opens a field with the name selected.
  await jun.getByRole('button', { name: 'Your name: Jun' }).click();
  const field = jun.getByRole('textbox', { name: 'Your name' });
  await field.waitFor();
  await jun.waitForFunction(() => document.activeElement?.selectionEnd === 3);
  await jun.keyboard.type('준');
  await jun.keyboard.press('Enter');
  await jun.getByRole('button', { name: 'Your name: 준' }).waitFor();

  // Mina sees it in the room's presence, in the typing line and on his next message.
  await mina.getByText('2 here: Mina, 준').waitFor();
  const composer = jun.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('새 이름', { delay: 50 });
  await mina.getByText('준 is typing…').waitFor();
  await composer.press('Enter');
  await messages(mina, 'names', '새 이름').filter({ hasText: '준' }).waitFor();

  // A reload keeps it; an empty name gets a clear error and changes nothing.
  await jun.reload();
  await jun.getByRole('button', { name: 'Your name: 준' }).click();
  await jun.getByRole('textbox', { name: 'Your name' }).fill('   ');
  await jun.keyboard.press('Enter');
  await jun.getByRole('alert').filter({ hasText: 'the name is empty' }).waitFor();
  await jun.keyboard.press('Escape');
  await jun.getByRole('button', { name: 'Your name: 준' }).waitFor();
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});

test('each of Mina’s rooms shows who said what last under its name, live and after a reload', async () => {
  // bypassCSP: for axe's script, which the app's policy would refuse.
  const mina = await signedInPage(world.browser, world.server.url, 'Mina', {
    viewport: { width: 1200, height: 800 },
    bypassCSP: true,
  });
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'garden club');
  const say = async (page, text) => {
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    await composer.press('Enter');
  };
  await say(mina, 'Anyone growing tomatoes?');
  await messages(jun, 'garden club', 'Anyone growing tomatoes?').waitFor();
  const garden = mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^garden club/ });
  const newest = garden.locator('.room-last');
  await newest.filter({ hasText: 'You: Anyone growing tomatoes?' }).waitFor();

  // Mina goes on to another room; what Jun says in the garden club shows under its name.
  await createRoom(mina, 'quiet corner');
  await say(jun, 'Mine are ripe!');
  await newest.filter({ hasText: 'Jun: Mine are ripe!' }).waitFor();
  // A screen reader hears it with the room's name, apart from it.
  await mina.getByRole('link', { name: /^garden club\W+Jun: Mine are ripe!/ }).waitFor();
  assert.deepEqual(await seriousViolations(mina), [], 'the line passes axe');

  // Taken back, it gives way to the message before it; a reload brings the same from the server.
  await deleteMessage(messages(jun, 'garden club', 'Mine are ripe!'));
  await newest.filter({ hasText: 'You: Anyone growing tomatoes?' }).waitFor();
  await mina.reload();
  await newest.filter({ hasText: 'You: Anyone growing tomatoes?' }).waitFor();
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});

test('after a reload the room still says who joined and who left, where it happened among the messages', async () => {
  const mina = await signIn('Mina');
  await createRoom(mina, 'reading circle');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('First chapter tonight');
  await composer.press('Enter');
  const jun = await signIn('Jun');
  await jun.getByRole('button', { name: 'Join reading circle' }).click();
  await jun.getByRole('log', { name: 'reading circle' }).waitFor();
  await mina.getByText('Jun joined').waitFor();
  await composer.fill('Welcome, Jun!');
  await composer.press('Enter');
  await messages(mina, 'reading circle', 'Welcome, Jun!').filter({ hasNotText: 'Sending…' }).waitFor();
  await jun.getByRole('button', { name: /^Members/ }).click();
  await jun.getByRole('button', { name: 'Leave room' }).click();
  await mina.getByText('Jun left').waitFor();

  // The room's rows in order: each notice by its words, each message by its text.
  const rows = () =>
    mina
      .getByRole('log', { name: 'reading circle' })
      .locator('.notice, article .message-text')
      .evaluateAll((rows) => rows.map((row) => row.textContent));
  const seen = await rows();
  assert.deepEqual(seen, [
    'Room “reading circle” was created',
    'Mina joined',
    'First chapter tonight',
    'Jun joined',
    'Welcome, Jun!',
    'Jun left',
  ]);
  await mina.reload();
  await messages(mina, 'reading circle', 'Welcome, Jun!').waitFor();
  assert.deepEqual(await rows(), seen, 'the same, from the server’s history');
  assert.deepEqual([...mina.errors, ...jun.errors], []);
});

test('a reaction made offline to a message deleted meanwhile is explained, not dropped in silence', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'tunnel talk');
  const junComposer = jun.getByRole('textbox', { name: 'Message' });
  await junComposer.fill('soon gone');
  await junComposer.press('Enter');
  await messages(mina, 'tunnel talk', 'soon gone').waitFor();

  // In the tunnel, Mina reacts; meanwhile Jun deletes his message.
  let tunnel = true;
  await mina.context().routeWebSocket(/\/ws$/, (ws) => (tunnel ? ws.close() : ws.connectToServer()));
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 15_000 });
  const doomed = messages(mina, 'tunnel talk', 'soon gone');
  await doomed.hover();
  await doomed.getByRole('button', { name: 'Add reaction' }).click();
  await doomed.getByRole('button', { name: 'React with 😮' }).click();
  await doomed.getByRole('button', { name: '😮 1, including you' }).waitFor();
  const junsMessage = messages(jun, 'tunnel talk', 'soon gone');
  await deleteMessage(junsMessage);

  // Out of the tunnel: the server refuses the reaction, and Mina is told why.
  tunnel = false;
  await retryNow(mina);
  const told = mina.getByRole('alert').filter({ hasText: "Couldn't change the reaction: that message was deleted" });
  await told.waitFor({ timeout: 30_000 });
  await messages(mina, 'tunnel talk', 'This message was deleted.').waitFor();
  assert.equal(await mina.getByRole('button', { name: /😮/ }).count(), 0, 'no reaction left on the deleted message');
  await told.getByRole('button', { name: 'Dismiss' }).click();
  await told.waitFor({ state: 'detached' });
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});

test('on a phone, rooms and a room take turns on the screen, a tap on a message shows its buttons, hidden buttons take no taps, and its reactions are all on the screen', async () => {
  const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
  const mina = await signedInPage(world.browser, world.server.url, 'Mina', phone);
  // One screen at a time: her rooms, then the room she opens, all the phone's height.
  const rooms = mina.getByRole('navigation', { name: 'Rooms' });
  assert.ok(await rooms.isVisible(), 'her rooms first');
  // Her name's form, opened from a button short of the screen's edge, is all on the screen.
  await mina.getByRole('button', { name: 'Your name: Mina' }).tap();
  const nameForm = await mina.getByRole('textbox', { name: 'Your name' }).evaluate((field) => {
    const { left, right } = field.closest('form').getBoundingClientRect();
    return { left, right };
  });
  assert.ok(nameForm.left >= 0 && nameForm.right <= 360, `her name's form at ${nameForm.left}–${nameForm.right}`);
  await mina.keyboard.press('Escape');
  await mina.getByRole('textbox', { name: 'Your name' }).waitFor({ state: 'detached' });
  await mina.getByRole('button', { name: 'New room' }).tap();
  await mina.getByRole('textbox', { name: 'Room name' }).fill('on the bus');
  await mina.getByRole('button', { name: 'Create' }).tap();
  const log = mina.getByRole('log', { name: 'on the bus' });
  await log.waitFor();
  await rooms.waitFor({ state: 'hidden' });
  assert.ok((await log.boundingBox()).height > 400, 'the conversation has the screen');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('tap me');
  await composer.press('Enter');
  const message = messages(mina, 'on the bus', 'tap me').filter({ hasNotText: 'Sending…' });
  await message.waitFor();
  // The confirmed row can come a frame before the "Sending…" one goes.
  await nothingWaiting(mina);

  // A tap where the hidden Delete button sits deletes nothing: it shows the buttons.
  const deleteButton = message.getByRole('button', { name: 'Delete' });
  const box = await deleteButton.boundingBox();
  await mina.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
  await mina.waitForFunction(() => getComputedStyle(document.querySelector('.message-actions')).opacity === '1');
  assert.equal(await messages(mina, 'on the bus', 'tap me').count(), 1, 'still there');
  // They come under it, clear of her name and time, each big enough for a finger.
  const nameLine = await message.locator('.message-header').boundingBox();
  const shown = await message.locator('.message-actions button').evaluateAll((buttons) =>
    buttons.map((button) => button.getBoundingClientRect()).map(({ top, bottom }) => [top, bottom]),
  );
  for (const [top, bottom] of shown) {
    assert.ok(top >= nameLine.y + nameLine.height, `a button at ${top}, under the name line's ${nameLine.y + nameLine.height}`);
    assert.ok(bottom - top >= 32, `${bottom - top} px tall`);
  }

  // Every reaction in the palette is on the screen, none off its edge.
  await message.getByRole('button', { name: 'Add reaction' }).tap();
  const palette = message.getByRole('group', { name: 'Add reaction' });
  await palette.waitFor();
  const reactions = await palette.getByRole('button').evaluateAll((buttons) =>
    buttons.map((button) => button.getBoundingClientRect()).map(({ left, right }) => [left, right]),
  );
  assert.ok(reactions.length > 0);
  for (const [left, right] of reactions) assert.ok(left >= 0 && right <= 360, `${left}–${right} on a 360 px screen`);
  await message.getByRole('button', { name: 'Add reaction' }).tap();
  await palette.waitFor({ state: 'detached' });

  // She answers a long message of hers: the bar saying what she answers
  // stays on the screen, and the message's buttons go.
  const long = 'Bring boots, a rain jacket and snacks; I will bring the stove, the coffee and the maps for the ridge trail';
  await composer.fill(long);
  await composer.press('Enter');
  const longMessage = messages(mina, 'on the bus', long).filter({ hasNotText: 'Sending…' });
  await longMessage.waitFor();
  await nothingWaiting(mina);
  await longMessage.locator('.message-text').tap();
  await longMessage.getByRole('button', { name: 'Reply' }).tap();
  const cancelReply = mina.getByRole('button', { name: 'Cancel reply' });
  await cancelReply.waitFor();
  const { right } = await cancelReply.boundingBox().then(({ x, width }) => ({ right: x + width }));
  assert.ok(right <= 360, `"Cancel reply" ends at ${right} on a 360 px screen`);
  assert.equal(await mina.evaluate(() => document.documentElement.scrollWidth), 360, 'no sideways scroll');
  await mina.waitForFunction(() => !document.querySelector('.message.selected'), null, { timeout: 5_000 });
  await cancelReply.tap();

  // Delete, pressed now, works once she says yes.
  await message.locator('.message-text').tap();
  await deleteButton.tap();
  await mina.getByRole('alertdialog', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).tap();
  await messages(mina, 'on the bus', 'This message was deleted.').waitFor();

  // "← Rooms" takes her back to her rooms, and a tap on one opens it again.
  // In and out as often as she likes, the phone's Back has no more to walk
  // through: "← Rooms" went back, as Back would. The focus is never lost to
  // the page: it goes to the room's link, then to the room's name.
  const entries = await mina.evaluate(() => history.length);
  const focusedIs = (selector) =>
    mina.waitForFunction((selector) => document.activeElement?.matches(selector), selector, { timeout: 5_000 });
  for (let visit = 0; visit < 2; visit++) {
    await mina.getByRole('link', { name: 'Rooms', exact: true }).tap();
    await rooms.waitFor();
    await log.waitFor({ state: 'detached' });
    await focusedIs('.room-link');
    assert.equal(await mina.evaluate(() => document.activeElement.querySelector('.room-name').textContent), 'on the bus');
    await rooms.getByRole('link', { name: 'on the bus' }).tap();
    await log.waitFor();
    await focusedIs('h2.room-title');
  }
  assert.equal(await mina.evaluate(() => history.length), entries, 'no entries piled up');

  // A hurried double tap on "← Rooms" goes back once: the second, before
  // the first has landed, would have taken her out of the app.
  const backs = await mina.getByRole('link', { name: 'Rooms', exact: true }).evaluate((link) => {
    let backs = 0;
    const back = history.back.bind(history);
    history.back = () => {
      backs += 1;
      back();
    };
    link.click();
    link.click();
    return backs;
  });
  assert.equal(backs, 1, 'one step back');
  await rooms.waitFor();
  await log.waitFor({ state: 'detached' });
  await rooms.getByRole('link', { name: 'on the bus' }).tap();
  await log.waitFor();
  assert.equal(await mina.evaluate(() => history.length), entries, 'and the app is where it was');

  // A step back that never lands (the page put in the back/forward cache on
  // its way, say) leaves no link dead: a moment later, "← Rooms" works.
  await mina.evaluate(() => {
    const back = history.back;
    history.back = () => {
      history.back = back;
    };
  });
  await mina.getByRole('link', { name: 'Rooms', exact: true }).tap();
  await mina.waitForTimeout(1_200);
  await mina.getByRole('link', { name: 'Rooms', exact: true }).tap();
  await rooms.waitFor();
  await log.waitFor({ state: 'detached' });
  assert.deepEqual(mina.errors, []);
});

/** The name of what has the focus on `page`, as a screen reader says it. */
const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent);

test('Mina presses Delete by mistake: she is asked first, and no, Escape or a click beside it keeps her message', async () => {
  const mina = await signIn('Mina');
  await createRoom(mina, 'elsewhere');
  await createRoom(mina, 'second thoughts');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  for (const text of ['keep me', 'gone meanwhile', 'let me go']) {
    await composer.fill(text);
    await composer.press('Enter');
  }
  await nothingWaiting(mina);
  const keep = messages(mina, 'second thoughts', 'keep me');
  const question = mina.getByRole('alertdialog', { name: 'Delete this message?' });
  const deleteButton = keep.getByRole('button', { name: 'Delete' });
  const ask = async (row) => {
    await row.hover();
    await row.getByRole('button', { name: 'Delete' }).click();
    await question.getByText("Everyone in the room will see that it was deleted. This can't be undone.").waitFor();
  };

  // While it asks, the room stays: its shortcuts wait, and neither a click on
  // the question's own edge nor its words selected out past it is an answer.
  await ask(keep);
  assert.equal(await focused(mina), 'Cancel', 'a key pressed by mistake deletes nothing');
  const room = mina.url();
  await mina.keyboard.press('Alt+ArrowUp');
  const edge = await question.boundingBox();
  await mina.mouse.click(edge.x + edge.width / 2, edge.y + 4);
  const words = await question.getByText('Everyone in the room').boundingBox();
  await mina.mouse.move(words.x + 5, words.y + words.height / 2);
  await mina.mouse.down();
  await mina.mouse.move(5, 5, { steps: 5 });
  await mina.mouse.up();
  assert.ok(await question.isVisible(), 'still asking');
  assert.equal(mina.url(), room, 'in the same room');

  // Back to the room before: the question goes with the room it was asked in.
  await mina.goBack();
  await mina.getByRole('log', { name: 'elsewhere' }).waitFor();
  await question.waitFor({ state: 'hidden' });
  await mina.goForward();
  await mina.getByRole('log', { name: 'second thoughts' }).waitFor();

  // Each way of saying no keeps her message, and her place on its Delete.
  for (const sayNo of [
    () => mina.keyboard.press('Escape'),
    () => question.getByRole('button', { name: 'Cancel' }).click(),
    () => mina.mouse.click(5, 5),
  ]) {
    if (!(await question.isVisible())) await ask(keep);
    await sayNo();
    await question.waitFor({ state: 'hidden' });
    assert.equal(await focused(mina), 'Delete', 'back on the Delete she pressed');
  }

  // Her other tab deletes a message while this one asks about it: there is
  // nothing left to ask, and no Delete to go back to, so the message box.
  const otherTab = await mina.context().newPage();
  await otherTab.goto(mina.url());
  const thereToo = messages(otherTab, 'second thoughts', 'gone meanwhile');
  await thereToo.waitFor({ timeout: 30_000 });
  await ask(messages(mina, 'second thoughts', 'gone meanwhile'));
  await deleteMessage(thereToo);
  await messages(mina, 'second thoughts', 'This message was deleted.').waitFor();
  await question.waitFor({ state: 'hidden' });
  // The dialog's `close` event, which moves the focus, comes a moment after it closes.
  await mina.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Message');
  await otherTab.close();

  // Yes deletes, and she types on in the message box.
  await deleteMessage(messages(mina, 'second thoughts', 'let me go'));
  await messages(mina, 'second thoughts', 'let me go').waitFor({ state: 'detached' });
  await mina.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Message');
  await mina.keyboard.type('as I was saying');
  assert.equal(await composer.inputValue(), 'as I was saying');

  // As the server keeps them: the message she said no for, and the others deleted.
  await mina.reload();
  await keep.waitFor();
  assert.equal(await messages(mina, 'second thoughts', 'This message was deleted.').count(), 2);
  assert.deepEqual(mina.errors, [], 'no uncaught errors');
});

test('a Korean page asks in Korean before a message is deleted', async () => {
  // bypassCSP: for axe's script, which the app's policy would refuse.
  const page = await inKoreanRoom(world.browser, world.server.url, '미나', '점심', { bypassCSP: true });
  const composer = page.getByRole('textbox', { name: '메시지' });
  await composer.fill('김밥 어때요?');
  await composer.press('Enter');
  await nothingWaiting(page);
  const row = messages(page, '점심', '김밥 어때요?');
  await row.hover();
  await row.getByRole('button', { name: '삭제' }).click();
  const question = page.getByRole('alertdialog', { name: '이 메시지를 삭제할까요?' });
  await question.getByText('방의 모두에게 삭제된 메시지로 보여요. 되돌릴 수 없어요.').waitFor();
  assert.deepEqual(await seriousViolations(page), [], 'axe finds nothing serious in the question');
  await question.getByRole('button', { name: '삭제' }).click();
  await messages(page, '점심', '삭제된 메시지예요.').waitFor();
  assert.deepEqual(page.errors, [], 'no uncaught errors');
  await page.context().close();
});

test('two tabs write in a tunnel, one is closed, and both messages arrive once', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'two tabs');

  // A second tab of Mina's, on the same room; then the tunnel, for both.
  const secondTab = await mina.context().newPage();
  secondTab.errors = [];
  secondTab.on('pageerror', (error) => secondTab.errors.push(error.message));
  let tunnel = true;
  await mina.context().routeWebSocket(/\/ws$/, (ws) => (tunnel ? ws.close() : ws.connectToServer()));
  await secondTab.goto(world.server.url);
  await mina.reload();
  for (const tab of [mina, secondTab]) {
    await tab.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 30_000 });
    await tab.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'two tabs' }).click();
    await tab.getByRole('log', { name: 'two tabs' }).waitFor();
  }

  // Each tab queues a message; the second tab is closed before the tunnel ends.
  for (const [tab, text] of [[mina, 'from the first tab'], [secondTab, 'from the closed tab']]) {
    const composer = tab.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    await composer.press('Enter');
    await messages(tab, 'two tabs', text).filter({ hasText: 'Sending…' }).waitFor();
  }
  assert.deepEqual(secondTab.errors, [], 'no uncaught errors in the closed tab');
  await secondTab.close({ runBeforeUnload: true });

  // Out of the tunnel: the open tab sends its own message and the closed tab's.
  tunnel = false;
  await retryNow(mina);
  for (const text of ['from the first tab', 'from the closed tab']) {
    await messages(jun, 'two tabs', text).waitFor({ timeout: 30_000 });
    assert.equal(await messages(jun, 'two tabs', text).count(), 1, `${text}: delivered exactly once`);
  }
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});

test('in a tunnel, a join and an edit show as waiting until they are done', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'tunnel edits');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('see you at 6');
  await composer.press('Enter');
  await messages(jun, 'tunnel edits', 'see you at 6').waitFor();
  await jun.getByRole('button', { name: 'New room' }).click();
  await jun.getByRole('textbox', { name: 'Room name' }).fill('book club');
  await jun.getByRole('button', { name: 'Create' }).click();
  await jun.getByRole('log', { name: 'book club' }).waitFor();
  await jun.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'tunnel edits' }).click();

  // In the tunnel, Mina joins Jun's new room and fixes her message.
  let tunnel = true;
  await mina.context().routeWebSocket(/\/ws$/, (ws) => (tunnel ? ws.close() : ws.connectToServer()));
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 15_000 });
  await mina.getByRole('listitem').filter({ hasText: 'book club' }).getByRole('button', { name: 'Join' }).click();
  await mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'tunnel edits' }).click();
  const mine = messages(mina, 'tunnel edits', 'see you at 6');
  await mine.hover();
  await mine.getByRole('button', { name: 'Edit' }).click();
  const editor = mina.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('see you at 7');
  await editor.press('Enter');

  // Both are listed as waiting, where Mina can see them.
  const waiting = mina.getByRole('list', { name: 'Waiting to be done' });
  await waiting.getByRole('listitem').filter({ hasText: 'Joining “book club”…' }).waitFor();
  await waiting.getByRole('listitem').filter({ hasText: 'Saving your edit…' }).waitFor();

  // Out of the tunnel, both are done and the list empties.
  tunnel = false;
  await retryNow(mina);
  await waiting.getByRole('listitem').first().waitFor({ state: 'detached', timeout: 30_000 });
  await mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'book club' }).waitFor();
  await messages(jun, 'tunnel edits', 'see you at 7').waitFor({ timeout: 30_000 });
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});

test('a tab crashes with a message queued in a tunnel, and another tab sends it once', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'crash site');

  // A second tab of Mina's; then the tunnel, for both.
  const doomedTab = await mina.context().newPage();
  let tunnel = true;
  await mina.context().routeWebSocket(/\/ws$/, (ws) => (tunnel ? ws.close() : ws.connectToServer()));
  await doomedTab.goto(world.server.url);
  await mina.reload();
  for (const tab of [mina, doomedTab]) {
    await tab.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 30_000 });
  }
  await doomedTab.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'crash site' }).click();
  const composer = doomedTab.getByRole('textbox', { name: 'Message' });
  await composer.fill('written just before the crash');
  await composer.press('Enter');
  await messages(doomedTab, 'crash site', 'written just before the crash').filter({ hasText: 'Sending…' }).waitFor();

  // The tab's renderer crashes: no pagehide, nothing saved on the way out.
  const crashed = doomedTab.waitForEvent('crash');
  const devtools = await doomedTab.context().newCDPSession(doomedTab);
  devtools.send('Page.crash').catch(() => {});
  await crashed;

  // Out of the tunnel: Mina's open tab finds the crashed tab's message and sends it, once.
  tunnel = false;
  await retryNow(mina);
  const arrived = messages(jun, 'crash site', 'written just before the crash');
  await arrived.waitFor({ timeout: 30_000 });
  await mina.waitForTimeout(2_000);
  assert.equal(await arrived.count(), 1, 'delivered exactly once');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors on either page');
});
