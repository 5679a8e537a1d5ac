// Private rooms and direct messages, as the people in them and outside tell it.
//
// Mina makes "secret plans" private: Jun, who sees her public rooms, never
// sees it. She copies an invite link from its members panel; Jun opens the
// link and is taken into the room, where they talk. Hana, who has never used
// the app, opens it too: before she picks a name she is told where it leads.
// Mina revokes the link, and when Sora opens it she is told it no longer
// works and gets nothing; someone not signed in is not even told the room.
//
// Jun messages Mina from the lobby's members panel: the conversation opens for
// him under "Direct messages", named after her, and reaches her there as
// unread. It is one conversation however often either of them opens it, it
// cannot be renamed, left or joined, and Sora, in the lobby with them, never
// sees it. When Jun takes a fuller name, the conversation takes it at once.
//
// Under his name, Mina's list shows what was said last in their
// conversation, as it stands: his words, "You: " before hers, an edit, a
// deletion giving way to the message before, and the same after a reload;
// "typing…" while he types. The conversation she heard from last is listed
// first, but not while her pointer or keyboard is on the list (and Alt+↑/↓
// follow the list as shown).
//
// Once Jun has read what Mina said last, "Seen" shows under it, until he
// answers; and again after she reloads. When Jun turns "Show Seen" off under
// his name, neither of them is shown what the other has read, in any of his
// tabs, on his phone at once and after a reload; turned on again, what was
// read meanwhile stays unsaid. A name he takes on his phone reaches his
// laptop at once, and stays after a reload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectErrors,
  createRoom,
  deleteMessage,
  nothingWaiting,
  sameSessionElsewhere,
  serverAndBrowser,
  seriousViolations,
  signedInPage,
} from '../harness.mjs';

const world = serverAndBrowser();

// axe's script needs the app's CSP bypassed; the story itself does not.
const signIn = (name) =>
  signedInPage(world.browser, world.server.url, name, { viewport: { width: 1200, height: 800 }, bypassCSP: true });

const message = (page, room, text) =>
  page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text });

const say = async (page, text) => {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
};

const openMembers = (page) => page.getByRole('button', { name: /^Members/ }).click();

