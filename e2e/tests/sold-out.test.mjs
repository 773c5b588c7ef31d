// Limits and failures on submit: the 11th submission of a browser shows "Sold Out" (server
// 429 rate_limit_exceeded), so does the client-side check and the server's 503 sold_out; a
// per-IP 429 is not sold out (a toast with the wait); field errors from the server land on
// their field; a network failure offers a retry that keeps the form.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FAIL_MODE, fillForm, openBrowser, snap, snapViewport } from '../lib/harness.mjs';
import { submitViaApi } from '../lib/songs.mjs';

let browser;
let page;

before(async () => {
  if (FAIL_MODE) return;
  browser = await openBrowser();
  page = browser.page;
});

after(async () => {
  await browser?.close();
});

const skip = FAIL_MODE && 'the provider fails every song in this run';
const submitButton = () => page.getByRole('button', { name: 'Create our love song' });

async function freshForm() {
  await page.goto('/');
  await page.waitForFunction(() => window.Alpine !== undefined);
  await fillForm(page, { pet: 'Mochi', type: 'Cat', vibe: 'Chill', owner: 'Sam' });
}

test('the 11th submission from a browser shows Sold Out', { skip }, async () => {
  await freshForm();
  await submitButton().click();
  await page.waitForURL(/\/waiting\//);
  const { cookie_id: cookie } = await page.evaluate(() => JSON.parse(localStorage.getItem('submission_data')));
  for (let i = 0; i < 9; i += 1) await submitViaApi({ pet: 'Mochi', owner: 'Sam', cookie });

  await freshForm();
  let posted = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/submissions')) posted += 1;
  });
  await submitButton().click();
  const dialog = page.locator('dialog.dialog--soldout');
  await page.waitForFunction(() => document.querySelector('dialog.dialog--soldout').open);
  assert.equal(posted, 1, 'the server answered 429');
  assert.match(await dialog.innerText(), /Sorry, we're all sold out!/);
  assert.equal(await dialog.getByRole('button', { name: /try again/i }).count(), 0);
  assert.match(page.url(), /\/$/);
  await snapViewport(page, 'sold-out');
  await dialog.getByRole('button', { name: 'Close' }).click();
  assert.equal(await dialog.evaluate((d) => d.open), false);
});

test('ten songs in localStorage show Sold Out without asking the server', { skip }, async () => {
  await page.goto('/');
  await page.evaluate(() => {
    const entries = Array.from({ length: 10 }, (_, i) => ({
      session_id: `a${String(i).padStart(23, '0')}`,
      timestamp: new Date().toISOString(),
    }));
    localStorage.setItem('submission_data', JSON.stringify({ cookie_id: null, entries }));
  });
  await freshForm();
  let posted = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST') posted += 1;
  });
  await submitButton().click();
  await page.waitForFunction(() => document.querySelector('dialog.dialog--soldout').open);
  assert.equal(posted, 0);
  await page.evaluate(() => localStorage.clear());
});

test('a 503 sold_out from the server shows Sold Out', { skip }, async () => {
  await page.evaluate(() => localStorage.clear());
  await freshForm();
  await page.route('**/api/submissions', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ success: false, error: 'sold_out', message: 'All songs have been claimed.' }),
    })
  );
  await submitButton().click();
  await page.waitForFunction(() => document.querySelector('dialog.dialog--soldout').open);
  await page.unroute('**/api/submissions');
});

test('a per-IP 429 is a toast with the wait, not Sold Out', { skip }, async () => {
  await freshForm();
  await page.route('**/api/submissions', (route) =>
    route.fulfill({
      status: 429,
      contentType: 'application/json',
      headers: { 'Retry-After': '120' },
      body: JSON.stringify({ success: false, error: 'too_many_requests', message: 'Too many requests.', retry_after_seconds: 120 }),
    })
  );
  await submitButton().click();
  const toast = page.locator('.toast');
  await toast.waitFor({ state: 'visible' });
  assert.match(await toast.innerText(), /about 2 minutes/);
  assert.equal(await page.locator('.toast-region').getAttribute('role'), 'alert');
  assert.equal(await page.locator('dialog.dialog--soldout').evaluate((d) => d.open), false);
  await snap(page, 'home-toast');
  await page.unroute('**/api/submissions');
});

test('a field error from the server is shown on its field', { skip }, async () => {
  await freshForm();
  await page.route('**/api/submissions', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ success: false, error: 'invalid_name', field: 'owner_name', message: 'Your name may contain only letters, spaces, apostrophes and hyphens' }),
    })
  );
  await submitButton().click();
  await page.locator('#owner_name-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#owner_name-error').innerText(), /only letters/);
  assert.equal(await page.locator('#owner_name').getAttribute('aria-invalid'), 'true');
  await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'), null, { timeout: 2000 });
  await page.unroute('**/api/submissions');
});

test('a network failure offers a retry that keeps the form and then succeeds', { skip }, async () => {
  await page.evaluate(() => localStorage.clear());
  await freshForm();
  await page.route('**/api/submissions', (route) => route.abort('connectionreset'));
  await submitButton().click();
  const toast = page.locator('.toast');
  await toast.waitFor({ state: 'visible' });
  assert.match(await toast.innerText(), /couldn't reach/);
  assert.equal(await page.getByLabel('Pet name').inputValue(), 'Mochi');
  await page.unroute('**/api/submissions');
  await toast.getByRole('button', { name: 'Try again' }).click();
  await page.waitForURL(/\/waiting\//);
});
