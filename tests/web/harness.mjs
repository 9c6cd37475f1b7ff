// What every browser test shares: TAP output, Debian's chromium headless
// through playwright-core, a page that records console errors, poll() and
// screenshots.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

let n = 0;
let failed = 0;
export const ok = (what) => console.log(`ok ${++n} - ${what}`);
export const notok = (what, why) => { failed++; console.log(`not ok ${++n} - ${what}`); if (why) console.log('# ' + String(why).split('\n').slice(0, 6).join('\n# ')); };
export async function step(what, f) {
  try { await f(); ok(what); } catch (e) { notok(what, e && e.message); }
}
export function finish() {
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
}

// browser(OUT, PROFILE): { ctx, page, consoleErrors, poll, shot }
export async function browser(out, profile) {
  mkdirSync(out, { recursive: true });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
    ignoreHTTPSErrors: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 768 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(15000);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // waitForFunction evaluates strings in the page, which our CSP forbids
  // (rightly): poll with evaluate(), which the CSP does not govern.
  async function poll(fn, arg, timeout) {
    const end = Date.now() + (timeout || 15000);
    for (;;) {
      if (await page.evaluate(fn, arg)) return;
      if (Date.now() > end) throw new Error('timed out waiting for ' + String(fn).replace(/\s+/g, ' ').slice(0, 120) + '\n' + await pageState());
      await page.waitForTimeout(200);
    }
  }
  // what the page showed when a wait gave up: the one clue a CI log keeps
  async function pageState() {
    return page.evaluate(() => {
      const rows = [...document.querySelectorAll('tr[data-id]')].map((tr) => tr.dataset.id);
      const main = document.querySelector('main');
      return 'page: ' + location.hash + ' rows [' + rows.join(',') + '] ' +
        (main ? main.innerText.replace(/\s+/g, ' ').slice(0, 400) : '');
    }).catch((e) => 'page state unavailable: ' + e);
  }
  const shot = (name) => page.screenshot({ path: path.join(out, name + '.png'), fullPage: true });
  return { ctx, page, consoleErrors, poll, shot };
}

// The first sign-in of an account made with a one-time password: sign in,
// set password pw, land on the overview.
export async function firstSignIn(page, url, user, oneTime, pw) {
  await page.goto(url + '/');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', oneTime);
  await page.click('button[type=submit]');
  await page.waitForSelector('input[name=new1]');
  await page.fill('input[name=old]', oneTime);
  await page.fill('input[name=new1]', pw);
  await page.fill('input[name=new2]', pw);
  await page.click('button[type=submit]');
  await page.waitForSelector('#ov-devices');
}

// Follow a top-bar link, through the More menu when it is one of its
// pages (web/js/navmore.js).
export async function navTo(page, href) {
  const sel = `#nav a[href="${href}"]`;
  if (!(await page.isVisible(sel))) await page.click('#nav-more');
  await page.click(sel);
}