test('a private room is joined only with its invite link, and a revoked link lets nobody in', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sora = await signIn('Sora');

  await mina.getByRole('button', { name: 'New room' }).click();
  await mina.getByRole('textbox', { name: 'Room name' }).fill('secret plans');
  const privately = mina.getByRole('checkbox', { name: 'Private' });
  // The box sits just before its word, at its own size.
  const [box, word] = await privately.evaluate((input) => {
    const range = document.createRange();
    range.selectNodeContents(input.parentElement);
    range.setStartAfter(input);
    return [input.getBoundingClientRect().toJSON(), range.getBoundingClientRect().toJSON()];
  });
  const gap = word.left - box.right;
  assert.ok(box.width <= 24 && gap >= 0 && gap <= 12, `box ${JSON.stringify(box)}, word ${JSON.stringify(word)}`);
  await privately.check();
  await mina.getByRole('button', { name: 'Create' }).click();
  await mina.getByRole('log', { name: 'secret plans' }).waitFor();
  await mina.getByRole('link', { name: /^secret plans\W+Private room$/ }).waitFor();
  // A public room made after it reaches Jun; the private one never does.
  await createRoom(mina, 'open');
  await jun.getByRole('button', { name: 'Join open' }).waitFor();
  assert.equal(await jun.getByText('secret plans').count(), 0, 'not listed to Jun');

  await mina.getByRole('link', { name: /secret plans/ }).click();
  await mina.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.server.url });
  await openMembers(mina);
  await mina.getByRole('button', { name: 'Copy invite link' }).click();
  await mina.getByRole('button', { name: 'Invite link copied' }).waitFor();
  const link = await mina.evaluate(() => navigator.clipboard.readText());
  assert.match(link, /\/invite\/[0-9a-f]{64}$/);
  assert.equal(await mina.getByRole('textbox', { name: 'Invite link' }).inputValue(), link, 'shown as well as copied');
  const live = mina.getByRole('listitem').filter({ hasText: /^Made by Mina/ });
  await live.waitFor();
  assert.deepEqual(await seriousViolations(mina), [], 'the panel with its invite links passes axe');

  await jun.goto(link);
  await jun.getByRole('log', { name: 'secret plans' }).waitFor({ timeout: 30_000 });
  assert.ok(new URL(jun.url()).pathname.startsWith('/rooms/'), 'taken into the room');
  await jun.getByRole('link', { name: /^secret plans\W+Private room$/ }).waitFor();
  await say(jun, 'count me in');
  await message(mina, 'secret plans', 'count me in').waitFor();

  // Hana has never used the app: the link's sign-in screen says where it
  // leads, and once she has a name she is in the room.
  const hana = collectErrors(await (await world.browser.newContext()).newPage());
  await hana.goto(link);
  await hana.getByText('Mina invited you to “secret plans”. Choose a name to join it.').waitFor({ timeout: 30_000 });
  await hana.getByRole('textbox', { name: 'Name' }).fill('Hana');
  await hana.getByRole('button', { name: 'Continue' }).click();
  await hana.getByRole('log', { name: 'secret plans' }).waitFor({ timeout: 30_000 });

  await live.getByRole('button', { name: /^Revoke the invite link: Made by Mina/ }).click();
  await live.waitFor({ state: 'detached' });

  await sora.goto(link);
  await sora.getByRole('alert').filter({ hasText: "Couldn't join with the invite" }).waitFor({ timeout: 30_000 });
  // Nor does it say where it led to someone not signed in.
  const stranger = collectErrors(await (await world.browser.newContext()).newPage());
  const asked = stranger.waitForResponse((response) => response.url().includes('/api/invites/'));
  await stranger.goto(link);
  assert.equal((await asked).status(), 404);
  await stranger.getByRole('textbox', { name: 'Name' }).waitFor();
  assert.equal(await stranger.getByText('secret plans').count(), 0, 'a revoked link names nothing');
  assert.equal(await sora.getByText('secret plans').count(), 0, 'a revoked link shows Sora nothing');
  assert.equal(new URL(sora.url()).pathname, '/', 'and the link is not kept in her history');
  for (const page of [mina, jun, sora, hana, stranger]) assert.deepEqual(page.errors, []);
  await Promise.all([hana, stranger].map((page) => page.context().close()));
});

