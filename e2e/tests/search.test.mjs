// Mina and Jun plan a picnic; Mina also has a work room Jun is not in. Each
// finds messages by searching, in English and Korean, only in their own
// rooms; a result opens its room at the message; a deleted message is never
// found again. When more are found than a page holds, she asks for the older
// ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothIn, createRoom, deleteMessage, serverAndBrowser, signedInPage } from '../harness.mjs';

const world = serverAndBrowser();

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

async function say(page, room, text) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  await page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text }).waitFor();
}

/** Searches for `query`; the results as [room, author, marked words, whole text], newest first. */
async function search(page, query, expected) {
  const box = page.getByRole('searchbox', { name: 'Search messages' });
  await box.fill(query);
  const results = page.getByRole('list', { name: 'Search results' });
  const read = () =>
    results.getByRole('listitem').evaluateAll((items) =>
      items.map((item) => [
        item.querySelector('.hit-room').textContent,
        item.querySelector('.hit-author').textContent,
        [...item.querySelectorAll('mark')].map((mark) => mark.textContent).join('|'),
        item.querySelector('.hit-text').textContent,
      ]),
    );
  // Results come after a pause in typing, replacing the last search's: wait
  // until they are this query's, then say what was found.
  await page
    .waitForFunction(
      ({ query, expected }) => {
        const hits = [...document.querySelectorAll('.search-hit .hit-text')];
        const ours = hits.every((hit) => hit.textContent.toLowerCase().includes(query.toLowerCase()));
        const none = document.querySelector('.search-note')?.textContent === 'No messages found.';
        return expected === 0 ? none : hits.length === expected && ours;
      },
      { query, expected },
      { timeout: 10_000 },
    )
    .catch(() => {});
  return read();
}

test('Mina and Jun find messages in their own rooms only, and a result opens the room at the message', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'picnic');
  await say(jun, 'picnic', '점심 먹자, 김밥 어때?');
  await say(mina, 'picnic', 'Lunch at noon, by the river');
  await createRoom(mina, 'work');
  await say(mina, 'work', 'lunch meeting moved to 1pm');

  assert.deepEqual(await search(mina, 'lunch', 2), [
    ['work', 'Mina', 'lunch', 'lunch meeting moved to 1pm'],
    ['picnic', 'Mina', 'Lunch', 'Lunch at noon, by the river'],
  ], 'newest first, the match marked whatever its case');
  assert.deepEqual(await search(mina, 'noon', 1), [['picnic', 'Mina', 'noon', 'Lunch at noon, by the river']],
    'a message found again is marked for the new query');
  assert.equal(await mina.locator('.search-note').textContent(), '1 message found', 'said to a screen reader');
  assert.deepEqual(await search(jun, 'lunch', 1), [['picnic', 'Mina', 'Lunch', 'Lunch at noon, by the river']],
    'not the work room, which Jun is not in');
  assert.deepEqual(await search(mina, '점심', 1), [['picnic', 'Jun', '점심', '점심 먹자, 김밥 어때?']]);

  // A long message is shown from a little before the match, which is on
  // the few lines a result shows.
  const plan = 'The plan so far: we meet at the station at 7:45, take the 8:02 train to Gapyeong, walk to the lake, ' +
    'check in at the cabin, then hike the ridge trail if the weather holds.';
  await say(jun, 'picnic', plan);
  const [[, , ridge, shown]] = await search(mina, 'ridge', 1);
  assert.equal(ridge, 'ridge');
  assert.match(shown, /^….{1,30}ridge trail if the weather holds\.$/u, 'from a little before the match');
  const markInView = await mina.locator('.search-hit mark').evaluate((mark) => {
    const [lines, match] = [mark.closest('.hit-text').getBoundingClientRect(), mark.getBoundingClientRect()];
    return match.top >= lines.top && match.bottom <= lines.bottom + 1;
  });
  assert.equal(markInView, true, 'the match is in view');

  // The picnic result takes Mina from the work room to the message, lit and focused.
  await search(mina, 'river', 1);
  await mina.getByRole('list', { name: 'Search results' }).getByRole('link').click();
  const message = mina.getByRole('log', { name: 'picnic' }).locator('article[data-seq]').filter({ hasText: 'by the river' });
  await message.waitFor();
  await mina.waitForFunction(() => document.activeElement?.matches('article[data-highlighted]'));
  assert.equal(await message.evaluate((row) => row === document.activeElement), true);

  // Escape clears the search.
  const box = mina.getByRole('searchbox', { name: 'Search messages' });
  await box.focus();
  await box.press('Escape');
  await mina.getByRole('list', { name: 'Search results' }).waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), '');

  // Mina deletes her picnic message: nobody finds it any more.
  const row = mina.locator(`article[data-seq="${await message.getAttribute('data-seq')}"]`);
  await row.click();
  await deleteMessage(row);
  await row.getByText('This message was deleted.').waitFor();
  assert.deepEqual(await search(jun, 'river', 0), []);
  await jun.getByText('No messages found.').waitFor();
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test('Mina searches a busy room: the newest 20 results first, the older ones when she asks, read on from the first of them', async () => {
  const mina = await signIn('Mina');
  await createRoom(mina, 'tea house');
  for (let n = 1; n <= 25; n += 1) {
    await say(mina, 'tea house', `green tea number ${n}`);
  }

  const found = await search(mina, 'green tea', 20);
  assert.equal(found.length, 20, 'one page of results');
  assert.equal(found[0][3], 'green tea number 25', 'newest first');
  assert.equal(found[19][3], 'green tea number 6');
  assert.equal(await mina.locator('.search-note').textContent(), 'The newest 20 messages found');

  // The first time she asks, the network drops the request: she is told, and asks again.
  await mina.route(/\/api\/search\?.*before=/, (route) => route.abort('internetdisconnected'), { times: 1 });
  const older = mina.getByRole('button', { name: 'Show older results' });
  await older.focus();
  await mina.keyboard.press('Enter');
  await mina.locator('.search-note').filter({ hasText: "Couldn't search just now. Try again." }).waitFor();
  assert.equal(await mina.getByRole('list', { name: 'Search results' }).getByRole('listitem').count(), 20, 'what she had stays');
  await mina.keyboard.press('Enter');
  const results = mina.getByRole('list', { name: 'Search results' }).getByRole('listitem');
  await mina.waitForFunction(() => document.querySelectorAll('.search-results li').length === 25, null, { timeout: 10_000 });
  const texts = await results.locator('.hit-text').allTextContents();
  assert.deepEqual(texts.slice(19), [6, 5, 4, 3, 2, 1].map((n) => `green tea number ${n}`), 'the older ones after, none twice');
  assert.equal(await mina.locator('.search-note').textContent(), '25 messages found', 'all of them now');
  assert.equal(await older.count(), 0, 'nothing older to ask for');
  await mina.waitForFunction(() => document.activeElement?.closest('li') === document.querySelectorAll('.search-results li')[20]);
  assert.equal(
    await mina.evaluate(() => document.activeElement.querySelector('.hit-text').textContent),
    'green tea number 5',
    'she reads on from the first of the older ones',
  );

  // A new search hides the last one's older results until its own answer comes.
  await search(mina, 'tea', 20);
  await older.waitFor();
  await mina.getByRole('searchbox', { name: 'Search messages' }).fill('green tea number 2');
  assert.equal(await older.count(), 0, 'no older page offered of a search being replaced');
  assert.equal((await search(mina, 'green tea number 2', 7)).length, 7, 'number 2, and 20 to 25');
  assert.deepEqual(mina.errors, [], 'no uncaught errors');
});
