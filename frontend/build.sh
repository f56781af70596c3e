#!/usr/bin/env bash
# Build PolicyHub's static front-end into ../static (a build output, git-ignored):
#   static/css/application.css            compiled from scss/application.scss (compressed)
#   static/js/application.js              initialises GOV.UK Frontend components (ES module)
#   static/govuk/govuk-frontend.min.js    GOV.UK Frontend JavaScript (ES module) + source map
#   static/govuk/assets/{fonts,images}/   GOV.UK Frontend fonts and images
#   static/vendor/htmx.min.js             htmx
# Run `npm ci` first (or `make frontend`, which does both). STATIC_DIR overrides the output folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${STATIC_DIR:-$here/../static}"
modules="$here/node_modules"
govuk="$modules/govuk-frontend/dist/govuk"

if [[ ! -d "$govuk" || ! -x "$modules/.bin/sass" ]]; then
  echo "build.sh: node_modules is missing; run 'npm ci' in frontend/ (or 'make frontend')." >&2
  exit 1
fi

mkdir -p "$out/css" "$out/js" "$out/govuk" "$out/vendor"

"$modules/.bin/sass" \
  --load-path="$modules" \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  "$here/scss/application.scss" "$out/css/application.css"

cp "$here/js/application.js" "$out/js/application.js"
cp "$govuk/govuk-frontend.min.js" "$govuk/govuk-frontend.min.js.map" "$out/govuk/"
rm -rf "$out/govuk/assets"
cp -R "$govuk/assets" "$out/govuk/assets"
cp "$modules/htmx.org/dist/htmx.min.js" "$out/vendor/htmx.min.js"

echo "build.sh: static files written to $(cd "$out" && pwd)"
