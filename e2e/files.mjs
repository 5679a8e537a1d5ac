// Files in the composer, as the stories of attachments and of the upload
// quota pick and send them.

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