test('"Message" opens one direct conversation for the two of them, which nobody else sees, named as he is now', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  const sora = await signIn('Sora');
  await createRoom(mina, 'lobby');
  for (const page of [jun, sora]) {
    await page.getByRole('button', { name: 'Join lobby' }).click();
    await page.getByRole('log', { name: 'lobby' }).waitFor();
  }

  await openMembers(jun);
  assert.equal(await jun.getByRole('button', { name: 'Message Jun' }).count(), 0, 'nobody messages themselves');
  await jun.getByRole('button', { name: 'Message Mina' }).click();
  await jun.getByRole('log', { name: 'Mina' }).waitFor();
  const junsDirect = jun.getByRole('navigation', { name: 'Rooms' });
  await junsDirect.getByRole('heading', { name: 'Direct messages' }).waitFor();
  await say(jun, 'just between us');
  await message(jun, 'Mina', 'just between us').waitFor();

  const withJun = mina.getByRole('link', { name: /^Jun/ });
  await withJun.getByLabel('1 unread').waitFor();
  await mina.getByRole('heading', { name: 'Direct messages' }).waitFor();
  await withJun.click();
  await message(mina, 'Jun', 'just between us').waitFor();
  await mina.getByRole('log', { name: 'Jun' }).getByText('This is the beginning of your conversation with Jun.').waitFor();
  // Under his name, whether he is here; no members panel, whose "Message",
  // invites, renaming and leaving mean nothing to the two of them.
  await mina.locator('.room-presence', { hasText: /^Online$/ }).waitFor();
  assert.equal(await mina.getByRole('button', { name: /^Members/ }).count(), 0, 'a conversation has no members');

  // From the lobby again, "Message Jun" finds the same conversation.
  await mina.getByRole('link', { name: 'lobby' }).click();
  await openMembers(mina);
  await mina.getByRole('button', { name: 'Message Jun' }).click();
  await message(mina, 'Jun', 'just between us').waitFor();
  assert.equal(await mina.getByRole('link', { name: /^Jun/ }).count(), 1, 'one conversation, not two');

  await say(sora, 'anyone around?');
  await message(sora, 'lobby', 'anyone around?').waitFor();
  assert.equal(await sora.getByRole('heading', { name: 'Direct messages' }).count(), 0, 'Sora has none');
  assert.equal(await sora.getByRole('link', { name: /^(Jun|Mina)/ }).count(), 0, 'and sees not theirs');

  // Jun takes a fuller name while Mina looks at the lobby's members: there,
  // and in her conversation with him, he is called so at once.
  await mina.getByRole('link', { name: 'lobby' }).click();
  const members = mina.getByRole('complementary', { name: 'Members' });
  if (!(await members.isVisible())) await openMembers(mina);
  await members.getByText('Jun').first().waitFor();
  await jun.getByRole('button', { name: 'Your name: Jun' }).click();
  await jun.getByRole('textbox', { name: 'Your name' }).fill('Jun Park');
  await jun.keyboard.press('Enter');
  await members.getByText('Jun Park').waitFor();
  await mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Jun Park/ }).waitFor();
  for (const page of [mina, jun, sora]) assert.deepEqual(page.errors, []);
});

test("under Jun's name Mina's list shows what was said last in their conversation, as it stands, after a reload too", async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'picnic');
  await jun.getByRole('button', { name: 'Join picnic' }).click();
  await jun.getByRole('log', { name: 'picnic' }).waitFor();
  await openMembers(jun);
  await jun.getByRole('button', { name: 'Message Mina' }).click();
  await jun.getByRole('log', { name: 'Mina' }).waitFor();
  await say(jun, 'Bring a blanket?');

  const withJun = mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Jun/ });
  const last = withJun.locator('.room-last');
  await last.filter({ hasText: 'Bring a blanket?' }).waitFor();
  // A screen reader hears it after his name, apart from it (Chromium puts a
  // space between the two lines).
  await mina.getByRole('link', { name: /^Jun ?: Bring a blanket\?/ }).waitFor();
  assert.deepEqual(await seriousViolations(mina), [], 'the line passes axe');
  await mina.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await seriousViolations(mina), [], 'in dark mode too');

  await withJun.click();
  await mina.mouse.move(600, 300); // off the rooms, over the conversation
  await say(mina, 'Yes, and snacks');
  await last.filter({ hasText: 'You: Yes, and snacks' }).waitFor();

  // Jun says when (his typing shows first), then corrects it, then takes it back.
  const composer = jun.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('See you at 7');
  await last.filter({ hasText: 'typing…' }).waitFor();
  await composer.press('Enter');
  await last.filter({ hasText: 'See you at 7' }).waitFor();
  // Mina may hear it before Jun's own socket does: ↑ edits his last message
  // there is, which until then is the one before.
  await nothingWaiting(jun);
  await composer.press('ArrowUp');
  const edit = jun.getByRole('textbox', { name: 'Edit message' });
  await edit.fill('See you at 8');
  await edit.press('Enter');
  await last.filter({ hasText: 'See you at 8' }).waitFor();
  await deleteMessage(message(jun, 'Mina', 'See you at 8'));
  await last.filter({ hasText: 'You: Yes, and snacks' }).waitFor();

  // Sora writes to her too: the conversation heard from last comes first.
  const sora = await signIn('Sora');
  await sora.getByRole('button', { name: 'Join picnic' }).click();
  await openMembers(sora);
  await sora.getByRole('button', { name: 'Message Mina' }).click();
  await sora.getByRole('log', { name: 'Mina' }).waitFor();
  await say(sora, 'Is the picnic still on?');
  await conversationsAre(mina, ['Sora', 'Jun']);

  // With her keyboard on Sora's link, the list holds still as Jun writes,
  // and the link keeps her focus; back in the conversation, Jun's comes first.
  const withSora = mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Sora/ });
  await withSora.focus();
  await say(jun, 'Bring a frisbee too');
  await last.filter({ hasText: 'Bring a frisbee too' }).waitFor();
  await conversationsAre(mina, ['Sora', 'Jun']);
  assert.ok(await withSora.evaluate((link) => link === document.activeElement), 'the focus stays on it');
  // Alt+↑ from Jun's conversation opens the one shown above it.
  await mina.keyboard.press('Alt+ArrowUp');
  await mina.getByRole('log', { name: 'Sora' }).waitFor();
  await mina.getByRole('textbox', { name: 'Message' }).focus();
  await conversationsAre(mina, ['Jun', 'Sora']);

  // After a reload, from the server: the same lines in the same order, with nothing opened.
  await mina.getByRole('link', { name: 'picnic', exact: true }).click();
  await mina.reload();
  await last.filter({ hasText: 'Bring a frisbee too' }).waitFor();
  await conversationsAre(mina, ['Jun', 'Sora']);
  for (const page of [mina, jun, sora]) assert.deepEqual(page.errors, []);
});

