// A provider FAILURE: the visitor submits, waits, and lands on the kind failure view with
// "Retake the journey". Run by scripts/e2e against a server whose fake provider fails every
// song (SERENADE_E2E_PIPELINE=1 → second server with SERENADE_E2E_FAIL=1); until the pipeline
// lands, the failure is simulated in the database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FAIL_MODE, PIPELINE, fillForm, openBrowser, snap } from '../lib/harness.mjs';
import { simulateFailure } from '../lib/songs.mjs';

let browser;

before(async () => {
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
});

const skip = PIPELINE && !FAIL_MODE && 'needs the failing-provider server (scripts/e2e starts it with SERENADE_E2E_FAIL=1)';

test('a song the provider fails shows the failure view with "Retake the journey"', { skip }, async () => {
  const { page } = browser;
  await page.goto('/');
  await page.waitForFunction(() => window.Alpine !== undefined);
  await fillForm(page, { pet: 'Waffles', type: 'Dog', vibe: 'Party', owner: 'Jo' });
  await page.getByRole('button', { name: 'Create our love song' }).click();
  await page.waitForURL(/\/waiting\/[a-z0-9]{24}$/);
  const sessionId = page.url().split('/').pop();

  if (!FAIL_MODE) simulateFailure(sessionId);
  await page.waitForURL(new RegExp(`/result/${sessionId}$`), { timeout: FAIL_MODE ? 5 * 60 * 1000 : 30 * 1000 });
  assert.match(await page.locator('h1').innerText(), /We couldn't finish Waffles's song/);
  assert.equal(await page.locator('meta[name="robots"]').getAttribute('content'), 'noindex, nofollow');
  assert.equal(await page.locator('video').count(), 0);
  await snap(page, 'result-failed');

  await page.getByRole('link', { name: 'Retake the journey' }).click();
  await page.waitForURL(/\/$/);
  assert.deepEqual(browser.problems, []);
});
