// Mina writes the way people do in a chat app: a long message over several
// lines, sent with a click on Send and the next one typed at once; an edit
// she empties by mistake, and one made in Korean. The message box grows with
// her lines and shrinks once they are sent, in a browser that sizes fields
// itself and in one that does not (Firefox); Send leaves her in the box; an
// edit that cannot be saved says why, in her language, and stays open, and
// Escape pressed to end a Korean syllable does not throw her edit away; the
// newest message stays in view as the box grows, and the edit of a long one
// opens all in view; ↑ pressed on a slow network just after Enter edits the
// message she just sent; a message shows once, never as sent and as
// "Sending…" at the same moment. What she has not sent yet, and the message
// she is answering, waits in its room (a draft), through a reload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bothIn,
  collectErrors,
  createRoom,
  deleteMessage,
  inKoreanRoom,
  nothingWaiting,
  postMessages,
  serverAndBrowser,
  signedInPage,
  signOut,
} from '../harness.mjs';

const world = serverAndBrowser();

/** Mina's message in `room` that holds `text`, once the server has it. */
const message = (page, room, text) =>
  page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text });

/**
 * `page`'s person says `text` in `room`, opens its edit with ↑, empties it
 * and presses Enter; `labels` are the message box's and the edit's names in
 * the page's language. The edit field.
 */
async function emptyAnEdit(page, room, text, labels) {
  const composer = page.getByRole('textbox', { name: labels.message });
  await composer.pressSequentially(text);
  await composer.press('Enter');
  await message(page, room, text).waitFor();
  await composer.press('ArrowUp');
  const edit = page.getByRole('textbox', { name: labels.edit });
  await edit.fill('');
  await edit.press('Enter');
  return edit;
}

const height = (field) => field.evaluate((element) => element.getBoundingClientRect().height);

test('the message box grows with her lines, and after a click on Send she types the next message at once', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'plans');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  const oneLine = await height(composer);

  await composer.pressSequentially('Saturday:');
  for (const line of ['- market at 10', '- lunch by the river', '- the museum']) {
    await composer.press('Shift+Enter');
    await composer.pressSequentially(line);
  }
  const fourLines = await height(composer);
  assert.ok(fourLines >= oneLine * 2.5, `the box shows her lines (${oneLine} px → ${fourLines} px)`);

  await mina.getByRole('button', { name: 'Send' }).click();
  await message(mina, 'plans', 'the museum').waitFor();
  assert.equal(await height(composer), oneLine, 'one line again, for the next message');
  await mina.keyboard.type('Who is in?');
  assert.equal(await composer.inputValue(), 'Who is in?', 'typed into the box, not lost on the button');
  await mina.keyboard.press('Enter');
  await message(mina, 'plans', 'Who is in?').waitFor();
  assert.deepEqual(mina.errors, []);
  await mina.context().close();
});

/** Whether all of `locator`'s box is inside the view of the list `log`. */
async function wholeInViewOf(log, locator) {
  await log.page().waitForTimeout(300); // a frame or two for anything that would move the view
  const [list, box] = [await log.boundingBox(), await locator.boundingBox()];
  return box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1;
}

/** Waits until the page has drawn twice, so that what a frame measures is done. */
const twoFrames = (page) =>
  page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));

/** Whether all of a field's text shows, with nothing scrolled out of it. */
const showsAllItsText = (field) => field.evaluate((element) => element.scrollHeight <= element.clientHeight);

