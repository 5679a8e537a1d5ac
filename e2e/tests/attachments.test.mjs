// Mina and Hoon share files in real Chromium against the real server: a photo
// pasted with a caption, a PDF attached and a note dropped on the room, a
// file let go beside the room (refused, never opened in place of the app),
// a file too large for the server, a large one that takes its time while the
// room carries on (and one sent before it was up, from a room Mina then
// left), one whose connection goes silent mid-upload, and one attached in a tunnel, kept through a reload with
// no network, that reaches Hoon once when the train comes out (one the server
// refuses when it comes out, which stays refused in every tab and through a
// reload, and one that Mina signs out from, which the next person on her
// browser never sends). Ara, in no room yet, looks into one before joining
// and sees its photo as its members do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attach, chip, countUploads, parcelsKept, sendOffline } from '../files.mjs';
import {
  bothIn,
  createRoom,
  nothingWaiting,
  seriousViolations,
  serverAndBrowser,
  signedInPage,
  signOut,
} from '../harness.mjs';

const world = serverAndBrowser();

const VIEWPORT = { width: 1200, height: 800 };
// Mina's page also runs axe, whose script the app's strict CSP would refuse.
// Hoon's keeps the CSP: his images load under `img-src 'self'`.
const minaSignsIn = () => signedInPage(world.browser, world.server.url, 'Mina', { viewport: VIEWPORT, bypassCSP: true });
const hoonSignsIn = () => signedInPage(world.browser, world.server.url, 'Hoon', { viewport: VIEWPORT });

const messages = (page, room, text) =>
  page.getByRole('log', { name: room }).locator('article[data-seq]').filter({ hasText: text });

/** Pastes into the composer an 800×600 PNG drawn by the browser, as a screenshot pastes. */
async function pasteImage(page, name) {
  await page.getByRole('textbox', { name: 'Message' }).evaluate(async (field, name) => {
    const canvas = new OffscreenCanvas(800, 600);
    const context = canvas.getContext('2d');
    context.fillStyle = '#3b5bdb';
    context.fillRect(0, 0, 800, 600);
    context.fillStyle = '#ffd43b';
    context.fillRect(100, 100, 300, 200);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const clipboardData = new DataTransfer();
    clipboardData.items.add(new File([blob], name, { type: 'image/png' }));
    field.focus();
    field.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
  }, name);
}

/** Drops a text file on the room's message list, as from the desktop. */
async function dropFile(page, room, name, text) {
  await page.getByRole('log', { name: room }).evaluate((list, { name, text }) => {
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(new File([text], name, { type: 'text/plain' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      list.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }));
    }
  }, { name, text });
}