test('Mina sees "Seen" under her newest message once Jun has read it, until he answers, and after a reload', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'tea house');
  await jun.getByRole('button', { name: 'Join tea house' }).click();
  await jun.getByRole('log', { name: 'tea house' }).waitFor();
  await openMembers(jun);
  await jun.getByRole('button', { name: 'Message Mina' }).click();
  await jun.getByRole('log', { name: 'Mina' }).waitFor();
  // Enough for Mina's page, a small window, to scroll.
  for (const day of ['Friday', 'Saturday', 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday']) {
    await say(jun, `Free on ${day}?`);
  }
  await message(jun, 'Mina', 'Free on Thursday?').waitFor();
  await jun.getByRole('link', { name: 'tea house', exact: true }).click();

  // Jun looks elsewhere: what she says is not seen.
  await mina.setViewportSize({ width: 900, height: 420 });
  await mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Jun/ }).click();
  await say(mina, 'Yes! What is the plan?');
  const yes = message(mina, 'Jun', 'Yes! What is the plan?');
  await yes.waitFor();
  const seen = mina.getByRole('log', { name: 'Jun' }).locator('.seen');
  // Reads are reported at most a second apart: had his tab reported one, it
  // would have come by now.
  await mina.waitForTimeout(1500);
  assert.equal(await seen.count(), 0, 'he has not opened it');

  // He opens it: "Seen" comes under her message, in view, and passes axe.
  await jun.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Mina/ }).click();
  await yes.locator('.seen').filter({ hasText: 'Seen' }).waitFor();
  await seenInView(mina);
  assert.deepEqual(await seriousViolations(mina), []);

  // His answer says he read it; her next, once read, says "Seen" again.
  await say(jun, 'Tea at 3');
  await message(mina, 'Jun', 'Tea at 3').waitFor();
  await seen.waitFor({ state: 'detached' });
  await say(mina, 'See you there');
  const seeYou = message(mina, 'Jun', 'See you there');
  await seeYou.locator('.seen').waitFor();
  await seenInView(mina);

  // After a reload, from the server.
  await mina.reload();
  await seeYou.locator('.seen').waitFor();
  assert.equal(await seen.count(), 1);
  for (const page of [mina, jun]) assert.deepEqual(page.errors, []);
});

