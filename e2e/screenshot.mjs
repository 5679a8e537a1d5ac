// Takes the README's screenshot: two rooms, a conversation, someone typing, the
// live ticker and the connection badge. Run through `cargo xtask screenshot`.

import { join } from 'node:path';
import { launchBrowser, Server, signedInPage } from './harness.mjs';

const out = process.argv[2] ?? join(process.cwd(), '..', 'docs', 'screenshot.png');
const server = await Server.start();
const browser = await launchBrowser();
try {
  const open = (name) =>
    signedInPage(browser, server.url, name, { viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
  const say = async (page, text) => {
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    await composer.press('Enter');
  };

  const mina = await open('Mina');
  for (const room of ['general', 'lunch plans']) {
    await mina.getByRole('button', { name: 'New room' }).click();
    await mina.getByRole('textbox', { name: 'Room name' }).fill(room);
    await mina.getByRole('button', { name: 'Create' }).click();
    await mina.getByRole('link', { name: room }).waitFor();
  }
  const jun = await open('Jun');
  for (const room of ['general', 'lunch plans']) {
    await jun.getByRole('listitem').filter({ hasText: room }).getByRole('button', { name: 'Join' }).click();
    await jun.getByRole('link', { name: room }).waitFor();
  }
  await mina.getByRole('link', { name: 'lunch plans' }).click();
  await jun.getByRole('link', { name: 'lunch plans' }).click();
  await say(mina, 'Noodles at the usual place?');
  await say(jun, 'Yes! 12:30?');
  await say(mina, 'Perfect. The menu is at https://example.com/menu');
  await say(jun, 'See you there');
  await jun.getByRole('link', { name: 'general' }).click();
  await say(jun, 'Standup moved to 10:15 tomorrow');
  await jun.getByRole('link', { name: 'lunch plans' }).click();
  await jun.getByRole('textbox', { name: 'Message' }).pressSequentially('Bringing', { delay: 40 });
  await mina.getByText('Jun is typing…').waitFor();
  await mina.getByRole('region', { name: 'Live ticker' }).getByRole('listitem').nth(10).waitFor();
  await mina.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await server.close();
}