test('in a browser that does not size fields itself, as Firefox, the message box and the edit still grow with her lines', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'packing list');
  // Firefox does not know `field-sizing`: the page is made to answer and draw as it would.
  await mina.addInitScript(() => {
    const supports = CSS.supports.bind(CSS);
    CSS.supports = (...query) => !String(query[0]).includes('field-sizing') && supports(...query);
    const unknown = new CSSStyleSheet();
    unknown.replaceSync('textarea { field-sizing: fixed !important; }');
    document.adoptedStyleSheets = [unknown];
  });
  await mina.reload();
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.waitFor();
  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  await postMessages(mina, room, 30, 'earlier');
  const newest = message(mina, 'packing list', 'earlier 30');
  await newest.waitFor();
  await twoFrames(mina);
  const oneLine = await height(composer);

  await composer.pressSequentially('Bring:');
  for (const line of ['- a tent', '- two torches', '- the map']) {
    await composer.press('Shift+Enter');
    await composer.pressSequentially(line);
    assert.ok(await wholeInViewOf(mina.getByRole('log', { name: 'packing list' }), newest), 'the newest message stays in view');
  }
  await twoFrames(mina);
  const fourLines = await height(composer);
  assert.ok(fourLines >= oneLine * 2.5, `the box shows her lines (${oneLine} px → ${fourLines} px)`);
  assert.ok(await showsAllItsText(composer), 'none of them scrolled out of sight');

  // A long line, then a narrower window: it wraps, and the box grows for it.
  await composer.press('Shift+Enter');
  await composer.pressSequentially('- the long blue rope from the car');
  await mina.setViewportSize({ width: 420, height: 800 });
  await twoFrames(mina);
  assert.ok(await showsAllItsText(composer), 'all of it still shows');
  await mina.setViewportSize({ width: 1200, height: 800 });

  await composer.press('Enter');
  await message(mina, 'packing list', 'the map').waitFor();
  await twoFrames(mina);
  assert.equal(await height(composer), oneLine, 'one line again, for the next message');

  // ↑ opens the edit of her four lines: all of them show, and it grows as she adds one.
  await composer.press('ArrowUp');
  const edit = mina.getByRole('textbox', { name: 'Edit message' });
  await edit.waitFor();
  await twoFrames(mina);
  assert.ok(await showsAllItsText(edit), 'the whole message shows in its edit');
  const editHeight = await height(edit);
  await edit.press('End');
  await edit.press('Shift+Enter');
  await edit.pressSequentially('- matches');
  await twoFrames(mina);
  assert.ok((await height(edit)) > editHeight, 'a line added grows the edit');
  assert.ok(await showsAllItsText(edit), 'and shows it');
  assert.deepEqual(mina.errors, []);
  await mina.context().close();
});

test('a message box grown over lines keeps her newest message in view, and ↑ opens all of its edit in view', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'minutes');
  const room = Number(new URL(mina.url()).pathname.split('/')[2]);
  await postMessages(mina, room, 30, 'earlier');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  const lines = ['Agenda:', '1. budget', '2. venue', '3. food', '4. music', '5. anything else'];
  await composer.fill(lines.join('\n'));
  await composer.press('Enter');
  const agenda = message(mina, 'minutes', 'anything else');
  await agenda.waitFor();
  const wholeInView = (locator) => wholeInViewOf(mina.getByRole('log', { name: 'minutes' }), locator);

  // Her next message grows the box over five lines: the list, shorter, still shows her last one.
  await composer.fill('Minutes:\n- budget agreed\n- venue booked\n- food to decide\n- music by Jun');
  assert.ok(await wholeInView(agenda), 'the newest message stays in view');

  // ↑ in the emptied box opens her last message's edit, taller than it was: all of it shows.
  await composer.fill('');
  await composer.press('ArrowUp');
  await mina.getByRole('textbox', { name: 'Edit message' }).waitFor();
  assert.ok(await wholeInView(mina.locator('.edit-form')), 'the whole edit is in view');
  assert.deepEqual(mina.errors, []);
  await mina.context().close();
});

test('↑ pressed while her message is still on its way opens its edit once the server has it, never the one before', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'typos');
  // A slow network: what the server says reaches her only when let through.
  let socket = null;
  let held = null;
  await mina.context().routeWebSocket(/\/ws$/, (ws) => {
    socket = ws;
    ws.connectToServer().onMessage((frame) => (held ? held.push(frame) : ws.send(frame)));
  });
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('See you at 6');
  await composer.press('Enter');
  await message(mina, 'typos', 'See you at 6').waitFor();

  held = [];
  await composer.fill('Runing late');
  await composer.press('Enter');
  await mina.locator('article.pending').filter({ hasText: 'Runing late' }).getByText('Sending…').waitFor();
  await composer.press('ArrowUp');
  const edit = mina.getByRole('textbox', { name: 'Edit message' });
  assert.equal(await edit.count(), 0, 'not "See you at 6", the message before the one she sees as her newest');

  const arrived = held;
  held = null;
  for (const frame of arrived) socket.send(frame);
  assert.equal(await edit.inputValue(), 'Runing late', 'the message she just sent, once the server has it');
  await edit.fill('Running late');
  await edit.press('Enter');
  await message(mina, 'typos', 'Running late').filter({ hasText: '(edited)' }).waitFor();

  // She presses ↑ again on her way, then thinks better of it and types: nothing opens behind her.
  held = [];
  await composer.fill('On my way');
  await composer.press('Enter');
  await mina.locator('article.pending').filter({ hasText: 'On my way' }).getByText('Sending…').waitFor();
  await composer.press('ArrowUp');
  await composer.pressSequentially('Sorry');
  const later = held;
  held = null;
  for (const frame of later) socket.send(frame);
  await message(mina, 'typos', 'On my way').waitFor();
  await nothingWaiting(mina);
  assert.equal(await edit.count(), 0, 'no edit opened while she typed');
  assert.equal(await composer.inputValue(), 'Sorry');
  assert.deepEqual(mina.errors, []);
  await mina.context().close();
});

