// The waiting page: the stage in words (from the status API's optional stage fields, or from
// the status alone), queue position and ETA, the pause control and reduced motion, polling
// that stops while the tab is hidden and slows after five minutes, and the move to the result.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { FAIL_MODE, PIPELINE, openBrowser, snap } from '../lib/harness.mjs';
import { submitViaApi } from '../lib/songs.mjs';

let browser;
let page;
let sessionId;
let statusBody;
let statusRequests;

before(async () => {
  if (FAIL_MODE) return;
  browser = await openBrowser();
  page = browser.page;
  sessionId = (await submitViaApi({ pet: 'Pickles', owner: 'Ana' })).session_id;
  // The status API is answered by the test, so each state can be shown on demand.
  await page.route('**/api/submissions/*/status', (route) => {
    statusRequests += 1;
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(statusBody) });
  });
});

beforeEach(() => {
  statusRequests = 0;
  statusBody = { session_id: sessionId, status: 'pending', created_at: new Date().toISOString() };
});

after(async () => {
  await browser?.close();
});

const skip = FAIL_MODE && 'the provider fails every song in this run';
const pollNow = () => page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));

test('the stage, queue position and ETA are shown in words, and absent fields are fine', { skip }, async () => {
  await page.goto(`/waiting/${sessionId}`);
  const live = page.locator('[data-stage-text]');
  assert.equal(await live.getAttribute('role'), 'status');
  // The first state is rendered by the server from the song's real progress; with the real
  // pipeline it may already be past the queue.
  if (!PIPELINE) assert.equal(await live.innerText(), 'In the queue');
  else assert.notEqual(await live.innerText(), '');

  statusBody = { ...statusBody, stage: 'queued', stage_label: 'Waiting in line', queue_position: 3, eta_seconds: 150 };
  await pollNow();
  await page.waitForFunction(() => document.querySelector('[data-stage-detail]').textContent.includes('number 3'));
  assert.equal(await live.innerText(), 'Waiting in line');
  assert.match(await page.locator('[data-stage-detail]').innerText(), /Expected wait: about 3 minutes/);

  statusBody = { ...statusBody, status: 'processing', stage: 'composing', stage_label: 'Composing the music', queue_position: null, eta_seconds: null };
  await pollNow();
  await page.waitForFunction(() => document.querySelector('[data-stage-text]').textContent === 'Composing the music');
  const current = page.locator('[aria-current="step"]');
  assert.equal(await current.getAttribute('data-step'), 'composing');
  assert.equal(await page.locator('.progress__step--done').count(), 2);
  assert.match(await page.title(), /^Composing the music/);
  await snap(page, 'waiting-composing');

  statusBody = { session_id: sessionId, status: 'processing', created_at: statusBody.created_at };
  await pollNow();
  await page.waitForTimeout(300);
  assert.equal(await live.innerText(), 'Composing the music');
  assert.deepEqual(browser.problems, []);
});

test('the record has a pause control and stands still under reduced motion', { skip }, async () => {
  await page.goto(`/waiting/${sessionId}`);
  const record = page.locator('[data-record]');
  const toggle = page.getByRole('button', { name: 'Pause the record' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  assert.equal(await page.locator('[data-motion-toggle]').getAttribute('aria-pressed'), 'true');
  assert.equal(await record.evaluate((el) => getComputedStyle(el).animationPlayState), 'paused');
  await page.getByRole('button', { name: 'Play the record' }).click();
  assert.equal(await record.evaluate((el) => getComputedStyle(el).animationPlayState), 'running');

  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await record.evaluate((el) => getComputedStyle(el).animationName), 'none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
});

test('polling pauses while the tab is hidden and slows down after five minutes', { skip }, async () => {
  await page.clock.install();
  await page.goto(`/waiting/${sessionId}`);
  // Advances the page's clock in steps, letting each poll's fetch finish in between.
  const advance = async (ms, step = 10_000) => {
    for (let done = 0; done < ms; done += step) {
      await page.clock.runFor(Math.min(step, ms - done));
      await page.waitForTimeout(150);
    }
  };
  await advance(10_500, 10_500);
  assert.equal(statusRequests, 1, 'first poll after 10 s');
  await advance(20_000);
  assert.equal(statusRequests, 3, 'then every 10 s');

  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await advance(60_000);
  assert.equal(statusRequests, 3, 'no polling while hidden');

  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(200);
  assert.equal(statusRequests, 4, 'polls at once when visible again');

  await advance(4 * 60_000);
  await page.locator('[data-slow-notice]').waitFor({ state: 'visible' });
  assert.match(await page.locator('[data-slow-notice]').innerText(), /no need to submit again/);
  const before = statusRequests;
  await advance(60_000);
  const polls = statusRequests - before;
  assert.ok(polls >= 1 && polls <= 2, `every 30 s after five minutes: ${polls} polls in a minute`);
  await snap(page, 'waiting-slow');
});

test('a finished song moves the visitor to the result page', { skip }, async () => {
  await page.route(`**/result/${sessionId}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>result</title>' })
  );
  await page.goto(`/waiting/${sessionId}`);
  statusBody = { ...statusBody, status: 'success' };
  await pollNow();
  await page.waitForURL(new RegExp(`/result/${sessionId}$`));
  await page.unroute(`**/result/${sessionId}`);
});

test('an unknown waiting page is the friendly 404', { skip }, async () => {
  const response = await page.goto('/waiting/not-a-real-id');
  assert.equal(response.status(), 404);
  assert.match(await page.locator('h1').innerText(), /can't find that song/);
});
