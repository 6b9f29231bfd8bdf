#!/usr/bin/env bash
# One-time set-up on a fresh machine: what npm cannot bring (redis-server and Orthanc with its
# DICOMweb plugin to run Caliper; chromium (and its headless shell), dcmtk and pydicom's sample files for the tests; PyTorch
# for the training example; via apt on Debian/Ubuntu when missing), then the npm dependencies.
# PostgreSQL is optional: without one, `npm start` runs an embedded PostgreSQL 15.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)
[ -x /usr/sbin/Orthanc ] || need+=(orthanc)
[ -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need+=(orthanc-dicomweb)
[ -x /usr/bin/storescu ] || need+=(dcmtk)
[ -d /usr/lib/python3/dist-packages/pydicom ] || need+=(python3-pydicom)
# The training example (tools/examples/unet2d, seeded as the demo project's template) runs on
# Debian's PyTorch under /usr/bin/python3; without its recommends (libtorch-dev, build-essential, …:
# for building extensions, which the example does not do).
lean=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || lean+=(python3-torch)
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    [ ${#need[@]} -eq 0 ] || $SUDO apt-get install -y -qq "${need[@]}"
    [ ${#lean[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${lean[@]}"
  else
    echo "Install ${need[*]} ${lean[*]} with your package manager (or set REDIS_URL / PACS_DICOMWEB_URL to servers you run) and re-run." >&2
  fi
fi
export ONNXRUNTIME_NODE_INSTALL=skip
bash tools/npm-ci.sh --no-audit --no-fund   # on Node 22 (package.json's `node`), fetched when the machine's is older
# The `caliper` command's build (dist/cli; it would build itself on its first command otherwise).
npm run --silent build:cli
echo "Set-up done. Start Caliper with: npm start"
