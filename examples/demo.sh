#!/usr/bin/env bash
# `make demo`: solve the bundled calculator issue with the embedded model and show the patch.
# Uses Docker when a daemon answers (installing and starting one when root with apt), and
# otherwise the local sandbox, which is not isolated and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DEMO=.cache/demo/calculator
PULL_LOG=.cache/demo/pull.log

# The weights download (network) while the runtime compiles (CPU): on a fresh machine the two
# took 3 and 4 minutes one after the other.
mkdir -p "$(dirname "$PULL_LOG")"
echo "== the embedded model: downloading and verifying in the background ($PULL_LOG)"
"$BIN/swe-agent" models pull >"$PULL_LOG" 2>&1 &
pull=$!

echo "== the model runtime (llama-cpp-python compiles once, about 4 minutes on 2 cores)"
make -s local-model

docker_up() { docker info >/dev/null 2>&1; }

if ! docker_up && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== no Docker daemon answers: installing and starting one"
  command -v dockerd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null; }
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  nohup dockerd >/tmp/swe-agent-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker_up && break; sleep 1; done
fi

if docker_up; then
  sandbox=(--sandbox docker)
  "$BIN/swe-agent" sandbox bootstrap --python 3.9
else
  echo "== no Docker daemon: the demo runs in the LOCAL sandbox (not isolated)"
  sandbox=(--sandbox local --no-env)
fi

echo "== the embedded model"
wait "$pull" || { cat "$PULL_LOG" >&2; exit 1; }
cat "$PULL_LOG"

echo "== a fresh copy of examples/calculator in $DEMO"
rm -rf "$DEMO"
mkdir -p "$(dirname "$DEMO")"
cp -r examples/calculator "$DEMO"
rm -rf "$DEMO/.pytest_cache" "$DEMO/.swe-agent"
git -C "$DEMO" init -q
git -C "$DEMO" add -A
git -C "$DEMO" -c user.email=demo@example.com -c user.name=demo commit -qm "calculator example"

echo "== swe-agent solve"
"$BIN/swe-agent" solve --repo "$DEMO" --issue "@$DEMO/ISSUE.md" "${sandbox[@]}" ${DEMO_ARGS:-}
