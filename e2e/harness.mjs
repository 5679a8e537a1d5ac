// The browser tests' harness: starts the real server binary on a free port with a
// fresh SQLite file and the freshly built app, and launches Debian's Chromium.
// `cargo xtask test` sets the environment; see xtask/src/test.rs.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through \`cargo xtask test\``);
  return value;
};

export const artifactsDir = () => {
  const dir = env('HANMADI_ARTIFACTS');
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** A server process; `restart()` brings it back on the same port and database. */
export class Server {
  /** `extraArgs`: more server flags, e.g. `['--actions-per-sec', '10000']`. */
  static async start(extraArgs = []) {
    const server = new Server(mkdtempSync(join(tmpdir(), 'hanmadi-e2e-')), extraArgs);
    await server.#spawn('127.0.0.1:0');
    return server;
  }

  constructor(dataDir, extraArgs) {
    this.dataDir = dataDir;
    this.extraArgs = extraArgs;
    this.url = null;
    this.process = null;
  }

  async #spawn(bind) {
    const child = spawn(
      env('HANMADI_SERVER_BIN'),
      [
        '--bind', bind,
        '--static-dir', env('HANMADI_DIST'),
        '--database-url', `sqlite://${this.dataDir}/chat.db`,
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } },
    );
    this.process = child;
    const lines = createInterface({ input: child.stdout });
    this.url = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the server exited early with ${code}`)));
      lines.on('line', (line) => {
        const match = line.match(/running at (http:\/\/\S+?)\/?$/);
        if (match) resolve(match[1]);
      });
    });
  }

  /** Graceful stop (SIGTERM): sockets are closed with 1012, as in a deploy. */
  async stop() {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return; // already stopped
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await exited;
  }

  /** Stops the server for good and deletes its database folder. */
  async close() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async restart() {
    const { host } = new URL(this.url);
    await this.#spawn(host);
  }
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: env('CHROMIUM'), args: CHROMIUM_ARGS });
}

/**
 * A Chromium of its own whose tab behaves like a user's: Playwright attaches to
 * it over CDP with `noDefaults`, so it does not emulate focus on its first tab,
 * and that tab can be hidden and frozen (`Page.setWebLifecycleState`) as a
 * background tab is. The pages of `launchBrowser()` cannot: Playwright's focus
 * emulation holds them as if captured, so they stay visible and Chromium ignores
 * freezing them. Returns `{ browser, page, close }`; `close()` ends the process.
 */
export async function launchBrowserWithRealTab() {
  const profile = mkdtempSync(join(tmpdir(), 'hanmadi-chromium-'));
  const child = spawn(
    env('CHROMIUM'),
    ['--headless', ...CHROMIUM_ARGS, '--no-first-run', '--window-size=1200,800',
      `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Chromium exited early with ${code}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      const match = line.match(/DevTools listening on (ws:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
  });
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  const [context] = browser.contexts();
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await browser.close().catch(() => {});
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    // Chromium's helper processes may still be writing to the profile a
    // moment after the browser exits: retry for a few seconds, and past that
    // leave the folder to the system's temporary files rather than fail a
    // story that passed.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 25, retryDelay: 200 });
    } catch (error) {
      console.warn(`left the browser profile ${profile} behind: ${error.message}`);
    }
  };
  return { browser, page, close };
}

/**
 * One server and one browser for the tests of a file: started before them,
 * stopped after. Read `world.server` and `world.browser` inside the tests.
 * `serverArgs` are extra server flags.
 */
export function serverAndBrowser(serverArgs = []) {
  const world = {};
  before(async () => {
    world.server = await Server.start(serverArgs);
    world.browser = await launchBrowser();
  });
  after(async () => {
    await world.browser?.close();
    await world.server?.close();
  });
  return world;
}

/** The protocol version the server speaks, read from where it is defined. */
const PROTOCOL_VERSION = Number(
  readFileSync(new URL('../crates/protocol/src/frames.rs', import.meta.url), 'utf8').match(
    /pub const PROTOCOL_VERSION: u32 = (\d+);/,
  )[1],
);

/**
 * Posts `count` messages to `room` through a raw socket opened from inside
 * `page`, as the page's signed-in user, and waits until all are acknowledged.
 * The server must allow the rate (`--actions-per-sec`, `--frames-per-sec`).
 * A socket closed before every answer came (a shared machine may stall long
 * enough for the server to give up on it) is opened again and what was not
 * answered sent again, under the same keys: the server applies each once.
 * Throws, with the server's reasons, rather than wait for ever.
 */
