// Mina formats a message the way chat apps let her: bold, italic, code, a
// code block and a link show as such on Jun's screen, and what she typed that
// looks like HTML stays plain text. The composer says how, when asked.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothIn, serverAndBrowser, signedInPage } from '../harness.mjs';

const world = serverAndBrowser();

const signIn = (name) => signedInPage(world.browser, world.server.url, name);

test('bold, italic, code, a code block and a link show as such, and typed HTML stays text', async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'formats');

  const composer = mina.getByRole('textbox', { name: 'Message' });
  const text = '*점심* at _noon_ in `room 3` <b>not bold</b> https://example.com/menu\n```\nlet x = *y*;\n```';
  await composer.fill(text);
  await composer.press('Enter');

  const message = jun.getByRole('log', { name: 'formats' }).getByRole('article').filter({ hasText: 'noon' });
  await message.waitFor({ timeout: 30_000 });
  const shown = await message.locator('.message-text').evaluate((node) => ({
    strong: [...node.querySelectorAll('strong')].map((n) => n.textContent),
    em: [...node.querySelectorAll('em')].map((n) => n.textContent),
    code: [...node.querySelectorAll(':not(pre) > code')].map((n) => n.textContent),
    block: [...node.querySelectorAll('pre > code')].map((n) => n.textContent),
    links: [...node.querySelectorAll('a')].map((n) => n.getAttribute('href')),
    bold: node.querySelectorAll('b').length,
    text: node.textContent,
  }));
  assert.deepEqual(shown.strong, ['점심']);
  assert.deepEqual(shown.em, ['noon']);
  assert.deepEqual(shown.code, ['room 3']);
  assert.deepEqual(shown.block, ['let x = *y*;']);
  assert.deepEqual(shown.links, ['https://example.com/menu']);
  assert.equal(shown.bold, 0, 'typed HTML makes no element');
  assert.ok(shown.text.includes('<b>not bold</b>'), shown.text);

  // The composer's help lists the markers; Escape closes it and keeps the focus on its button.
  const help = mina.getByRole('button', { name: 'Formatting help' });
  await help.click();
  assert.equal(await help.getAttribute('aria-expanded'), 'true');
  const list = mina.getByRole('list', { name: 'Formatting help' });
  assert.equal(await list.getByRole('listitem').count(), 5);
  await help.press('Escape');
  await list.waitFor({ state: 'detached' });
  assert.equal(await help.evaluate((button) => button === document.activeElement), true);
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});

test("a reply's quote and a search result read a formatted message as it is drawn, without its markers", async () => {
  const mina = await signIn('Mina');
  const jun = await signIn('Jun');
  await bothIn(mina, jun, 'trip');

  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('*KTX* leaves at _9:10_ from `platform 3`');
  await composer.press('Enter');
  const plain = 'KTX leaves at 9:10 from platform 3';
  const asked = jun.getByRole('log', { name: 'trip' }).locator('article[data-seq]').filter({ hasText: 'platform 3' });
  await asked.waitFor({ timeout: 30_000 });

  // Jun answers it: the quote over his answer reads as her message does.
  await asked.click();
  await asked.getByRole('button', { name: 'Reply' }).click();
  const answer = jun.getByRole('textbox', { name: 'Message' });
  await answer.fill('see you there');
  await answer.press('Enter');
  const quote = mina.getByRole('log', { name: 'trip' }).locator('.reply-quote .quote-text');
  await quote.waitFor({ timeout: 30_000 });
  assert.equal(await quote.textContent(), plain);

  // Mina searches for the train: the result is her message as drawn, the word marked.
  await mina.getByRole('searchbox', { name: 'Search messages' }).fill('ktx');
  const hit = mina.getByRole('list', { name: 'Search results' }).getByRole('listitem').first();
  await hit.waitFor({ timeout: 10_000 });
  assert.equal(await hit.locator('.hit-text').textContent(), plain);
  assert.deepEqual(await hit.locator('mark').allTextContents(), ['KTX']);
  assert.ok((await hit.getByRole('link').getAttribute('aria-label')).includes(plain), 'and so is it read out');
  assert.deepEqual([...mina.errors, ...jun.errors], [], 'no uncaught errors');
});