test('each message Mina sends shows once: the moment the room has it, its "Sending…" copy is gone', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'once');
  // Every change to the page is looked at, and a message shown both as sent
  // and as "Sending…" at any moment is written down. The server sends the
  // room's event and then its ack; drawn apart, they showed her message twice.
  await mina.evaluate(() => {
    window.shownTwice = [];
    const log = document.querySelector('[role=log].messages');
    new MutationObserver(() => {
      const sent = [...log.querySelectorAll('article[data-seq] .message-text')].map((text) => text.textContent);
      for (const pending of log.querySelectorAll('article.pending .message-text')) {
        if (sent.includes(pending.textContent)) window.shownTwice.push(pending.textContent);
      }
    }).observe(log, { childList: true, subtree: true, characterData: true });
  });
  const composer = mina.getByRole('textbox', { name: 'Message' });
  for (const text of ['Lunch?', 'At the usual place', 'Noon, then']) {
    await composer.fill(text);
    await composer.press('Enter');
    await message(mina, 'once', text).waitFor();
  }
  await mina.locator('article.pending').waitFor({ state: 'detached' });
  assert.deepEqual(await mina.evaluate(() => window.shownTwice), [], 'no message shown as sent and as Sending… at once');
  assert.deepEqual(mina.errors, [], 'no uncaught errors');
});

test('an edit she empties says why and stays open; in Korean it says so in Korean, and Escape ending a syllable keeps it', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'plans');
  const edit = await emptyAnEdit(mina, 'plans', 'Meet at 10', { message: 'Message', edit: 'Edit message' });
  const why = mina.getByRole('alert').filter({ hasText: 'the message is empty' });
  await why.waitFor();
  assert.equal(await edit.count(), 1, 'the edit stays open');
  await edit.pressSequentially('Meet at 11');
  assert.equal(await why.count(), 0, 'gone as she types');
  await edit.press('Enter');
  await message(mina, 'plans', 'Meet at 11').filter({ hasText: '(edited)' }).waitFor();
  await mina.context().close();

  // 민아's browser is in Korean.
  const minah = await inKoreanRoom(world.browser, world.server.url, '민아', '주말');
  const fix = await emptyAnEdit(minah, '주말', '열 시에 만나요', { message: '메시지', edit: '메시지 수정' });
  await minah.getByRole('alert').filter({ hasText: '메시지가 비어 있어요' }).waitFor();

  // The Escape a Korean keyboard sends to end the syllable being composed
  // ends the syllable, not the edit; the next Escape ends the edit.
  await fix.pressSequentially('열한 시');
  await fix.evaluate((field) =>
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', isComposing: true, bubbles: true })),
  );
  assert.equal(await fix.inputValue(), '열한 시', 'still editing, her words there');
  await fix.press('Escape');
  await fix.waitFor({ state: 'detached' });
  assert.equal(await message(minah, '주말', '열 시에 만나요').count(), 1, 'the message as it was');
  assert.deepEqual(minah.errors, []);
  await minah.context().close();
});

test('a message half written waits in its room while she looks at another, and through a reload, until she sends it', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  const jun = await signedInPage(world.browser, world.server.url, 'Jun');
  await createRoom(mina, 'errands');
  await bothIn(mina, jun, 'trip');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('Bring the tent, @j');
  await mina.getByRole('listbox', { name: 'Mention' }).getByRole('option', { name: 'Jun' }).waitFor();
  await composer.press('Enter'); // picks Jun
  await composer.pressSequentially('and');

  // Her errands have a box of their own, empty; back in the trip, her words wait.
  const rooms = mina.getByRole('navigation', { name: 'Rooms' });
  await rooms.getByRole('link', { name: 'errands' }).click();
  await mina.getByRole('log', { name: 'errands' }).waitFor();
  assert.equal(await composer.inputValue(), '', 'each room has its own draft');
  await rooms.getByRole('link', { name: 'trip' }).click();
  await mina.getByRole('log', { name: 'trip' }).waitFor();
  assert.equal(await composer.inputValue(), 'Bring the tent, @Jun and');
  await mina.keyboard.type(' the stove'); // the box has the focus, her caret at the end

  // A reload keeps it too, and sent, the mention still means Jun.
  await mina.reload();
  await mina.getByRole('log', { name: 'trip' }).waitFor();
  assert.equal(await composer.inputValue(), 'Bring the tent, @Jun and the stove');
  await composer.press('Enter');
  const said = message(jun, 'trip', 'the stove');
  await said.waitFor();
  assert.equal(await said.locator('.mention.you').textContent(), '@Jun', 'a mention of him, not the letters');

  // Sent, it is no draft any more.
  await message(mina, 'trip', 'the stove').waitFor();
  await mina.reload();
  await mina.getByRole('log', { name: 'trip' }).waitFor();
  assert.equal(await composer.inputValue(), '');

  // A draft is not left for whoever signs in next on this browser.
  await composer.pressSequentially('just between us');
  await signOut(mina);
  const drafts = await mina.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('hanmadi.draft.')));
  assert.deepEqual(drafts, [], 'no draft kept');
  assert.deepEqual([...mina.errors, ...jun.errors], []);
  await mina.context().close();
  await jun.context().close();
});