export async function postMessages(page, room, count, text = 'message number') {
  await page.evaluate(
    async ({ room, count, text, protocol }) => {
      const { token } = JSON.parse(localStorage.getItem('hanmadi.session'));
      const key = (n) => `flood-${text.replaceAll(' ', '-')}-${n}`;
      const unanswered = new Set(Array.from({ length: count }, (_, i) => key(i + 1)));
      const closes = [];
      while (unanswered.size > 0) {
        if (closes.length === 5) throw new Error(`the flood's socket closed ${closes.length} times: ${closes.join('; ')}`);
        const ws = new WebSocket(`ws://${location.host}/ws`);
        await new Promise((resolve) => {
          ws.onopen = () => {
            ws.send(JSON.stringify({ type: 'hello', protocol, token }));
            for (let n = 1; n <= count; n++) {
              if (!unanswered.has(key(n))) continue;
              const action = { kind: 'send_message', room, text: `${text} ${n}` };
              ws.send(JSON.stringify({ type: 'action', key: key(n), action }));
            }
          };
          ws.onmessage = (event) => {
            const frame = JSON.parse(event.data);
            if (frame.type !== 'ack') return;
            unanswered.delete(frame.key);
            if (unanswered.size === 0) resolve();
          };
          ws.onclose = (event) => {
            closes.push(`${event.code} ${event.reason} (${unanswered.size} unanswered)`);
            resolve();
          };
        });
        ws.onclose = null;
        ws.close();
      }
    },
    { room, count, text, protocol: PROTOCOL_VERSION },
  );
}

/**
 * `page`'s person signs out, saying yes when asked; the question, as it
 * asked. Waits for the name prompt.
 */
export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  const question = page.getByRole('alertdialog', { name: 'Sign out?' });
  const asked = await question.locator('#sign-out-explained').innerText();
  await question.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('textbox', { name: 'Name' }).waitFor({ timeout: 15_000 });
  return asked;
}

/** The page's words the helpers below look for, in English and in Korean. */
const ENGLISH = {
  name: 'Name', continue: 'Continue', connected: 'Connected', newRoom: 'New room', roomName: 'Room name', create: 'Create',
};
const KOREAN = {
  name: '이름', continue: '계속', connected: '연결됨', newRoom: '새 대화방', roomName: '대화방 이름', create: '만들기',
};

/** Collects `page`'s uncaught errors in `page.errors`. */
export function collectErrors(page) {
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  return page;
}

/**
 * A new browser context (`contextOptions`, e.g. a viewport) on the app, signed
 * in as a guest called `name` and connected. The page collects uncaught errors
 * in `page.errors`.
 */
export async function signedInPage(browser, url, name, contextOptions = { viewport: { width: 1200, height: 800 } }) {
  const context = await browser.newContext(contextOptions);
  return signInOn(await context.newPage(), url, name);
}

/**
 * `signedInPage` on a page you already have (e.g. from
 * `launchBrowserWithRealTab`), in the page's `words`.
 */
export async function signInOn(page, url, name, words = ENGLISH) {
  collectErrors(page);
  await page.goto(url);
  await page.getByRole('textbox', { name: words.name }).fill(name);
  await page.getByRole('button', { name: words.continue }).click();
  await page.getByRole('status').filter({ hasText: words.connected }).waitFor({ timeout: 30_000 });
  return page;
}

/**
 * The same person as `page` on another device: a new browser context with
 * `page`'s session copied as it stands (so neither device renews it from
 * under the other), connected. It collects uncaught errors in `errors`.
 */
export async function sameSessionElsewhere(browser, url, page) {
  const device = collectErrors(await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage());
  const kept = await page.evaluate(() => ['hanmadi.session', 'hanmadi.files-cookie'].map((key) => [key, localStorage.getItem(key)]));
  await device.goto(url);
  await device.evaluate((kept) => kept.forEach(([key, value]) => localStorage.setItem(key, value)), kept);
  await device.reload();
  await device.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  return device;
}

/** `page`'s person creates a room called `name`, which opens it. */
export async function createRoom(page, name, words = ENGLISH) {
  await page.getByRole('button', { name: words.newRoom }).click();
  await page.getByRole('textbox', { name: words.roomName }).fill(name);
  await page.getByRole('button', { name: words.create }).click();
  await page.getByRole('log', { name }).waitFor();
}

/**
 * A page of a Korean browser (more `contextOptions` beside its locale),
 * signed in as `name`, connected, and in a room of its own called `room`, all
 * in the page's Korean words. It collects uncaught errors in `page.errors`.
 */
export async function inKoreanRoom(browser, url, name, room, contextOptions = {}) {
  const page = await (await browser.newContext({ ...contextOptions, locale: 'ko-KR' })).newPage();
  await signInOn(page, url, name, KOREAN);
  await createRoom(page, room, KOREAN);
  return page;
}

/** Mina creates `room` and Jun joins it; each is taken into it. */
export async function bothIn(mina, jun, room) {
  await createRoom(mina, room);
  await jun.getByRole('button', { name: `Join ${room}` }).click();
  await jun.getByRole('log', { name: room }).waitFor();
}

/**
 * Deletes one of its person's own messages from its `row`: Delete (shown
 * under the pointer), then the Delete of the question it asks.
 */
export async function deleteMessage(row) {
  await row.hover();
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.page().getByRole('alertdialog', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).click();
}

/**
 * Waits until nothing on `page` is drawn as waiting to be sent. A sent
 * message's confirmed row comes with the server's event, a frame before its
 * acknowledgement takes the "Sending…" row away: count rows only after this.
 */
export async function nothingWaiting(page) {
  await page.waitForFunction(() => !document.querySelector('article.pending'), null, { timeout: 30_000 });
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * The serious and critical violations axe-core finds on `page` as it is now.
 * The page's context needs `bypassCSP: true`: the app's strict CSP would
 * refuse axe's script, which is not what is checked.
 */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map(({ id, impact, nodes }) => ({ id, impact, where: nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((violation) => ['serious', 'critical'].includes(violation.impact));
}