test('Ara looks into a room before joining it: what was said, its photo and who is in it; then she joins and takes part', async () => {
  const mina = await minaSignsIn();
  await createRoom(mina, 'garden');
  await createRoom(mina, 'studio');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await pasteImage(mina, 'studio.png');
  await chip(mina, 'studio.png').getByRole('progressbar').waitFor({ state: 'detached' });
  await composer.fill('The new studio');
  await composer.press('Enter');
  await composer.fill('Open house on Friday');
  await composer.press('Enter');
  await nothingWaiting(mina);
  const studioSeq = await messages(mina, 'studio', 'The new studio').getAttribute('data-seq');

  // Under "Other rooms", the room's name looks into it.
  const ara = await signedInPage(world.browser, world.server.url, 'Ara', { viewport: VIEWPORT, bypassCSP: true });
  await ara.getByRole('link', { name: 'studio', exact: true }).click();
  const preview = ara.getByRole('region', { name: 'What was said in studio' });
  const looksIn = async () => {
    await preview.getByRole('article').filter({ hasText: 'Open house on Friday' }).waitFor();
    const photo = preview.getByRole('article').filter({ hasText: 'The new studio' }).getByRole('img', { name: 'studio.png' });
    await ara.waitForFunction((img) => img.complete && img.naturalWidth > 0, await photo.elementHandle());
    await ara.getByText('1 member', { exact: true }).waitFor();
    await ara.getByText("You're looking in on studio. Join it to take part.").waitFor();
    assert.equal(await ara.getByRole('textbox', { name: 'Message' }).count(), 0, 'nothing to write in before joining');
    assert.equal(await preview.getByRole('button', { name: 'Add reaction' }).count(), 0, 'nor to react with');
  };
  await looksIn();
  assert.deepEqual(await seriousViolations(ara), [], 'the room looked into passes axe');
  await ara.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await seriousViolations(ara), [], 'and in the dark');
  await ara.emulateMedia({ colorScheme: 'light' });
  // A reload there looks into it again, never opens it as hers.
  await ara.reload();
  await looksIn();

  // Mina sends her a link to the photo's message: joining from there opens
  // the room at that message.
  // Until her rooms list says it is not hers, the room is neither opened
  // nor read: the only page of it fetched is the preview's.
  const studio = new URL(mina.url()).pathname.split('/')[2];
  const pagesAsked = [];
  const asked = (request) => {
    const url = new URL(request.url());
    if (url.pathname === `/api/rooms/${studio}/messages`) pagesAsked.push(url.searchParams.get('limit'));
  };
  ara.on('request', asked);
  await ara.goto(`${world.server.url}/rooms/${studio}/messages/${studioSeq}`);
  await looksIn();
  ara.off('request', asked);
  assert.deepEqual(pagesAsked, ['30'], 'one page, the preview\'s');
  await ara.getByRole('button', { name: 'Join this room' }).click();
  await ara.waitForFunction(() => document.activeElement?.matches('article[data-highlighted]'));
  assert.match(await ara.evaluate(() => document.activeElement.textContent), /The new studio/);
  assert.match(new URL(ara.url()).pathname, /\/messages\//, 'the link stays');
  const hers = ara.getByRole('textbox', { name: 'Message' });
  await hers.fill('Count me in');
  await hers.press('Enter');
  await messages(mina, 'studio', 'Count me in').waitFor();

  // Joining a room from where it is looked into takes her in, ready to type.
  await ara.getByRole('link', { name: 'garden', exact: true }).click();
  await ara.getByRole('button', { name: 'Join this room' }).click();
  await ara.getByRole('log', { name: 'garden' }).waitFor();
  await ara.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Message');
});

