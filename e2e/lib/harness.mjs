// Shared e2e helpers: the server under test (from scripts/e2e's environment), a Chromium
// launched from Debian's package with the flags this machine needs, screenshots at phone and
// desktop sizes, and a generated pet photo.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/** The server's origin, e.g. http://127.0.0.1:41234 (set by scripts/e2e). */
export const BASE_URL = (process.env.SERENADE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
/** True when the real pipeline (workers + fake provider + renderer) runs behind the server. */
export const PIPELINE = process.env.SERENADE_E2E_PIPELINE !== '0';
/** True when the server was started with a provider that fails every song. */
export const FAIL_MODE = process.env.SERENADE_E2E_FAIL === '1';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };
const SCREENSHOTS = join(here, '..', 'screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium with a fresh profile and opens a context on the server's origin.
 * Returns { browser, context, page, close }. Console errors and CSP violations are collected
 * in `problems` so a test can assert the page ran cleanly.
 */
export async function openBrowser({ viewport = DESKTOP, permissions = [] } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'serenade-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
    baseURL: BASE_URL,
    acceptDownloads: true,
  });
  if (permissions.length) await context.grantPermissions(permissions, { origin: BASE_URL });
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Throws when the page scrolls sideways at `width` (layouts must work from 360 px up). */
export async function assertNoSidewaysScroll(page, name, width = 360) {
  const original = page.viewportSize();
  await page.setViewportSize({ width, height: 740 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (original) await page.setViewportSize(original);
  if (overflow > 0) throw new Error(`${name}: the page is ${overflow}px wider than a ${width}px screen`);
}

/** Saves full-page screenshots of the current page at phone and desktop sizes. */
export async function snap(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await assertNoSidewaysScroll(page, name);
  const original = page.viewportSize();
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150); // let layout and transitions settle
    await page.screenshot({
      path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`),
      fullPage: true,
      animations: 'disabled',
    });
  }
  if (original) await page.setViewportSize(original);
}

/** Saves a screenshot of the visible viewport only (for dialogs) at both sizes. */
export async function snapViewport(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(300);
    await page.screenshot({
      path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`),
      animations: 'disabled',
    });
  }
  if (original) await page.setViewportSize(original);
}

/**
 * A JPEG of a cartoon dog drawn in the page's canvas, as a buffer for setInputFiles.
 * `width`×`height` lets a test make photos that are too small.
 */
export async function petPhoto(page, width = 800, height = 800) {
  const base64 = await page.evaluate(
    async ({ width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      const s = Math.min(width, height) / 800;
      const background = g.createLinearGradient(0, 0, width, height);
      background.addColorStop(0, '#ffd6e1');
      background.addColorStop(1, '#ffe8c7');
      g.fillStyle = background;
      g.fillRect(0, 0, width, height);
      g.translate(width / 2, height / 2 + 30 * s);
      g.scale(s, s);
      const ellipse = (x, y, rx, ry, color, rotation = 0) => {
        g.fillStyle = color;
        g.beginPath();
        g.ellipse(x, y, rx, ry, rotation, 0, Math.PI * 2);
        g.fill();
      };
      ellipse(-190, -120, 80, 170, '#7a4a2a', 0.35); // ears
      ellipse(190, -120, 80, 170, '#7a4a2a', -0.35);
      ellipse(0, 0, 230, 240, '#c68a52'); // head
      ellipse(0, 110, 140, 110, '#f3dcc0'); // muzzle
      ellipse(-85, -50, 26, 30, '#2d0f1c'); // eyes
      ellipse(85, -50, 26, 30, '#2d0f1c');
      ellipse(-76, -60, 8, 9, '#fff');
      ellipse(94, -60, 8, 9, '#fff');
      ellipse(0, 60, 46, 32, '#2d0f1c'); // nose
      ellipse(0, 170, 30, 40, '#ff5c8a'); // tongue
      g.fillStyle = '#b0124a'; // heart collar tag
      g.beginPath();
      g.moveTo(0, 300);
      g.bezierCurveTo(-60, 250, -40, 200, 0, 230);
      g.bezierCurveTo(40, 200, 60, 250, 0, 300);
      g.fill();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return btoa(binary);
    },
    { width, height }
  );
  return { name: `pet-${width}x${height}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') };
}

/** Fills the five fields (the photo through the crop dialog) on the home page. */
export async function fillForm(page, { pet = 'Biscuit', type = 'Dog', vibe = 'Romantic', owner = 'Matt' } = {}) {
  await page.getByLabel('Pet name').fill(pet);
  await page.getByLabel('Pet type').selectOption(type);
  await choosePhoto(page);
  await page.getByRole('button', { name: 'Use this photo' }).click();
  await page.locator('.photo-picker__status').waitFor({ state: 'visible' });
  await page.getByLabel('Music vibe').selectOption(vibe);
  await page.getByLabel('Your name').fill(owner);
}

/** Picks the generated 800×800 photo and waits for the crop dialog to be ready. */
export async function choosePhoto(page, width = 800, height = 800) {
  const photo = await petPhoto(page, width, height);
  await page.locator('#photo').setInputFiles(photo);
  if (width >= 400 && height >= 400) {
    await page.locator('dialog.dialog--crop[open] .cropper-container').waitFor({ state: 'visible' });
  }
}