test('Jun turns "Show Seen" off under his name: neither he nor Mina is shown what the other read, until he turns it on again', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await createRoom(mina, 'reading room');
  await jun.getByRole('button', { name: 'Join reading room' }).click();
  await jun.getByRole('log', { name: 'reading room' }).waitFor();
  await openMembers(jun);
  await jun.getByRole('button', { name: 'Message Mina' }).click();
  await jun.getByRole('log', { name: 'Mina' }).waitFor();
  await say(jun, 'Free on Friday?');
  const friday = message(jun, 'Mina', 'Free on Friday?');
  await mina.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Jun/ }).click();
  await friday.locator('.seen').waitFor();
  // A second tab of his, on their conversation.
  const junsOtherTab = await jun.context().newPage();
  junsOtherTab.errors = [];
  junsOtherTab.on('pageerror', (error) => junsOtherTab.errors.push(error.message));
  await junsOtherTab.goto(world.server.url);
  await junsOtherTab.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Mina/ }).click();
  const fridayThere = message(junsOtherTab, 'Mina', 'Free on Friday?');
  await fridayThere.locator('.seen').waitFor();
  // And his phone: the same person on another device, on it too.
  const junsPhone = await sameSessionElsewhere(world.browser, world.server.url, jun);
  await junsPhone.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: /^Mina/ }).click();
  const fridayOnPhone = message(junsPhone, 'Mina', 'Free on Friday?');
  await fridayOnPhone.locator('.seen').waitFor();

  // He turns it off: the "Seen" he was shown goes at once, in both tabs and
  // on his phone, whose form says so too (not at its next token).
  const showSeen = (page) => page.getByRole('checkbox', { name: 'Show \u201cSeen\u201d' });
  await jun.getByRole('button', { name: 'Your name: Jun' }).click();
  assert.equal(await showSeen(jun).isChecked(), true, 'on by default');
  assert.deepEqual(await seriousViolations(jun), []);
  await showSeen(jun).uncheck();
  await jun.getByRole('button', { name: 'Save' }).click();
  await showSeen(jun).waitFor({ state: 'detached' });
  await friday.locator('.seen').waitFor({ state: 'detached' });
  await fridayThere.locator('.seen').waitFor({ state: 'detached' });
  await fridayOnPhone.locator('.seen').waitFor({ state: 'detached' });
  await junsPhone.getByRole('button', { name: 'Your name: Jun' }).click();
  assert.equal(await showSeen(junsPhone).isChecked(), false, 'his phone has his choice');
  await junsPhone.keyboard.press('Escape');
  await showSeen(junsPhone).waitFor({ state: 'detached' });
  await junsOtherTab.close();

  // What either says, the other reads in front of them; neither is shown it.
  // Reads are reported at most a second apart: one would have come by now.
  await say(mina, 'Yes! Where?');
  await message(jun, 'Mina', 'Yes! Where?').waitFor();
  await mina.waitForTimeout(1500);
  assert.equal(await mina.locator('.messages .seen').count(), 0, 'Mina is not shown what Jun read');
  await say(jun, 'The tea house');
  const teaHouse = message(jun, 'Mina', 'The tea house');
  await message(mina, 'Jun', 'The tea house').waitFor();
  await jun.waitForTimeout(1500);
  assert.equal(await jun.locator('.messages .seen').count(), 0, 'Jun is not shown what Mina read');

  // Nor after a reload; his choice is kept.
  await jun.reload();
  await teaHouse.waitFor();
  await jun.getByRole('button', { name: 'Your name: Jun' }).click();
  assert.equal(await showSeen(jun).isChecked(), false, 'kept off');
  assert.equal(await jun.locator('.messages .seen').count(), 0);

  // He turns it on again. What she read meanwhile stays unsaid; what each
  // says now, once the other has read it, shows "Seen".
  await showSeen(jun).check();
  await jun.getByRole('button', { name: 'Save' }).click();
  await showSeen(jun).waitFor({ state: 'detached' });
  await jun.reload();
  await teaHouse.waitFor();
  // The rooms list comes as the socket opens, with how far she has read.
  await jun.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  await jun.waitForTimeout(1000);
  assert.equal(await teaHouse.locator('.seen').count(), 0, 'what she read while it was off stays unsaid');
  await say(jun, 'Bring an umbrella');
  await message(jun, 'Mina', 'Bring an umbrella').locator('.seen').waitFor();
  await say(mina, 'See you there');
  await message(mina, 'Jun', 'See you there').locator('.seen').waitFor();

  // He takes a fuller name on his phone: his laptop's header has it at once,
  // and keeps it after a reload.
  await junsPhone.getByRole('button', { name: 'Your name: Jun' }).click();
  await junsPhone.getByRole('textbox', { name: 'Your name' }).fill('Junho');
  await junsPhone.getByRole('button', { name: 'Save' }).click();
  await jun.getByRole('button', { name: 'Your name: Junho' }).waitFor();
  // Kept by the laptop itself, not only told again as it reconnects.
  const savedName = await jun.evaluate(() => JSON.parse(localStorage.getItem('hanmadi.session')).user.name);
  assert.equal(savedName, 'Junho');
  await jun.reload();
  await jun.getByRole('button', { name: 'Your name: Junho' }).waitFor();
  for (const page of [mina, jun, junsOtherTab, junsPhone]) assert.deepEqual(page.errors, []);
});