test('a pasted photo with a caption reaches Hoon once, as a thumbnail that opens full size', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'office');

  await pasteImage(mina, 'office.png');
  const photoChip = chip(mina, 'office.png');
  await photoChip.getByRole('button', { name: 'Remove attachment' }).waitFor();
  // The chip shows the photo: its middle square, the yellow box on blue.
  const preview = photoChip.locator('canvas.file-preview:not([hidden])');
  await preview.waitFor();
  const colours = await preview.evaluate((canvas) => {
    const at = (x, y) => [...canvas.getContext('2d').getImageData(x * canvas.width, y * canvas.height, 1, 1).data];
    return { corner: at(0.05, 0.05), box: at(0.3, 0.3) };
  });
  assert.deepEqual(colours, { corner: [0x3b, 0x5b, 0xdb, 255], box: [0xff, 0xd4, 0x3b, 255] });
  // Another file coming and going leaves the chip, and its picture, as it was.
  await preview.evaluate((canvas) => (canvas.dataset.first = 'yes'));
  await pasteImage(mina, 'extra.png');
  const extra = chip(mina, 'extra.png');
  await extra.locator('canvas.file-preview:not([hidden])').waitFor();
  await extra.getByRole('button', { name: 'Remove attachment' }).click();
  await extra.waitFor({ state: 'detached' });
  assert.equal(await photoChip.locator('canvas[data-first="yes"]').count(), 1, 'the same chip, not drawn again');
  // Uploaded: its progress bar goes.
  await photoChip.getByRole('progressbar').waitFor({ state: 'detached' });
  assert.deepEqual(await seriousViolations(mina), [], 'the composer with a chip');

  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Our new office');
  await composer.press('Enter');
  await chip(mina, 'office.png').waitFor({ state: 'detached' });
  assert.equal(await composer.inputValue(), '', 'the composer is cleared');

  // Hoon sees the message once, its photo as a 320×240 thumbnail sized before it loads.
  const message = messages(hoon, 'office', 'Our new office');
  await message.waitFor();
  const thumbnail = message.getByRole('button', { name: 'office.png' });
  const image = thumbnail.locator('img');
  assert.deepEqual(
    await image.evaluate((img) => [img.getAttribute('width'), img.getAttribute('height'), img.loading]),
    ['320', '240', 'lazy'],
  );
  await hoon.waitForFunction((img) => img.complete && img.naturalWidth > 0, await image.elementHandle());
  assert.deepEqual(
    await image.evaluate((img) => [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().height]),
    [320, 240, 240],
    'the server’s thumbnail, in the box laid out for it',
  );
  await hoon.waitForTimeout(500); // any echo or duplicate would have arrived by now
  assert.equal(await messages(hoon, 'office', 'Our new office').count(), 1, 'exactly once');

  // He opens it with the keyboard: the full image, in the "Image viewer".
  await thumbnail.focus();
  await hoon.keyboard.press('Enter');
  const viewer = hoon.getByRole('dialog', { name: 'Image viewer' });
  await viewer.waitFor();
  const full = viewer.getByRole('img', { name: 'office.png' });
  await hoon.waitForFunction((img) => img.complete && img.naturalWidth > 0, await full.elementHandle());
  assert.deepEqual(await full.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [800, 600]);
  assert.ok(await viewer.evaluate((dialog) => dialog.contains(document.activeElement)), 'the focus is in the viewer');

  // Escape closes it, and he is back on the thumbnail.
  await hoon.keyboard.press('Escape');
  await viewer.waitFor({ state: 'hidden' });
  assert.ok(await thumbnail.evaluate((button) => button === document.activeElement), 'the focus is back on the thumbnail');

  // Mina opens hers too: nothing serious for axe in the open viewer.
  const minasThumbnail = messages(mina, 'office', 'Our new office').getByRole('button', { name: 'office.png' });
  const minasViewer = mina.getByRole('dialog', { name: 'Image viewer' });
  await minasThumbnail.click();
  await minasViewer.waitFor();
  assert.deepEqual(await seriousViolations(mina), [], 'the open image viewer');
  await minasViewer.getByRole('button', { name: 'Close' }).click();
  await minasViewer.waitFor({ state: 'hidden' });
  // A click on the dimmed page beside it closes it too.
  await minasThumbnail.click();
  await minasViewer.waitFor();
  await mina.mouse.click(3, 3);
  await minasViewer.waitFor({ state: 'hidden' });

  // Hoon's browser as it was when he signed in before pictures needed a
  // cookie: none in the jar, no mark of one. Opening the app gets him one,
  // and the photo loads.
  await hoon.context().clearCookies();
  await hoon.evaluate(() => localStorage.removeItem('hanmadi.files-cookie'));
  // Nothing from the browser's cache: the picture comes from the server.
  await (await hoon.context().newCDPSession(hoon)).send('Network.setCacheDisabled', { cacheDisabled: true });
  const fetched = hoon.waitForResponse((response) => response.url().endsWith('/thumbnail') && response.ok(), {
    timeout: 30_000,
  });
  await hoon.reload();
  await fetched;
  const again = messages(hoon, 'office', 'Our new office').getByRole('button', { name: 'office.png' }).locator('img');
  await hoon.waitForFunction((img) => img.complete && img.naturalWidth === 320, await again.elementHandle());
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('a PDF attached and a note dropped on the room reach Hoon as cards whose links download them', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'minutes');

  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n% minutes of the meeting\n'), randomBytes(1500)]);
  await attach(mina, [{ name: 'minutes.pdf', mimeType: 'application/pdf', buffer: pdf }]);
  await dropFile(mina, 'minutes', 'agenda.txt', 'Lunch at noon, then the roadmap.\n');
  await chip(mina, 'minutes.pdf').waitFor();
  await chip(mina, 'agenda.txt').waitFor();
  assert.equal(await chip(mina, 'minutes.pdf').locator('canvas').count(), 0, 'no picture of a file that is not one');
  await mina.waitForFunction(() => !document.querySelector('.file-chips progress'));
  await mina.getByRole('button', { name: 'Send' }).click();

  // A message of files alone: Hoon sees two cards, each with its name, size and link.
  const message = messages(hoon, 'minutes', 'minutes.pdf');
  await message.waitFor();
  const card = message.locator('.file-card').filter({ hasText: 'minutes.pdf' });
  assert.match(await card.innerText(), /minutes\.pdf\s+1\.5 KB/);
  const link = card.getByRole('link', { name: 'Download minutes.pdf' });
  await message.getByRole('link', { name: 'Download agenda.txt' }).waitFor();

  // The link downloads the very bytes Mina sent.
  const [download] = await Promise.all([hoon.waitForEvent('download'), link.click()]);
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  assert.ok(Buffer.concat(chunks).equals(pdf), 'the same bytes');
  assert.equal(download.suggestedFilename(), 'minutes.pdf');

  // As served: a download, never a page, to Hoon's browser with no token in sight.
  const served = await message
    .getByRole('link', { name: 'Download agenda.txt' })
    .evaluate(async (a) => {
      const response = await fetch(a.href);
      return {
        status: response.status,
        disposition: response.headers.get('content-disposition'),
        nosniff: response.headers.get('x-content-type-options'),
        text: await response.text(),
      };
    });
  assert.equal(served.status, 200);
  assert.match(served.disposition, /^attachment;.*agenda\.txt/);
  assert.equal(served.nosniff, 'nosniff');
  assert.equal(served.text, 'Lunch at noon, then the roadmap.\n');
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

