// The result page: video, lyrics, Open Graph tags with absolute URLs, copy link (read back from
// the clipboard), the download link (a real MP4), native share with the video file, the
// redirect of unfinished songs and the friendly 404.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, FAIL_MODE, PIPELINE, openBrowser, snap } from '../lib/harness.mjs';
import { finishedSong, submitViaApi } from '../lib/songs.mjs';

let browser;
let sessionId;

before(async () => {
  if (FAIL_MODE) return;
  browser = await openBrowser({ permissions: ['clipboard-read', 'clipboard-write'] });
  sessionId = await finishedSong({ pet: 'Biscuit', owner: 'Matt' });
});

after(async () => {
  await browser?.close();
});

const skip = FAIL_MODE && 'the provider fails every song in this run';

test('a finished song has server-rendered Open Graph tags with absolute URLs', { skip }, async () => {
  const { page } = browser;
  const response = await page.goto(`/result/${sessionId}`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['x-robots-tag'], /noindex/);
  const meta = async (selector) => page.locator(selector).getAttribute('content');
  assert.equal(await meta('meta[name="robots"]'), 'noindex, nofollow');
  assert.equal(await meta('meta[property="og:title"]'), 'A love song for Biscuit');
  assert.equal(await meta('meta[property="og:url"]'), `${BASE_URL}/result/${sessionId}`);
  const image = await meta('meta[property="og:image"]');
  assert.equal(image, `${BASE_URL}/storage/video/${sessionId}-og.jpg`);
  assert.equal(await meta('meta[property="og:image:width"]'), '1200');
  assert.equal(await meta('meta[property="og:image:height"]'), '630');
  assert.match(await meta('meta[property="og:image:alt"]'), /Biscuit/);
  assert.equal(await meta('meta[name="twitter:card"]'), 'summary_large_image');
  const og = await page.request.get(image);
  assert.equal(og.status(), 200);
  assert.equal(og.headers()['content-type'], 'image/jpeg');
});

test('the video loads its metadata and the lyrics keep their sections and lines', { skip }, async () => {
  const { page } = browser;
  await page.goto(`/result/${sessionId}`);
  const video = page.locator('video');
  assert.equal(await video.getAttribute('src'), `/storage/video/${sessionId}.mp4`);
  assert.equal(await video.getAttribute('poster'), `/storage/video/${sessionId}-poster.jpg`);
  assert.equal(await video.getAttribute('preload'), 'metadata');
  assert.notEqual(await video.getAttribute('playsinline'), null);
  assert.notEqual(await video.getAttribute('controls'), null);
  assert.equal(await video.getAttribute('autoplay'), null);
  await page.waitForFunction(() => document.querySelector('video').readyState >= 1, null, { timeout: 20000 });
  assert.ok((await video.evaluate((v) => v.duration)) > 0);

  assert.ok((await page.locator('.lyrics__text').innerText()).trim().length > 0, 'the lyrics are shown');
  if (!PIPELINE) {
    // The simulated lyrics have [Verse]/[Chorus] headings and multi-line stanzas.
    assert.deepEqual(await page.locator('.lyrics__section').allTextContents(), ['Verse 1', 'Chorus', 'Outro']);
    assert.equal(await page.locator('.lyrics__stanza').first().locator('br').count(), 1, 'line breaks are kept');
  }
});

test('copy link puts the page URL on the clipboard and says so', { skip }, async () => {
  const { page } = browser;
  await page.goto(`/result/${sessionId}`);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByRole('button', { name: 'Link copied!' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-copy-status]').textContent.includes('copied'));
  assert.equal(await page.locator('[data-copy-status]').getAttribute('role'), 'status');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${BASE_URL}/result/${sessionId}`);
});

test('the download link is a real MP4 with a friendly name', { skip }, async () => {
  const { page } = browser;
  await page.goto(`/result/${sessionId}`);
  const link = page.getByRole('link', { name: 'Download video' });
  assert.equal(await link.getAttribute('download'), 'Biscuit-love-song.mp4');
  const response = await page.request.get(await link.getAttribute('href'));
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'video/mp4');
  const body = await response.body();
  assert.equal(body.subarray(4, 8).toString('latin1'), 'ftyp');

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'Biscuit-love-song.mp4');
  await download.cancel();
});

test('share sends the video file when the device can share files', { skip }, async () => {
  const { page } = browser;
  await page.addInitScript(() => {
    window.__shared = null;
    navigator.canShare = (data) => Boolean(data && data.files);
    navigator.share = async (data) => {
      window.__shared = {
        title: data.title,
        url: data.url || null,
        files: (data.files || []).map((file) => ({ name: file.name, type: file.type, size: file.size })),
      };
    };
  });
  await page.goto(`/result/${sessionId}`);
  const share = page.getByRole('button', { name: 'Share', exact: true });
  await share.waitFor({ state: 'visible' });
  await page.waitForTimeout(500); // the MP4 is fetched on load
  await share.click();
  const shared = await page.waitForFunction(() => window.__shared).then((handle) => handle.jsonValue());
  assert.equal(shared.title, 'A love song for Biscuit');
  assert.equal(shared.files.length, 1);
  assert.equal(shared.files[0].name, 'Biscuit-love-song.mp4');
  assert.equal(shared.files[0].type, 'video/mp4');
  assert.ok(shared.files[0].size > 1000);

  const links = page.locator('.share-links a');
  assert.deepEqual(await links.allTextContents(), [
    'WhatsApp (opens in a new tab)',
    'Facebook (opens in a new tab)',
    'X (opens in a new tab)',
  ]);
  const encoded = encodeURIComponent(`${BASE_URL}/result/${sessionId}`);
  assert.ok((await links.nth(1).getAttribute('href')).includes(encoded));
});

test('a song still being made redirects to its waiting page', { skip }, async () => {
  const { page } = browser;
  const pending = await submitViaApi({ pet: 'Pending', owner: 'Matt' });
  const response = await page.request.get(`/result/${pending.session_id}`, { maxRedirects: 0 });
  assert.equal(response.status(), 303);
  assert.equal(response.headers().location, `/waiting/${pending.session_id}`);
});

test('an unknown song shows the friendly 404 page', { skip }, async () => {
  const { page } = browser;
  const response = await page.goto('/result/zzzzzzzzzzzzzzzzzzzzzzzz');
  assert.equal(response.status(), 404);
  assert.match(await page.locator('h1').innerText(), /can't find that song/);
  await page.getByRole('link', { name: 'Go to the home page' }).waitFor();
  await snap(page, 'not-found');
});