/** Waits until "Seen" is wholly in view in `page`'s message list. */
const seenInView = (page) =>
  page.waitForFunction(() => {
    const seen = document.querySelector('.messages .seen');
    const list = seen?.closest('.messages');
    return seen && seen.getBoundingClientRect().bottom <= list.getBoundingClientRect().bottom + 1;
  });

/** Waits until `page`'s "Direct messages" lists exactly these names, in this order. */
const conversationsAre = (page, names) =>
  page.waitForFunction(
    (names) => {
      const heading = [...document.querySelectorAll('.side-heading')].find((h) => h.textContent === 'Direct messages');
      const shown = [...(heading?.nextElementSibling?.querySelectorAll('.room-name') ?? [])];
      return JSON.stringify(shown.map((name) => name.textContent.trim())) === JSON.stringify(names);
    },
    names,
    { timeout: 10_000 },
  );

test('Mina leaves the hallway on her phone and joins it again there: her laptop follows it live once more, nothing missing', async () => {
  const laptop = await signedInPage(world.browser, world.server.url, 'Mina');
  const jun = await signedInPage(world.browser, world.server.url, 'Jun');
  await createRoom(jun, 'hallway');
  await laptop.getByRole('button', { name: 'Join hallway' }).click();
  const said = (page, text) => page.getByRole('log', { name: 'hallway' }).locator('article[data-seq]').filter({ hasText: text });
  const junSays = async (text) => {
    const composer = jun.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    await composer.press('Enter');
    await said(jun, text).waitFor();
  };
  await junSays('Before she left');
  await said(laptop, 'Before she left').waitFor();

  // Her phone: the same person on another device, with the same session.
  const phone = await sameSessionElsewhere(world.browser, world.server.url, laptop);

  // She leaves the hallway on her phone: on her laptop too it is no longer
  // hers. Jun talks on.
  await phone.getByRole('link', { name: /hallway/ }).click();
  await phone.getByRole('button', { name: /^Members/ }).click();
  await phone.getByRole('button', { name: 'Leave room' }).click();
  await phone.getByRole('button', { name: 'Join hallway' }).waitFor();
  await laptop.getByRole('button', { name: 'Join hallway' }).waitFor({ timeout: 30_000 });
  await junSays('While she was away');

  // She joins it again on her phone: her laptop has it as hers, and what is
  // said there reaches it live, with nothing missing before.
  await phone.getByRole('button', { name: 'Join hallway' }).click();
  await phone.getByRole('log', { name: 'hallway' }).waitFor();
  await laptop.getByRole('link', { name: /hallway/ }).click();
  await laptop.getByRole('log', { name: 'hallway' }).waitFor();
  await junSays('Welcome back');
  await said(laptop, 'Welcome back').waitFor({ timeout: 30_000 });
  await said(laptop, 'While she was away').waitFor();
  for (const page of [laptop, phone, jun]) assert.deepEqual(page.errors, []);
});