/**
 * Drags `dragged` (`{ files: [path] }` from the desktop, or `{ items }`, a
 * link from another page) over `target` and lets it go, by Chromium's
 * own input (not an event the page makes up). Answers what the page told the
 * browser on the drag's last move: whether it took the drag over (cancelled
 * it) and with what effect. Headless Chromium never opens a dropped file
 * itself, so that answer is what the story reads: a drag over nothing that
 * takes it, left to the browser, is a file opened in place of the app.
 */
async function dragFromDesktop(page, target, dragged) {
  await page.evaluate(() => {
    // Added after the app's own listeners, so it sees what they decided.
    window.lastDragOver = null;
    window.addEventListener('dragover', (event) => {
      window.lastDragOver = { taken: event.defaultPrevented, effect: event.dataTransfer.dropEffect };
    });
  });
  const box = await target.boundingBox();
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [], ...dragged, dragOperationsMask: 1 | 2 | 16 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  }
  await cdp.detach();
  return page.evaluate(() => window.lastDragOver);
}

test('a file let go beside the room, or a link anywhere but the message box, is refused, and Mina’s page and draft stay', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'photos');
  const path = join(tmpdir(), `menu-${process.pid}.txt`);
  await writeFile(path, 'Bibimbap, then tea.\n');
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Here is the menu');

  // Over the room, it is taken, as the hint says.
  const overRoom = await dragFromDesktop(mina, mina.getByRole('log', { name: 'photos' }), { files: [path] });
  assert.equal(overRoom.taken, true, 'the room takes the drag');
  assert.notEqual(overRoom.effect, 'none');
  await chip(mina, `menu-${process.pid}.txt`).waitFor();

  // Over the rooms beside it and the header, the page refuses it: nothing is
  // taken, and the browser is told not to open the file in place of the app.
  for (const beside of [mina.getByRole('navigation', { name: 'Rooms' }), mina.locator('.app-header')]) {
    assert.deepEqual(await dragFromDesktop(mina, beside, { files: [path] }), { taken: true, effect: 'none' }, 'refused');
  }
  assert.equal(await composer.inputValue(), 'Here is the menu', 'the draft stays');
  assert.equal(await mina.locator('.file-chips li').count(), 1, 'one chip: the drop over the room');

  // A link dragged from another page: the message box takes it as text, and
  // anywhere else it is refused, where the browser would open it in place of
  // the app.
  const link = { items: [{ mimeType: 'text/uri-list', data: 'https://example.com/menu' }] };
  assert.equal((await dragFromDesktop(mina, mina.getByRole('log', { name: 'photos' }), link)).effect, 'none');
  assert.equal((await dragFromDesktop(mina, composer, link)).taken, false, 'left to the message box');
  assert.deepEqual(mina.errors, [], 'no uncaught errors');
});

