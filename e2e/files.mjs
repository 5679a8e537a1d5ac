// Files in the composer, as the stories of attachments and of the upload
// quota pick and send them.

/**
 * Counts the uploads from `context` that reach the server (tries with no
 * network do not): read `.count`.
 */
export function countUploads(context) {
  const uploads = { count: 0 };
  context.on('requestfinished', (request) => {
    if (request.method() === 'POST' && request.url().includes('/api/attachments?')) uploads.count += 1;
  });
  return uploads;
}

/**
 * Waits until `uploads.count` is at least `count`, for at most 5 s: an
 * upload's answer is heard here a moment after the page has it.
 */
export async function uploadsReach(uploads, count) {
  for (let waited = 0; uploads.count < count && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * How many messages with files wait in `page`'s browser (IndexedDB), whatever
 * it draws: none if the app never kept one (the database is not made here).
 */
export async function parcelsKept(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const opened = indexedDB.open('hanmadi');
        opened.onupgradeneeded = () => opened.transaction.abort();
        opened.onerror = () => (opened.error?.name === 'AbortError' ? resolve(0) : reject(opened.error));
        opened.onsuccess = () => {
          const database = opened.result;
          try {
            const counted = database.transaction('parcels').objectStore('parcels').count();
            counted.onerror = () => reject(counted.error);
            counted.onsuccess = () => resolve(counted.result);
          } catch (error) {
            reject(error);
          } finally {
            database.close(); // once its transaction is done
          }
        };
      }),
  );
}

/** Picks `files` ({name, mimeType, buffer}) with "Attach file". */
export async function attach(page, files) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach file' }).click(),
  ]);
  await chooser.setFiles(files);
}

/** The chip of a pending file in the composer, by its name. */
export const chip = (page, name) => page.getByRole('list', { name: 'Attachments' }).getByRole('listitem').filter({ hasText: name });

/**
 * With `page` offline: attaches a text file `name` holding `content` (a
 * string or bytes), which cannot go up, and sends it with `text`. Returns the waiting message's row,
 * once it says "Sending…".
 */
export async function sendOffline(page, name, content, text) {
  await attach(page, [{ name, mimeType: 'text/plain', buffer: Buffer.from(content) }]);
  await chip(page, name).getByRole('button', { name: 'Retry' }).waitFor();
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  const waiting = page.locator('article.pending').filter({ hasText: text });
  await waiting.getByText('Sending…').waitFor();
  return waiting;
}
