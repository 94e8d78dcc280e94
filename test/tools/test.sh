#!/usr/bin/env bash
# `npm test`: lint, type-check, unit + integration tests, then the end-to-end and queue suites in real n8n.
#
# The pinned n8n versions (test/e2e/install-n8n.sh: minutes on a cold cache, mostly download and
# unpacking) install in the background while lint, type-check and the unit tests run, so a cold run
# does not wait for them one after the other. Their progress goes to a log file; it is printed when
# the install fails, and the end-to-end suites start only once it has succeeded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

install_log="$(mktemp "${TMPDIR:-/tmp}/coze-install-n8n.XXXXXX.log")"
started=$SECONDS
setsid bash test/e2e/install-n8n.sh >/dev/null 2>"$install_log" &
install_pid=$!
stop_install() {
	if kill -0 "$install_pid" 2>/dev/null; then
		kill -TERM -- "-$install_pid" 2>/dev/null || true
		wait "$install_pid" 2>/dev/null || true
	fi
}
trap stop_install EXIT
echo "npm test: installing the pinned n8n versions in the background (when not cached yet); progress: $install_log"

npm run lint
npm run typecheck
npm run test:unit

if ! wait "$install_pid"; then
	echo "npm test: installing n8n failed:" >&2
	cat "$install_log" >&2
	exit 1
fi
echo "npm test: n8n ready ($((SECONDS - started)) s after the start; the install's own log: $install_log)"
grep -E 'ready in|built in|npm took' "$install_log" || true
rm -f "$install_log"

npm run test:e2e
npm run test:queue
