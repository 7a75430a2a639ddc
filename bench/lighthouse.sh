#!/usr/bin/env bash
# Lighthouse (Google's page audit, its default mobile preset: a mid-range phone on a slow 4G network, simulated) on
# each page of the bridge, in English and in Arabic, and a table of the four category scores. Outside the test suite,
# like the load benchmark: it takes minutes and its performance scores vary from run to run. docs/BENCHMARKS.md keeps
# the results.
#
#   bench/lighthouse.sh                 # all pages, en and ar
#   LOCALES="en de" bench/lighthouse.sh # other locales
#   REPORTS=/tmp/lh bench/lighthouse.sh  # keep each page's full JSON report there
#   RUNS=5 bench/lighthouse.sh           # runs per page (default 3); the table shows the run of median performance
#
# Performance is measured under simulated throttling from what the machine did, so a busy machine lowers it: on the
# shared two-core machine single runs of one page spread over 15 points. Lighthouse's own advice is the median of
# several runs; the other categories do not vary.
#
# Lighthouse is installed on first use into a cache folder (LIGHTHOUSE_CACHE, default ~/.cache/chatbridge-lighthouse),
# never into package.json: CI's npm ci stays as small as it is. It drives the system Chromium (CHROME_PATH).
#
# The host is the Release build, published into a temp folder and started on a loopback port with a temp database
# holding 30 sessions (the admin list then has a second page) and a reply. /admin is audited as a visitor first sees
# it, at the sign-in form: Lighthouse cannot type the key. The signed-in console, with the pager, is covered by the
# axe scans of the browser tests (Browser/Localization). The panel /widget/ is audited as a page of its own, with the
# session and locale the widget's loader would pass it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=12.2.3
cache=${LIGHTHOUSE_CACHE:-$HOME/.cache/chatbridge-lighthouse}
locales=${LOCALES:-en ar}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

if [ ! -x "$cache/node_modules/.bin/lighthouse" ] || ! grep -q "\"version\": \"$version\"" "$cache/node_modules/lighthouse/package.json"; then
    echo "installing lighthouse@$version into $cache" >&2
    mkdir -p "$cache"
    npm i -E --prefix "$cache" --no-audit --no-fund --loglevel=error "lighthouse@$version" >/dev/null
fi

work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

dotnet publish src/ChatBridge -c Release -o "$work/app" -v quiet -nologo >/dev/null
api_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
dotnet "$work/app/ChatBridge.dll" --urls=http://127.0.0.1:0 \
    --ChatBridge:DatabasePath="$work/db/lighthouse.db" --ChatBridge:LogPath="$work/logs" \
    --ChatBridge:ApiKey="$api_key" --ChatBridge:AdminKey="admin-$api_key" >"$work/console.log" 2>&1 &
pid=$!
base=""
for _ in $(seq 1 300); do
    base=$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$work/console.log" | head -n 1 | sed 's/Now listening on: //' || true)
    [ -n "$base" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
[ -n "$base" ] || { cat "$work/console.log" >&2; exit 1; }

json='Content-Type: application/json'
for i in $(seq -w 1 30); do
    curl -sf -H "$json" -d "{\"session_id\":\"session_lighthouse_$i\",\"message\":\"Question $i about my order\"}" \
        "$base/api/v1/?action=messages" >/dev/null
done
curl -sf -H "Authorization: Bearer $api_key" "$base/api/v1/?action=inbox&limit=1&offset=0" >/dev/null
curl -sf -H "Authorization: Bearer $api_key" -H "$json" \
    -d '{"session_id":"session_lighthouse_01","response":"It left the warehouse **today**."}' "$base/api/v1/?action=outbox" >/dev/null

pages=("/" "/admin" "/widget/demo" "/widget/?session=session_lighthouse_01")
reports=${REPORTS:-}
[ -z "$reports" ] || mkdir -p "$reports"
printf '%-28s %5s %5s %5s %5s %7s %7s %6s %5s\n' "page" "perf" "a11y" "best" "seo" "FCP" "LCP" "TBT" "CLS"
for locale in $locales; do
    for path in "${pages[@]}"; do
        separator='?'
        [[ "$path" == *\?* ]] && separator='&'
        url="$base$path${separator}locale=$locale"
        for run in $(seq 1 "${RUNS:-3}"); do
            "$cache/node_modules/.bin/lighthouse" "$url" --quiet --output=json --output-path="$work/run-$run.json" \
                --only-categories=performance,accessibility,best-practices,seo \
                --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$work/lighthouse.log" \
                || { cat "$work/lighthouse.log" >&2; exit 1; }
        done
        report=$(node -e '
            const runs = process.argv.slice(1).map((file) => [file, require(file).categories.performance.score]);
            runs.sort((a, b) => a[1] - b[1]);
            console.log(runs[Math.floor(runs.length / 2)][0]);
        ' "$work"/run-*.json)
        node -e '
            const report = require(process.argv[1]);
            const score = (name) => String(Math.round(report.categories[name].score * 100));
            const metric = (id, digits, unit) => (report.audits[id].numericValue / (unit === "s" ? 1000 : 1)).toFixed(digits) + (unit ?? "");
            const failed = Object.values(report.audits)
              .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode === "binary")
              .map((audit) => audit.id);
            console.log([process.argv[2].padEnd(28),
              ...["performance", "accessibility", "best-practices", "seo"].map((c) => score(c).padStart(5)),
              metric("first-contentful-paint", 1, "s").padStart(7), metric("largest-contentful-paint", 1, "s").padStart(7),
              metric("total-blocking-time", 0, "ms").padStart(6), metric("cumulative-layout-shift", 3).padStart(5)].join(" ")
              + (failed.length ? `   failed: ${failed.join(", ")}` : ""));
        ' "$report" "${path%%\?*} ($locale)"
        [ -z "$reports" ] || cp "$report" "$reports/$(echo "${path%%\?*}" | tr -c 'a-z0-9\n' '_')-$locale.json"
        rm -f "$work"/run-*.json
    done
done
