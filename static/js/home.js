// Serenade home page: the spec's SessionManager (localStorage `submission_data`), the form
// component `petSongForm` (validation, photo check, Cropper.js framing, submission, sold out,
// toast) and `yourSongs` (the visitor's earlier songs). Alpine's CSP build: every directive
// expression in form.html is a property or method reference, so no `unsafe-eval` is needed.
(function () {
  'use strict';

  /** Stores the visitor's cookie id and songs, as the spec describes. */
  var SessionManager = (function () {
    var KEY = 'submission_data';
    var memory = null; // used when localStorage is unavailable (private modes, blocked storage)

    function empty() {
      return { cookie_id: null, entries: [] };
    }

    function read() {
      var raw = null;
      try {
        raw = window.localStorage.getItem(KEY);
      } catch (error) {
        return memory || empty();
      }
      if (!raw) return empty();
      try {
        var data = JSON.parse(raw);
        if (!data || typeof data !== 'object') return empty();
        return {
          cookie_id: typeof data.cookie_id === 'string' && data.cookie_id ? data.cookie_id : null,
          entries: Array.isArray(data.entries) ? data.entries.filter(isEntry) : [],
        };
      } catch (error) {
        return empty();
      }
    }

    function isEntry(entry) {
      return entry && typeof entry.session_id === 'string';
    }

    function write(data) {
      memory = data;
      try {
        window.localStorage.setItem(KEY, JSON.stringify(data));
      } catch (error) {
        // Storage full or blocked: the in-memory copy lasts for this page.
      }
    }

    return {
      /** The cookie id the server gave this browser, or null the first time. */
      getCookieId: function () {
        return read().cookie_id;
      },
      /** Records a new submission, and the cookie id when the server issued one. */
      updateSession: function (sessionId, cookieId, petName) {
        var data = read();
        if (cookieId) data.cookie_id = cookieId;
        var entry = { session_id: sessionId, timestamp: new Date().toISOString() };
        if (petName) entry.pet_name = petName;
        data.entries.push(entry);
        write(data);
      },
      /** Drops a cookie id the server no longer accepts. */
      forgetCookieId: function () {
        var data = read();
        data.cookie_id = null;
        write(data);
      },
      getEntries: function () {
        return read().entries;
      },
      hasReachedSubmissionLimit: function (limit) {
        return read().entries.length >= (limit || 10);
      },
    };
  })();
  window.SessionManager = SessionManager;

  var FIELDS = ['pet_name', 'pet_type', 'photo', 'music_vibe', 'owner_name'];
  var LABELS = {
    pet_name: 'Pet name',
    pet_type: 'Pet type',
    photo: 'Pet photo',
    music_vibe: 'Music vibe',
    owner_name: 'Your name',
  };
  var MAX_PHOTO_BYTES = 5 * 1024 * 1024;
  var MIN_PHOTO_SIDE = 400;
  var OUTPUT_SIDE = 600;
  var NAME_CHARACTERS = /^[\p{L}\p{M}\s'\u2019\u2018\u02BC\u2010\u2011-]+$/u;
  var SESSION_ID = /^[a-z][a-z0-9]{23}$/;

  function blankMap(value) {
    var map = {};
    FIELDS.forEach(function (field) {
      map[field] = value;
    });
    return map;
  }

  function checkName(field, raw, min, max) {
    var value = raw.trim().normalize('NFC').replace(/\s+/g, ' ');
    var label = LABELS[field];
    if (!value) return field === 'pet_name' ? "Enter your pet's name" : 'Enter your name';
    if (!NAME_CHARACTERS.test(value) || !/\p{L}/u.test(value)) {
      return label + ' may contain only letters, spaces, apostrophes and hyphens';
    }
    var length = Array.from(value).length;
    if (length < min) return label + ' must be at least ' + min + ' characters';
    if (length > max) return label + ' must be at most ' + max + ' characters';
    return '';
  }

  function loadImage(url) {
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () {
        resolve({ width: image.naturalWidth, height: image.naturalHeight });
      };
      image.onerror = reject;
      image.src = url;
    });
  }

  function readAsDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        resolve(reader.result);
      };
      reader.onerror = reject;
      reader.readAsDataURL(blob);
    });
  }

  function focusable(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'),
      function (element) {
        return !element.disabled && element.offsetParent !== null;
      }
    );
  }

  function minutes(seconds) {
    var count = Math.max(1, Math.ceil(seconds / 60));
    return count === 1 ? 'a minute' : count + ' minutes';
  }

  function formPage() {
    var cropper = null; // kept out of Alpine's reactive state: Cropper must see its own objects
    var cropUrl = null;
    var previewUrl = null;

    return {
      errors: blankMap(''),
      busy: false,
      cropBusy: false,
      photoData: '',
      photoPreview: '',
      toastVisible: false,
      toastMessage: '',
      toastCanRetry: false,
      limit: 10,
      minName: 2,
      maxName: 100,
      retriedCookie: false,

      init: function () {
        var data = this.$el.dataset;
        this.limit = Number(data.submitLimit) || 10;
        this.minName = Number(data.minName) || 2;
        this.maxName = Number(data.maxName) || 100;
      },

      get hasErrors() {
        return this.summary.length > 0;
      },
      get summary() {
        var errors = this.errors;
        return FIELDS.filter(function (field) {
          return errors[field];
        }).map(function (field) {
          return { field: field, href: '#' + field, message: errors[field] };
        });
      },
      get invalid() {
        var errors = this.errors;
        var map = {};
        FIELDS.forEach(function (field) {
          map[field] = errors[field] ? 'true' : null;
        });
        return map;
      },
      get describedBy() {
        var errors = this.errors;
        var hints = { pet_name: true, photo: true, owner_name: true };
        var map = {};
        FIELDS.forEach(function (field) {
          var ids = [];
          if (errors[field]) ids.push(field + '-error');
          if (hints[field]) ids.push(field + '-hint');
          map[field] = ids.length ? ids.join(' ') : null;
        });
        return map;
      },
      get fieldClass() {
        var errors = this.errors;
        var map = {};
        FIELDS.forEach(function (field) {
          map[field] = errors[field] ? 'field--error' : '';
        });
        return map;
      },
      get hasPhoto() {
        return Boolean(this.photoPreview);
      },
      get noPhoto() {
        return !this.photoPreview;
      },
      get photoButtonLabel() {
        return this.photoPreview ? 'Change photo' : 'Choose a photo';
      },
      get submitLabel() {
        return this.busy ? 'Sending your song request…' : 'Create our love song';
      },
      get busyAttr() {
        return this.busy ? 'true' : null;
      },

      values: function () {
        var form = this.$refs.form;
        return {
          pet_name: form.elements.pet_name.value,
          pet_type: form.elements.pet_type.value,
          music_vibe: form.elements.music_vibe.value,
          owner_name: form.elements.owner_name.value,
        };
      },

      check: function (field, values) {
        switch (field) {
          case 'pet_name':
          case 'owner_name':
            return checkName(field, values[field], this.minName, this.maxName);
          case 'pet_type':
            return values.pet_type ? '' : 'Choose the type of pet';
          case 'music_vibe':
            return values.music_vibe ? '' : 'Choose a music vibe';
          case 'photo':
            return this.photoData ? '' : 'Add a photo of your pet';
          default:
            return '';
        }
      },

      validate: function () {
        var values = this.values();
        var errors = blankMap('');
        var self = this;
        FIELDS.forEach(function (field) {
          errors[field] = self.check(field, values);
        });
        this.errors = errors;
        return !this.hasErrors;
      },

      /** Re-checks a field that already shows an error, so the error goes once it is fixed. */
      revalidate: function (event) {
        var field = event.target.name;
        if (!this.errors[field]) return;
        this.errors[field] = this.check(field, this.values());
      },

      /** Moves focus to the error summary once it is displayed (focusing a hidden element
          does nothing, and under load the summary can appear a frame after Alpine's tick). */
      showErrorSummary: function () {
        var summary = this.$refs.summary;
        var frames = 0;
        var focusWhenShown = function () {
          if (summary.offsetParent !== null) summary.focus();
          if (document.activeElement !== summary && frames++ < 60) {
            window.requestAnimationFrame(focusWhenShown);
          }
        };
        this.$nextTick(focusWhenShown);
      },

      focusField: function (event) {
        event.preventDefault();
        var id = event.currentTarget.getAttribute('href').slice(1);
        var element = document.getElementById(id);
        if (!element) return;
        element.scrollIntoView({ block: 'center' });
        element.focus();
      },

      setFieldError: function (field, message) {
        this.errors[field] = message;
      },

      // ---- Photo: check, frame, export ----

      pickPhoto: function (event) {
        var input = event.target;
        var file = input.files && input.files[0];
        if (!file) return;
        var self = this;
        this.setFieldError('photo', '');
        var type = (file.type || '').toLowerCase();
        var byName = /\.(jpe?g|png)$/i.test(file.name || '');
        input.value = '';
        if (type ? type !== 'image/jpeg' && type !== 'image/png' : !byName) {
          this.setFieldError('photo', 'Choose a JPG or PNG photo');
          return;
        }
        if (file.size > MAX_PHOTO_BYTES) {
          this.setFieldError('photo', 'That photo is larger than 5 MB. Please choose a smaller one');
          return;
        }
        var url = URL.createObjectURL(file);
        loadImage(url)
          .then(function (size) {
            if (size.width < MIN_PHOTO_SIDE || size.height < MIN_PHOTO_SIDE) {
              URL.revokeObjectURL(url);
              self.setFieldError(
                'photo',
                'That photo is ' + size.width + ' × ' + size.height +
                  ' pixels. Please choose one at least 400 × 400 pixels'
              );
              return;
            }
            self.openCropper(url);
          })
          .catch(function () {
            URL.revokeObjectURL(url);
            self.setFieldError('photo', "We couldn't open that photo. Please choose a JPG or PNG");
          });
      },

      openCropper: function (url) {
        var self = this;
        this.destroyCropper();
        cropUrl = url;
        var image = this.$refs.cropImage;
        var dialog = this.$refs.cropDialog;
        image.src = url;
        dialog.showModal();
        cropper = new window.Cropper(image, {
          aspectRatio: 1,
          viewMode: 1,
          dragMode: 'move',
          autoCropArea: 0.9,
          background: false,
          guides: false,
          restore: false,
          responsive: true,
          checkOrientation: false, // browsers already apply EXIF orientation to <img>
          toggleDragModeOnDblclick: false,
          ready: function () {
            self.$refs.cropArea.focus();
          },
        });
      },

      destroyCropper: function () {
        if (cropper) {
          cropper.destroy();
          cropper = null;
        }
        if (cropUrl) {
          URL.revokeObjectURL(cropUrl);
          cropUrl = null;
        }
      },

      closeCropDialog: function () {
        var dialog = this.$refs.cropDialog;
        if (dialog.open) dialog.close();
        this.destroyCropper();
        this.cropBusy = false;
        this.$refs.photoInput.focus();
      },

      cancelCrop: function () {
        this.closeCropDialog();
      },

      zoomIn: function () {
        if (cropper) cropper.zoom(0.1);
      },
      zoomOut: function () {
        if (cropper) cropper.zoom(-0.1);
      },
      rotateLeft: function () {
        if (cropper) cropper.rotate(-90);
      },
      rotateRight: function () {
        if (cropper) cropper.rotate(90);
      },

      cropKeydown: function (event) {
        if (!cropper || event.target !== this.$refs.cropArea) return;
        var step = event.shiftKey ? 40 : 10;
        var moves = {
          ArrowLeft: [-step, 0],
          ArrowRight: [step, 0],
          ArrowUp: [0, -step],
          ArrowDown: [0, step],
        };
        if (moves[event.key]) {
          cropper.move(moves[event.key][0], moves[event.key][1]);
        } else if (event.key === '+' || event.key === '=') {
          cropper.zoom(0.1);
        } else if (event.key === '-' || event.key === '_') {
          cropper.zoom(-0.1);
        } else {
          return;
        }
        event.preventDefault();
      },

      /** Keeps Tab inside an open dialog. */
      trapFocus: function (event) {
        if (event.key !== 'Tab') return;
        var items = focusable(event.currentTarget);
        if (!items.length) return;
        var first = items[0];
        var last = items[items.length - 1];
        if (event.shiftKey && document.activeElement === first) {
          last.focus();
          event.preventDefault();
        } else if (!event.shiftKey && document.activeElement === last) {
          first.focus();
          event.preventDefault();
        }
      },

      useCrop: function () {
        if (!cropper || this.cropBusy) return;
        var self = this;
        this.cropBusy = true;
        var canvas = cropper.getCroppedCanvas({
          width: OUTPUT_SIDE,
          height: OUTPUT_SIDE,
          fillColor: '#fff',
          imageSmoothingEnabled: true,
          imageSmoothingQuality: 'high',
        });
        if (!canvas) {
          this.cropBusy = false;
          return;
        }
        canvas.toBlob(
          function (blob) {
            if (!blob) {
              self.closeCropDialog();
              self.setFieldError('photo', "We couldn't frame that photo. Please try another");
              return;
            }
            readAsDataUrl(blob).then(function (dataUrl) {
              if (previewUrl) URL.revokeObjectURL(previewUrl);
              previewUrl = URL.createObjectURL(blob);
              self.photoData = dataUrl;
              self.photoPreview = previewUrl;
              self.setFieldError('photo', '');
              self.closeCropDialog();
            });
          },
          'image/jpeg',
          0.9
        );
      },

      // ---- Submission ----

      submit: function () {
        if (this.busy) return;
        this.dismissToast();
        if (SessionManager.hasReachedSubmissionLimit(this.limit)) {
          this.openSoldOut();
          return;
        }
        if (!this.validate()) {
          this.showErrorSummary();
          return;
        }
        this.send();
      },

      retry: function () {
        this.submit();
      },

      send: function () {
        var self = this;
        var values = this.values();
        var body = {
          pet_name: values.pet_name.trim(),
          pet_type: values.pet_type,
          photo: this.photoData,
          music_vibe: values.music_vibe,
          owner_name: values.owner_name.trim(),
          cookie_id: SessionManager.getCookieId(),
        };
        this.busy = true;
        fetch('/api/submissions', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
          credentials: 'same-origin',
        })
          .then(function (response) {
            return response
              .json()
              .catch(function () {
                return {};
              })
              .then(function (data) {
                self.handleResponse(response, data, body);
              });
          })
          .catch(function () {
            self.busy = false;
            self.showToast(
              "We couldn't reach the studio. Please check your connection and try again.",
              true
            );
          });
      },

      handleResponse: function (response, data, body) {
        if (response.ok && data && SESSION_ID.test(data.session_id || '')) {
          SessionManager.updateSession(data.session_id, data.cookie_id, body.pet_name);
          window.location.assign('/waiting/' + data.session_id);
          return; // stay busy while the next page loads
        }
        this.busy = false;
        var code = (data && data.error) || '';
        if (code === 'rate_limit_exceeded' || code === 'sold_out') {
          this.openSoldOut();
          return;
        }
        if (code === 'too_many_requests') {
          var wait = Number(data.retry_after_seconds) || Number(response.headers.get('Retry-After')) || 60;
          this.showToast(
            "You've made lots of songs in a short time. Please try again in about " + minutes(wait) + '.',
            true
          );
          return;
        }
        if (data && data.field === 'cookie_id' && !this.retriedCookie) {
          this.retriedCookie = true;
          SessionManager.forgetCookieId();
          this.send();
          return;
        }
        if (data && FIELDS.indexOf(data.field) !== -1) {
          this.setFieldError(data.field, data.message || 'Please check this answer');
          this.showErrorSummary();
          return;
        }
        if (response.status === 413) {
          this.setFieldError('photo', 'That photo is too large. Please choose a smaller one');
          this.showErrorSummary();
          return;
        }
        this.showToast(
          (data && data.message) || 'Something went wrong on our side. Please try again.',
          true
        );
      },

      // ---- Toast and sold out ----

      showToast: function (message, canRetry) {
        this.toastMessage = message;
        this.toastCanRetry = Boolean(canRetry);
        this.toastVisible = true;
      },

      dismissToast: function () {
        this.toastVisible = false;
        this.toastMessage = '';
      },

      openSoldOut: function () {
        var dialog = this.$refs.soldOutDialog;
        if (!dialog.open) dialog.showModal();
      },

      closeSoldOut: function () {
        this.$refs.soldOutDialog.close();
      },
    };
  }

  function yourSongs() {
    return {
      songs: [],
      init: function () {
        var format = new Intl.DateTimeFormat(undefined, {
          day: 'numeric',
          month: 'short',
          hour: '2-digit',
          minute: '2-digit',
        });
        this.songs = SessionManager.getEntries()
          .filter(function (entry) {
            return SESSION_ID.test(entry.session_id);
          })
          .slice()
          .reverse()
          .map(function (entry) {
            var when = new Date(entry.timestamp);
            return {
              id: entry.session_id,
              href: '/result/' + entry.session_id,
              title: entry.pet_name ? 'A love song for ' + entry.pet_name : 'Your love song',
              when: isNaN(when.getTime()) ? '' : 'Made ' + format.format(when),
            };
          });
      },
      get hasSongs() {
        return this.songs.length > 0;
      },
    };
  }

  document.addEventListener('alpine:init', function () {
    window.Alpine.data('petSongForm', formPage);
    window.Alpine.data('yourSongs', yourSongs);
  });
})();