test('a file over the server’s limit is refused in words, and nothing is sent', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'limits');

  await attach(mina, [{ name: 'holiday.mov', mimeType: 'video/quicktime', buffer: randomBytes(11 * 1024 * 1024) }]);
  const refused = chip(mina, 'holiday.mov');
  await refused.getByRole('alert').filter({ hasText: 'File is too large (max 10 MB)' }).waitFor({ timeout: 30_000 });
  assert.equal(await refused.getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry: it would be as large again');

  // Sending is held back until the file is removed.
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Our holiday video');
  await composer.press('Enter');
  await mina.getByRole('alert').filter({ hasText: 'Some files were not uploaded' }).waitFor();
  assert.equal(await composer.inputValue(), 'Our holiday video', 'the caption stays');
  assert.equal(await mina.locator('article.pending').count(), 0, 'nothing waits in the outbox');

  // She removes it; the caption then goes alone, and it is the only thing Hoon gets.
  await refused.getByRole('button', { name: 'Remove attachment' }).click();
  await refused.waitFor({ state: 'detached' });
  await composer.fill('Never mind, the video is too big');
  await composer.press('Enter');
  await messages(hoon, 'limits', 'Never mind').waitFor();
  assert.equal(await messages(hoon, 'limits', 'holiday').count(), 0, 'nothing of the refused file');
  assert.equal(await hoon.locator('.attachments').count(), 0);
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('a 9 MB file shows its progress while the room carries on, and its message waits for it', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'big files');

  // Mina is on a slow uplink: about 1.5 MB/s up.
  const cdp = await mina.context().newCDPSession(mina);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1.5 * 1024 * 1024,
  });

  const size = 9 * 1024 * 1024;
  await attach(mina, [{ name: 'survey.bin', mimeType: 'application/octet-stream', buffer: randomBytes(size) }]);
  const progress = chip(mina, 'survey.bin').getByRole('progressbar', { name: 'Uploading survey.bin' });
  await progress.waitFor();
  assert.equal(await progress.getAttribute('max'), String(size));

  // The bar moves as the bytes go.
  const seen = new Set();
  const deadline = Date.now() + 20_000;
  while (seen.size < 3 && Date.now() < deadline) {
    const value = Number(await progress.getAttribute('value'));
    if (value > 0 && value < size) seen.add(value);
    await mina.waitForTimeout(250);
  }
  assert.ok(seen.size >= 3, `the bar moved through ${[...seen].join(', ')}`);

  // Meanwhile the room carries on: Hoon writes, and Mina reads it at once.
  await hoon.getByRole('textbox', { name: 'Message' }).fill('How is the upload going?');
  await hoon.getByRole('textbox', { name: 'Message' }).press('Enter');
  await messages(mina, 'big files', 'How is the upload going?').waitFor({ timeout: 5_000 });
  assert.ok(await progress.isVisible(), 'still uploading');

  // Mina sends her caption before the file is up: it waits for the file.
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Here is the survey data');
  await composer.press('Enter');
  await mina.getByRole('status').filter({ hasText: 'Sends as soon as the files are uploaded' }).waitFor();
  assert.equal(await messages(hoon, 'big files', 'survey data').count(), 0, 'not before the file is up');

  // Once it is, the message goes by itself, with the file.
  const message = messages(hoon, 'big files', 'Here is the survey data');
  await message.waitFor({ timeout: 60_000 });
  assert.match(await message.locator('.file-card').innerText(), /survey\.bin\s+9 MB/);
  assert.equal(await composer.inputValue(), '', 'the composer is cleared once it went');
  await cdp.detach();
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('Mina sends while a file is still going up and goes to another room: it reaches Hoon once with both files, and her draft is empty', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'survey room');
  const cdp = await mina.context().newCDPSession(mina);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024,
  });

  // A small note goes up at once; the results take a few seconds.
  await attach(mina, [{ name: 'method.txt', mimeType: 'text/plain', buffer: Buffer.from('how we counted') }]);
  await chip(mina, 'method.txt').getByRole('progressbar').waitFor({ state: 'detached' });
  const size = 3 * 1024 * 1024;
  await attach(mina, [{ name: 'results.bin', mimeType: 'application/octet-stream', buffer: randomBytes(size) }]);
  await chip(mina, 'results.bin').getByRole('progressbar', { name: 'Uploading results.bin' }).waitFor();
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('The results, as promised');
  await composer.press('Enter');
  await mina.getByRole('status').filter({ hasText: 'Sends as soon as the files are uploaded' }).waitFor();

  // She moves on before the file is up: the message still goes, with it.
  await createRoom(mina, 'next topic');
  const message = messages(hoon, 'survey room', 'The results, as promised');
  await message.waitFor({ timeout: 60_000 });
  assert.match(await message.locator('.file-card').filter({ hasText: 'results.bin' }).innerText(), /results\.bin\s+3 MB/);
  await message.locator('.file-card').filter({ hasText: 'method.txt' }).waitFor();

  // Back in the room: the message once, nothing waiting, an empty box.
  await mina.getByRole('link', { name: 'survey room' }).click();
  await messages(mina, 'survey room', 'The results, as promised').waitFor();
  await nothingWaiting(mina);
  assert.equal(await messages(mina, 'survey room', 'The results, as promised').count(), 1);
  assert.equal(await messages(hoon, 'survey room', 'The results, as promised').count(), 1, 'sent once');
  assert.equal(await composer.inputValue(), '', 'the draft went with the message');
  await cdp.detach();
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('an upload whose connection goes silent is given up in words, and Retry sends the file once', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'dead zone');
  // The first upload goes into a connection that never answers.
  let silent = true;
  const held = [];
  await mina.route(/\/api\/attachments\?name=/, (route) => (silent ? held.push(route) : route.continue()));

  await attach(mina, [{ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('We agreed on Friday.') }]);
  const minutes = chip(mina, 'minutes.txt');
  await minutes.getByRole('alert').filter({ hasText: "the server can't be reached" }).waitFor({ timeout: 45_000 });
  assert.equal(held.length, 1, 'it was the silent request that was given up');

  silent = false;
  await minutes.getByRole('button', { name: 'Retry' }).click();
  await minutes.getByRole('progressbar').waitFor({ state: 'detached', timeout: 30_000 });
  const composer = mina.getByRole('textbox', { name: 'Message' });
  await composer.fill('Minutes from today');
  await composer.press('Enter');
  const arrived = messages(hoon, 'dead zone', 'Minutes from today');
  await arrived.getByRole('link', { name: 'Download minutes.txt' }).waitFor({ timeout: 30_000 });
  await hoon.waitForTimeout(500); // any duplicate would have arrived by now
  assert.equal(await arrived.count(), 1, 'once');
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('a file attached offline waits through a reload and arrives once when the network is back', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'trip');
  // The service worker has kept the app's files, so a reload opens offline.
  await mina.evaluate(async () => {
    await navigator.serviceWorker.ready;
    while (!navigator.serviceWorker.controller) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  await mina.context().setOffline(true);
  const waiting = await sendOffline(mina, 'itinerary.txt', 'Day 1: Busan', 'the plan, for when we are out of the tunnel');
  await waiting.getByText('itinerary.txt').waitFor();
  assert.equal(await mina.getByRole('textbox', { name: 'Message' }).inputValue(), '', 'the composer is free again');
  assert.equal(await mina.getByRole('list', { name: 'Attachments' }).getByRole('listitem').count(), 0);

  await mina.reload();
  await waiting.getByText('itinerary.txt').waitFor({ timeout: 30_000 });
  await waiting.getByText('Sending…').waitFor();

  await mina.context().setOffline(false);
  const arrived = messages(hoon, 'trip', 'the plan');
  await arrived.getByRole('link', { name: 'Download itinerary.txt' }).waitFor({ timeout: 30_000 });
  await messages(mina, 'trip', 'the plan').waitFor({ timeout: 30_000 });
  await nothingWaiting(mina);
  const href = await arrived.getByRole('link', { name: 'Download itinerary.txt' }).getAttribute('href');
  const body = await hoon.evaluate(async (href) => (await fetch(href)).text(), href);
  assert.equal(body, 'Day 1: Busan', 'the very bytes she attached');
  await hoon.waitForTimeout(1000); // time enough for a second copy, were one coming
  assert.equal(await messages(hoon, 'trip', 'the plan').count(), 1, 'once for Hoon');
  assert.equal(await messages(mina, 'trip', 'the plan').count(), 1, 'and once for Mina');
  assert.deepEqual([...mina.errors, ...hoon.errors], []);
});

