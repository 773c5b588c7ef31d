// The form page: it renders cleanly under the CSP, validation errors are shown inline and in
// a focused summary and go away once fixed, small photos are refused before cropping, the crop
// dialog is keyboard-usable, and earlier songs are listed from localStorage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, choosePhoto, openBrowser, snap, snapViewport } from '../lib/harness.mjs';

let browser;
let page;

before(async () => {
  browser = await openBrowser();
  page = browser.page;
});

after(async () => {
  await browser?.close();
});

test('the home page renders the five fields in order, with the footer and no errors', async () => {
  const response = await page.goto('/');
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /script-src 'self';/);
  await page.waitForFunction(() => window.Alpine !== undefined);

  const labels = await page.locator('form label.field__label').allTextContents();
  assert.deepEqual(labels, ['Pet name', 'Pet type', 'Pet photo', 'Music vibe', 'Your name']);
  const types = await page.locator('#pet_type option').allTextContents();
  assert.deepEqual(types.slice(1), ['Dog', 'Cat', 'Bird', 'Fish', 'Other']);
  const vibes = await page.locator('#music_vibe option').allTextContents();
  assert.deepEqual(vibes.slice(1), ['Chill', 'Energetic', 'Romantic', 'Party', 'Relaxing', 'Other']);
  assert.equal(await page.locator('#photo').getAttribute('accept'), 'image/jpeg,image/png');

  const footer = page.locator('footer');
  assert.match(await footer.innerText(), /Music by Sonauto \(now Treblo\)/);
  assert.equal(await footer.getByRole('link', { name: 'Terms & Conditions' }).getAttribute('href'), '/terms');
  assert.equal(await footer.getByRole('link', { name: 'Privacy Policy' }).getAttribute('href'), '/privacy');
  assert.match(await footer.innerText(), /demo provider/);
  await snap(page, 'home');
  assert.deepEqual(browser.problems, []);
});

test('submitting an empty form shows a focused summary and inline errors tied to fields', async () => {
  await page.goto('/');
  await page.waitForFunction(() => window.Alpine !== undefined);
  await page.getByRole('button', { name: 'Create our love song' }).click();

  const summary = page.locator('.error-summary');
  await summary.waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('error-summary')), true);
  assert.equal(await summary.locator('li').count(), 5);

  const petName = page.locator('#pet_name');
  assert.equal(await petName.getAttribute('aria-invalid'), 'true');
  assert.match(await petName.getAttribute('aria-describedby'), /pet_name-error/);
  assert.match(await page.locator('#pet_name-error').innerText(), /Enter your pet's name/);
  assert.equal(await page.locator('#photo').getAttribute('aria-invalid'), 'true');
  await snap(page, 'home-errors');

  // The summary links move focus to their field.
  await summary.getByRole('link', { name: /music vibe/i }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'music_vibe');

  // Fixing a field clears its error; values are kept.
  await petName.fill('Biscuit');
  assert.equal(await petName.getAttribute('aria-invalid'), null);
  assert.equal(await page.locator('#pet_name-error').isVisible(), false);
  await page.getByLabel('Your name').fill('M4tt');
  await page.getByRole('button', { name: 'Create our love song' }).click();
  assert.match(await page.locator('#owner_name-error').innerText(), /only letters/);
  assert.equal(await petName.inputValue(), 'Biscuit');
  await page.getByLabel('Your name').fill("Matt O'Brien");
  assert.equal(await page.locator('#owner_name').getAttribute('aria-invalid'), null);
});

test('a photo smaller than 400×400 is refused before the crop dialog opens', async () => {
  await page.goto('/');
  await page.waitForFunction(() => window.Alpine !== undefined);
  await choosePhoto(page, 600, 300);
  const error = page.locator('#photo-error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.innerText(), /600 × 300 pixels/);
  assert.equal(await page.locator('dialog.dialog--crop').evaluate((d) => d.open), false);
});

test('the crop dialog traps focus, cancels on Escape and exports a 600×600 JPEG', async () => {
  await page.goto('/');
  await page.waitForFunction(() => window.Alpine !== undefined);
  await choosePhoto(page);
  const dialog = page.locator('dialog.dialog--crop');
  assert.equal(await dialog.evaluate((d) => d.open), true);
  await page.waitForFunction(() => document.activeElement?.classList.contains('crop-area'));
  await snapViewport(page, 'crop-dialog');

  // Tab cycles inside the dialog.
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => Boolean(document.activeElement.closest('dialog[open]'))), true);
  }
  // Keyboard framing changes the crop.
  await page.locator('.crop-area').focus();
  const before = await page.evaluate(() => document.querySelector('.cropper-canvas').style.cssText);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('+');
  const moved = await page.evaluate(() => document.querySelector('.cropper-canvas').style.cssText);
  assert.notEqual(moved, before);

  await page.keyboard.press('Escape');
  assert.equal(await dialog.evaluate((d) => d.open), false);
  assert.equal(await page.locator('.photo-picker__status').isVisible(), false);

  await choosePhoto(page);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByRole('button', { name: 'Rotate right' }).click();
  await page.getByRole('button', { name: 'Use this photo' }).click();
  await page.locator('.photo-picker__status').waitFor({ state: 'visible' });
  const size = await page.evaluate(async () => {
    const form = document.querySelector('[x-data="petSongForm"]');
    const data = window.Alpine.$data(form).photoData;
    const image = new Image();
    image.src = data;
    await image.decode();
    return { prefix: data.slice(0, 23), width: image.naturalWidth, height: image.naturalHeight };
  });
  assert.deepEqual(size, { prefix: 'data:image/jpeg;base64,', width: 600, height: 600 });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'photo');
  assert.deepEqual(browser.problems, []);
});

test('songs made earlier in this browser are listed with links to their pages', async () => {
  await page.goto('/');
  await page.evaluate(() => {
    localStorage.setItem(
      'submission_data',
      JSON.stringify({
        cookie_id: 'cookie_abcdefghijklmnopqrstuvwx',
        entries: [
          { session_id: 'abcdefghijklmnopqrstuvwx', timestamp: '2026-02-14T10:30:00Z', pet_name: 'Toby' },
          { session_id: 'bcdefghijklmnopqrstuvwxy', timestamp: '2026-02-14T11:00:00Z' },
          { session_id: '<img src=x onerror=alert(1)>', timestamp: 'x', pet_name: '<b>bad</b>' },
        ],
      })
    );
  });
  await page.reload();
  const list = page.locator('.your-songs');
  await list.waitFor({ state: 'visible' });
  const links = list.locator('a.song-card');
  assert.equal(await links.count(), 2);
  assert.equal(await links.nth(0).getAttribute('href'), '/result/bcdefghijklmnopqrstuvwxy');
  assert.match(await links.nth(1).innerText(), /A love song for Toby/);
  await snap(page, 'home-your-songs');
  await page.evaluate(() => localStorage.clear());
});

test('the legal pages are real pages', async () => {
  for (const path of ['/terms', '/privacy']) {
    const response = await page.goto(BASE_URL + path);
    assert.equal(response.status(), 200);
    assert.ok((await page.locator('main').innerText()).length > 400);
  }
  await snap(page, 'privacy');
});
