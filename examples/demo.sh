#!/usr/bin/env bash
# `make demo`: solve the bundled calculator issue with the embedded model and show the patch.
# Uses Docker when a daemon answers (installing and starting one when root with apt), and
# otherwise the local sandbox, which is not isolated and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DEMO=.cache/demo/calculator
LOGS=.cache/demo
mkdir -p "$LOGS"

docker_up() { docker info >/dev/null 2>&1; }

# Docker and the base image: exit status 3 when no daemon can answer (the demo then runs in the
# local sandbox), another failure when the base image cannot be built.
docker_ready() {
  if ! docker_up && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "no Docker daemon answers: installing and starting one"
    command -v dockerd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null; }
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    nohup dockerd >/tmp/swe-agent-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker_up && break; sleep 1; done
  fi
  docker_up || return 3
  "$BIN/swe-agent" sandbox bootstrap --python 3.9
}

# Three jobs of a first run overlap: the weights download (network), Docker's base image is
# built (debootstrap: network and disk) and the model runtime compiles (CPU).
echo "== in the background: the embedded model ($LOGS/pull.log), Docker and its base image ($LOGS/docker.log)"
"$BIN/swe-agent" models pull >"$LOGS/pull.log" 2>&1 &
pull=$!
docker_ready >"$LOGS/docker.log" 2>&1 &
docker=$!

echo "== the model runtime (llama-cpp-python compiles once, about 4 minutes on 2 cores)"
make -s local-model

echo "== Docker"
status=0
wait "$docker" || status=$?
cat "$LOGS/docker.log"
if [ "$status" = 0 ]; then
  sandbox=(--sandbox docker)
elif [ "$status" = 3 ]; then
  echo "== no Docker daemon: the demo runs in the LOCAL sandbox (not isolated)"
  sandbox=(--sandbox local --no-env)
else
  echo "the base image could not be built (above)" >&2
  exit "$status"
fi

echo "== the embedded model"
wait "$pull" || { cat "$LOGS/pull.log" >&2; exit 1; }
cat "$LOGS/pull.log"

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