test('with two tabs open, a message waiting with its file is uploaded and sent once when the network is back', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'two tabs');
  const other = await mina.context().newPage();
  await other.goto(world.server.url);
  await other.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  let uploads = 0;
  mina.context().on('requestfinished', async (request) => {
    const answer = await request.response();
    if (request.method() === 'POST' && request.url().includes('/api/attachments?') && answer?.ok()) uploads += 1;
  });

  await mina.context().setOffline(true);
  await sendOffline(mina, 'tickets.txt', 'Seats 14A, 14B', 'our tickets');

  // Both tabs find it waiting when the connection is back; they take turns.
  await mina.context().setOffline(false);
  const arrived = messages(hoon, 'two tabs', 'our tickets');
  await arrived.getByRole('link', { name: 'Download tickets.txt' }).waitFor({ timeout: 30_000 });
  await nothingWaiting(mina);
  await hoon.waitForTimeout(1000); // time enough for a second copy, were one coming
  assert.equal(await arrived.count(), 1, 'sent once');
  assert.equal(uploads, 1, 'its file went up once, not once per tab');
  assert.deepEqual([...mina.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('a file refused after waiting offline stays “Not sent” in every tab and through a reload, and goes up no more', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'film club');
  const other = await mina.context().newPage();
  other.errors = [];
  other.on('pageerror', (error) => other.errors.push(error.message));
  await other.goto(mina.url());
  await other.getByRole('log', { name: 'film club' }).waitFor({ timeout: 30_000 });
  const uploads = countUploads(mina.context());

  // In a tunnel, she sends the whole film: it waits, and her other tab shows it waiting too.
  await mina.context().setOffline(true);
  await sendOffline(mina, 'film.mov', randomBytes(11 * 1024 * 1024), 'tonight’s film');
  const inOther = other.locator('article.pending').filter({ hasText: 'tonight’s film' });
  await inOther.getByText('Sending…').waitFor({ timeout: 10_000 });

  // Out of the tunnel, the server refuses it as too large, and both tabs say so.
  await mina.context().setOffline(false);
  for (const page of [mina, other]) {
    const row = page.locator('article.pending').filter({ hasText: 'tonight’s film' });
    await row.getByText('File is too large (max 10 MB)').waitFor({ timeout: 30_000 });
    assert.equal(await row.getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry: it would be as large again');
  }
  await other.waitForTimeout(2000); // time enough for the other tab's turn to send it
  assert.equal(uploads.count, 1, 'it went up once, not once more from the other tab');

  // After a reload it is still refused, and not sent again to learn so.
  await mina.reload();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  const refused = mina.locator('article.pending').filter({ hasText: 'tonight’s film' });
  await refused.getByText('File is too large (max 10 MB)').waitFor({ timeout: 30_000 });
  await mina.waitForTimeout(2000); // time enough for an upload, were one coming
  assert.equal(uploads.count, 1, 'a reload does not upload it again');

  // Deleted in one tab, it is gone from both, and nothing reached Hoon.
  await inOther.getByRole('button', { name: 'Delete' }).click();
  const otherComposer = other.getByRole('textbox', { name: 'Message' });
  assert.equal(await otherComposer.evaluate((field) => field === document.activeElement), true, 'the focus goes to the composer');
  await refused.waitFor({ state: 'detached', timeout: 10_000 });
  await inOther.waitFor({ state: 'detached' });
  assert.equal(await parcelsKept(mina), 0, 'nothing waits in the browser');
  assert.equal(await messages(hoon, 'film club', 'tonight').count(), 0, 'and nothing was sent');
  assert.deepEqual([...mina.errors, ...other.errors, ...hoon.errors], [], 'no uncaught errors');
});

test('signing out forgets a message waiting with its files, so the next person never sends it', async () => {
  const mina = await minaSignsIn();
  const hoon = await hoonSignsIn();
  await bothIn(mina, hoon, 'diary');

  await mina.context().setOffline(true);
  await sendOffline(mina, 'diary.txt', 'dear diary', 'for my eyes only');

  const asked = await signOut(mina);
  assert.match(asked, /1 action has not been sent yet and will be lost\./, 'she was told it would be lost');

  // Sora signs in on the same browser, online.
  await mina.context().setOffline(false);
  await mina.getByRole('textbox', { name: 'Name' }).fill('Sora');
  await mina.getByRole('button', { name: 'Continue' }).click();
  await mina.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await hoon.waitForTimeout(2000); // time enough for a parcel to go, were one left
  assert.equal(await mina.locator('article.pending').count(), 0, 'nothing of Mina’s waits for Sora');
  assert.equal(await messages(hoon, 'diary', 'for my eyes only').count(), 0, 'and nothing was sent');
  assert.deepEqual([...mina.errors, ...hoon.errors], []);
});
