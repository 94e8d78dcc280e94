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
# Stops the whole install (npm and its children share the process group) and waits until every
# process of the group is gone, so whoever removes the cache folder next does not race npm's writes.
stop_install() {
	kill -TERM -- "-$install_pid" 2>/dev/null || return 0
	wait "$install_pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 -- "-$install_pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$install_pid" 2>/dev/null || true
	sleep 0.5
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
