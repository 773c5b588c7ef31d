// Serenade result page: copy link (visible and announced), native share with the video file
// when the device can share files (the MP4 is fetched on load, because iOS cancels a share
// that waits on the network after the tap), share of the link otherwise, and a note when the
// video cannot load. Download and the share links work without this script.
(function () {
  'use strict';

  var root = document.querySelector('[data-result]');
  if (!root) return;

  var data = root.dataset;
  var status = root.querySelector('[data-copy-status]');
  var copyButton = root.querySelector('[data-copy-button]');
  var copyLabel = root.querySelector('[data-copy-label]');
  var shareButton = root.querySelector('[data-share-button]');
  var video = root.querySelector('[data-video]');
  var videoError = root.querySelector('[data-video-error]');
  var videoFile = null;
  var resetTimer = null;

  function announce(message) {
    // Clear first so the same message is announced again on a second click.
    status.textContent = '';
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function copyWithSelection(text) {
    var field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.className = 'visually-hidden';
    document.body.appendChild(field);
    field.select();
    var ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (error) {
      ok = false;
    }
    document.body.removeChild(field);
    return ok;
  }

  if (copyButton) {
    copyButton.addEventListener('click', function () {
      var url = data.shareUrl;
      var copied = function () {
        copyLabel.textContent = 'Link copied!';
        copyButton.classList.add('is-done');
        announce('Link copied to your clipboard.');
        window.clearTimeout(resetTimer);
        resetTimer = window.setTimeout(function () {
          copyLabel.textContent = 'Copy link';
          copyButton.classList.remove('is-done');
        }, 4000);
      };
      var failed = function () {
        if (copyWithSelection(url)) copied();
        else announce('Copying is blocked here. The link is: ' + url);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(copied, failed);
      } else {
        failed();
      }
    });
  }

  function canShareFiles() {
    if (!navigator.canShare || typeof File !== 'function') return false;
    try {
      return navigator.canShare({ files: [new File([''], 'test.mp4', { type: 'video/mp4' })] });
    } catch (error) {
      return false;
    }
  }

  if (shareButton && navigator.share) {
    shareButton.hidden = false;
    if (canShareFiles()) {
      fetch(data.videoUrl, { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('video ' + response.status);
          return response.blob();
        })
        .then(function (blob) {
          var file = new File([blob], data.downloadName || 'love-song.mp4', { type: 'video/mp4' });
          if (navigator.canShare({ files: [file] })) videoFile = file;
        })
        .catch(function () {
          videoFile = null; // the link is shared instead
        });
    }
    shareButton.addEventListener('click', function () {
      var payload = { title: data.shareTitle, text: data.shareText };
      if (videoFile) payload.files = [videoFile];
      else payload.url = data.shareUrl;
      navigator.share(payload).catch(function (error) {
        if (error && error.name === 'AbortError') return; // the visitor closed the sheet
        // A retry would need a new tap (share() requires a user gesture), so point elsewhere.
        announce("Sharing didn't work here. Use the links below, or copy the link.");
      });
    });
  }

  if (video && videoError) {
    video.addEventListener('error', function () {
      videoError.hidden = false;
    });
  }
})();
