// Serenade waiting page: polls GET /api/submissions/{id}/status every 10 s (30 s once the
// song has taken more than 5 minutes), shows the stage in words (live region, only on change),
// the queue position and ETA, pauses while the tab is hidden, and moves on to /result/{id}.
(function () {
  'use strict';

  var root = document.querySelector('[data-waiting]');
  if (!root) return;

  var FAST_MS = 10000;
  var SLOW_MS = 30000;
  var SLOW_AFTER_MS = 5 * 60 * 1000;
  var STAGES = ['queued', 'writing_lyrics', 'composing', 'producing_video', 'ready'];
  var LABELS = {
    queued: 'In the queue',
    writing_lyrics: 'Writing the lyrics',
    composing: 'Composing the music',
    producing_video: 'Pressing the record',
    ready: 'Ready to play',
    failed: 'Something went wrong',
  };

  var sessionId = root.dataset.sessionId;
  var petName = root.dataset.petName || 'your pet';
  var startedAt = Date.now() - (Number(root.dataset.ageMs) || 0);
  var stageText = root.querySelector('[data-stage-text]');
  var stageDetail = root.querySelector('[data-stage-detail]');
  var slowNotice = root.querySelector('[data-slow-notice]');
  var missingNotice = root.querySelector('[data-missing-notice]');
  var currentStage = root.dataset.stage;
  var timer = null;
  var inFlight = false;
  var failures = 0;
  var finished = false;

  function elapsed() {
    return Date.now() - startedAt;
  }

  function interval() {
    var base = elapsed() > SLOW_AFTER_MS ? SLOW_MS : FAST_MS;
    // Back off gently while the network or server is failing.
    return Math.min(base * Math.pow(2, failures), 120000);
  }

  function schedule() {
    window.clearTimeout(timer);
    if (finished || document.hidden) return;
    timer = window.setTimeout(poll, interval());
  }

  function stageFor(body) {
    if (body.stage && (STAGES.indexOf(body.stage) !== -1 || body.stage === 'failed')) return body.stage;
    if (body.status === 'processing') return 'composing';
    return 'queued';
  }

  function eta(seconds) {
    if (typeof seconds !== 'number' || !isFinite(seconds) || seconds < 0) return '';
    if (seconds < 60) return 'less than a minute';
    var count = Math.round(seconds / 60);
    return count <= 1 ? 'about a minute' : 'about ' + count + ' minutes';
  }

  function detailFor(stage, body) {
    if (stage === 'queued') {
      var parts = [];
      if (typeof body.queue_position === 'number' && body.queue_position > 0) {
        parts.push(
          body.queue_position === 1
            ? "You're next in the queue."
            : 'You are number ' + body.queue_position + ' in the queue.'
        );
      }
      var wait = eta(body.eta_seconds);
      if (wait) parts.push('Expected wait: ' + wait + '.');
      if (parts.length) return parts.join(' ');
      return 'Songs usually take a few minutes. We\'ll take you to yours as soon as it\'s ready.';
    }
    var left = eta(body.eta_seconds);
    return left ? 'Nearly there: ' + left + ' to go.' : 'We\'ll take you to your song as soon as it\'s ready.';
  }

  function showStage(stage, label) {
    if (stage === currentStage && label === stageText.textContent) return;
    currentStage = stage;
    stageText.textContent = label; // the live region: changed only when the stage changes
    document.title = label + ' · A love song for ' + petName;
    var index = STAGES.indexOf(stage);
    root.querySelectorAll('[data-step]').forEach(function (step, position) {
      var state = index === -1 ? 'todo' : position < index ? 'done' : position === index ? 'current' : 'todo';
      step.className = 'progress__step progress__step--' + state;
      if (state === 'current') step.setAttribute('aria-current', 'step');
      else step.removeAttribute('aria-current');
      var hidden = step.querySelector('[data-step-state]');
      if (hidden) hidden.textContent = state === 'done' ? '(done)' : state === 'current' ? '(in progress)' : '';
    });
  }

  function finish() {
    finished = true;
    window.clearTimeout(timer);
    document.title = 'Ready! · A love song for ' + petName;
    window.location.replace('/result/' + sessionId);
  }

  function poll() {
    if (inFlight || finished) return;
    inFlight = true;
    fetch('/api/submissions/' + encodeURIComponent(sessionId) + '/status', {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
    })
      .then(function (response) {
        if (response.status === 404) {
          finished = true;
          missingNotice.hidden = false;
          return null;
        }
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (body) {
        inFlight = false;
        if (!body) return;
        failures = 0;
        if (body.status === 'success' || body.status === 'fail') {
          finish();
          return;
        }
        var stage = stageFor(body);
        showStage(stage, body.stage_label || LABELS[stage] || LABELS.queued);
        var detail = detailFor(stage, body);
        if (stageDetail.textContent !== detail) stageDetail.textContent = detail;
        if (elapsed() > SLOW_AFTER_MS) slowNotice.hidden = false;
        schedule();
      })
      .catch(function () {
        inFlight = false;
        failures = Math.min(failures + 1, 3);
        schedule();
      });
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) {
      window.clearTimeout(timer);
    } else if (!finished) {
      poll();
    }
  });

  // Pause control for the turning record (WCAG 2.2.2).
  var toggle = document.querySelector('[data-motion-toggle]');
  var record = document.querySelector('[data-record]');
  if (toggle && record) {
    var label = toggle.querySelector('[data-motion-label]');
    toggle.addEventListener('click', function () {
      var paused = toggle.getAttribute('aria-pressed') !== 'true';
      toggle.setAttribute('aria-pressed', paused ? 'true' : 'false');
      record.classList.toggle('is-paused', paused);
      label.textContent = paused ? 'Play the record' : 'Pause the record';
    });
  }

  // Copy the result link so the visitor can come back later.
  var copyButton = document.querySelector('[data-copy-button]');
  var copySource = document.querySelector('[data-copy-source]');
  var copyStatus = document.querySelector('[data-copy-status]');
  if (copyButton && copySource) {
    copyButton.addEventListener('click', function () {
      var done = function () {
        copyButton.textContent = 'Copied!';
        copyStatus.textContent = 'Link copied. Paste it anywhere to come back to your song.';
        window.setTimeout(function () {
          copyButton.textContent = 'Copy link';
        }, 3000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(copySource.value).then(done, function () {
          copySource.select();
          copyStatus.textContent = 'Press Ctrl+C (or ⌘+C) to copy the selected link.';
        });
      } else {
        copySource.select();
        copyStatus.textContent = 'Press Ctrl+C (or ⌘+C) to copy the selected link.';
      }
    });
  }

  if (elapsed() > SLOW_AFTER_MS) slowNotice.hidden = false;
  schedule();
})();
