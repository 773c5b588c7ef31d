// Making songs for the tests: submissions through the API, and finishing them either through
// the real pipeline (SERENADE_E2E_PIPELINE=1) or, until it lands, by simulation: a small
// ffmpeg-made MP4, poster and Open Graph image in STORAGE_DIR and the row flipped with sqlite3.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL, PIPELINE } from './harness.mjs';

const DATABASE = process.env.SERENADE_E2E_DB;
const STORAGE = process.env.SERENADE_E2E_STORAGE;

export const LYRICS = [
  '[Verse 1]',
  'Biscuit on the windowsill, waiting by the door',
  "Matt comes home and there's a wagging on the floor",
  '',
  '[Chorus]',
  "Oh Biscuit, you're my Valentine",
  'Every walk with you is a walk through sunshine',
  '',
  '[Outro]',
  'Forever yours, tail and all',
].join('\n');

/** A 600×600 JPEG as base64, made by ffmpeg. */
function photoBase64() {
  const jpeg = execFileSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=600x600:rate=1', '-frames:v', '1',
    '-f', 'mjpeg', '-q:v', '4', 'pipe:1',
  ]);
  return jpeg.toString('base64');
}

/** Submits through the API; returns { session_id, cookie_id? }. */
export async function submitViaApi({ pet = 'Biscuit', owner = 'Matt', cookie = null } = {}) {
  const response = await fetch(`${BASE_URL}/api/submissions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      pet_name: pet,
      pet_type: 'Dog',
      photo: photoBase64(),
      music_vibe: 'Romantic',
      owner_name: owner,
      cookie_id: cookie,
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`submission refused: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

function sql(statement) {
  if (!DATABASE) throw new Error('SERENADE_E2E_DB is not set (run through scripts/e2e)');
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', DATABASE, statement]);
}

function quote(text) {
  return `'${String(text).replaceAll("'", "''")}'`;
}

/** Renders a 4-second clip of the uploaded photo turning, its poster and an OG image. */
function renderMedia(sessionId) {
  if (!STORAGE) throw new Error('SERENADE_E2E_STORAGE is not set (run through scripts/e2e)');
  const photo = join(STORAGE, 'uploads', `${sessionId}.jpg`);
  if (!existsSync(photo)) throw new Error(`no uploaded photo at ${photo}`);
  const video = join(STORAGE, 'video');
  const run = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  run([
    '-loop', '1', '-framerate', '15', '-i', photo,
    '-f', 'lavfi', '-i', 'sine=frequency=523:duration=4',
    '-t', '4', '-vf', "scale=720:720,rotate=2*PI*t/3:fillcolor=0x1c1519,format=yuv420p",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-c:a', 'aac', '-shortest',
    '-movflags', '+faststart', join(video, `${sessionId}.mp4`),
  ]);
  run(['-i', photo, '-vf', 'scale=720:720', join(video, `${sessionId}-poster.jpg`)]);
  run([
    '-i', photo, '-vf', 'scale=540:540,pad=1200:630:(ow-iw)/2:(oh-ih)/2:color=0xfde4ea',
    join(video, `${sessionId}-og.jpg`),
  ]);
}

/** Marks a submission finished (simulation): media on disk, row 'success' with lyrics. */
export function simulateSuccess(sessionId, lyrics = LYRICS) {
  renderMedia(sessionId);
  const now = Date.now();
  sql(
    `update submissions set entry_status = 'success', provider_status = 'SUCCESS', ` +
      `lyrics = ${quote(lyrics)}, generated_video_path = ${quote(`/storage/video/${sessionId}.mp4`)}, ` +
      `video_creation_end = ${now}, updated_at = ${now} where session_id = ${quote(sessionId)}`
  );
}

/** Marks a submission failed (simulation), as a provider FAILURE would. */
export function simulateFailure(sessionId) {
  const now = Date.now();
  sql(
    `update submissions set entry_status = 'fail', provider_status = 'FAILURE', ` +
      `error = 'e2e: simulated provider failure', updated_at = ${now} ` +
      `where session_id = ${quote(sessionId)}`
  );
}

/** Polls the status API until the submission is success or fail (real pipeline). */
export async function waitForStatus(sessionId, timeoutMs = 5 * 60 * 1000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${BASE_URL}/api/submissions/${sessionId}/status`);
    const body = await response.json();
    if (body.status === 'success' || body.status === 'fail') return body.status;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`submission ${sessionId} did not finish within ${timeoutMs} ms`);
}

/** A finished song: through the pipeline when it runs, by simulation otherwise. */
export async function finishedSong(options = {}) {
  const created = await submitViaApi(options);
  if (PIPELINE) {
    const status = await waitForStatus(created.session_id);
    if (status !== 'success') throw new Error(`pipeline finished ${created.session_id} as ${status}`);
  } else {
    simulateSuccess(created.session_id);
  }
  return created.session_id;
}

/** A failed song (simulation only: the real failure needs a failing provider, see failure.test). */
export async function failedSong(options = {}) {
  const created = await submitViaApi(options);
  simulateFailure(created.session_id);
  return created.session_id;
}
