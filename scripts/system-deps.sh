#!/usr/bin/env bash
# Install the Debian packages the toolkit needs, when they are missing.
# As root: installs them with apt-get. Otherwise: prints the exact command to run.
# With --test, also what the test suite needs: Chromium for the web app's browser tests.
set -euo pipefail

# package -> a file that proves it is installed
declare -A probes=(
  [libmagic1]="/usr/lib/x86_64-linux-gnu/libmagic.so.1 /usr/lib/aarch64-linux-gnu/libmagic.so.1"
  [libreoffice-writer-nogui]="/usr/bin/soffice /usr/lib/libreoffice/program/soffice"
  [poppler-utils]="/usr/bin/pdftotext"
  [qpdf]="/usr/bin/qpdf"
  [tesseract-ocr]="/usr/bin/tesseract"
  [tesseract-ocr-eng]="/usr/share/tesseract-ocr/5/tessdata/eng.traineddata /usr/share/tesseract-ocr/4.00/tessdata/eng.traineddata"
  [fonts-liberation2]="/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"
  [fonts-dejavu-core]="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  [fonts-dejavu-extra]="/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"
  [ca-certificates]="/etc/ssl/certs/ca-certificates.crt"
  [openssl]="/usr/bin/openssl"
)

if [ "${1:-}" = "--test" ]; then
  probes[chromium]="/usr/bin/chromium"
fi

missing=()
for pkg in "${!probes[@]}"; do
  found=no
  for f in ${probes[$pkg]}; do
    [ -e "$f" ] && found=yes && break
  done
  if [ "$found" = no ] && ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# Debian's own Python needs python3-venv before `python3 -m venv` can make .venv
python=${PYTHON:-python3}
if command -v "$python" >/dev/null 2>&1 && ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
  missing+=("python3-venv")
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

# keep the order stable for the message
IFS=$'\n' missing=($(sort <<<"${missing[*]}")); unset IFS
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "These Debian packages are needed and missing: ${missing[*]}" >&2
  echo "Ask an administrator to run:  sudo apt-get update && sudo $cmd" >&2
  echo "then run this command again." >&2
  exit 1
fi