test('her answer to Jun, half written, waits in its room through a reload and goes as a reply, unless he deletes his question', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  const jun = await signedInPage(world.browser, world.server.url, 'Jun');
  await createRoom(mina, 'chores');
  await bothIn(mina, jun, 'hike');
  await jun.getByRole('textbox', { name: 'Message' }).fill('Who has the map?');
  await jun.getByRole('textbox', { name: 'Message' }).press('Enter');
  const question = message(mina, 'hike', 'Who has the map?').first(); // the answer quotes it
  const answerJun = async () => {
    await question.hover();
    await question.getByRole('button', { name: 'Reply' }).click();
  };
  await answerJun();
  const replying = mina.getByText('Replying to Jun');
  await replying.waitFor();
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('I do, and');

  // Her chores answer nothing; back in the trip, she is still answering Jun.
  const rooms = mina.getByRole('navigation', { name: 'Rooms' });
  await rooms.getByRole('link', { name: 'chores' }).click();
  await mina.getByRole('log', { name: 'chores' }).waitFor();
  assert.equal(await replying.count(), 0, 'no answer in a room she did not answer in');
  await rooms.getByRole('link', { name: 'hike' }).click();
  await replying.waitFor();
  assert.equal(await composer.inputValue(), 'I do, and');

  // A reload keeps the answer with its words, and sent, it quotes his question.
  await mina.reload();
  await mina.getByRole('log', { name: 'hike' }).waitFor();
  await replying.waitFor();
  assert.equal(await composer.inputValue(), 'I do, and');
  await composer.press('End');
  await composer.pressSequentially(' the compass');
  await composer.press('Enter');
  await replying.waitFor({ state: 'detached' });
  await message(jun, 'hike', 'the compass')
    .getByRole('link', { name: 'In reply to Jun: Who has the map?' })
    .waitFor({ timeout: 30_000 });

  // Sent, it answers nothing any more; an answer begun with no words yet is
  // kept too, and one she cancels is forgotten.
  await message(mina, 'hike', 'the compass').waitFor();
  await mina.reload();
  await mina.getByRole('log', { name: 'hike' }).waitFor();
  assert.equal(await replying.count(), 0, 'the sent answer is not begun again');
  await answerJun();
  await replying.waitFor();
  await mina.reload();
  await replying.waitFor();
  await composer.press('Escape');
  await replying.waitFor({ state: 'detached' });
  await mina.reload();
  await question.waitFor();
  assert.equal(await replying.count(), 0, 'the cancelled answer stays cancelled');

  // Jun deletes his question while she answers it: nothing is left to
  // answer, and her words stay.
  await answerJun();
  await composer.pressSequentially('Still need');
  await deleteMessage(message(jun, 'hike', 'Who has the map?').first());
  await replying.waitFor({ state: 'detached' });
  assert.equal(await composer.inputValue(), 'Still need');
  assert.deepEqual([...mina.errors, ...jun.errors], []);
  await mina.context().close();
  await jun.context().close();
});

test('her draft follows her into her other tab, and once she sends it from one it is gone from both', async () => {
  const mina = await signedInPage(world.browser, world.server.url, 'Mina');
  await createRoom(mina, 'picnic');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('Who brings');
  const otherTab = collectErrors(await mina.context().newPage());
  await otherTab.goto(mina.url());
  await otherTab.getByRole('log', { name: 'picnic' }).waitFor({ timeout: 30_000 });
  const shown = (text) => otherTab.waitForFunction((text) => document.getElementById('composer')?.value === text, text);
  await shown('Who brings');

  // She writes on in the first tab; the other, where she typed nothing, follows.
  await composer.pressSequentially(' the blanket?');
  await shown('Who brings the blanket?');

  // Sent from the first, it is not left in the other to be sent twice.
  await composer.press('Enter');
  await message(mina, 'picnic', 'the blanket?').waitFor();
  await shown('');
  assert.deepEqual([...mina.errors, ...otherTab.errors], []);
  await mina.context().close();
});
