#!/usr/bin/env bash
# Whole-process latency of one credential read, keyring4j beside its peers, in ONE run against ONE
# private gnome-keyring started here (its own dbus-daemon on a path socket, private HOME and XDG dirs;
# your own session bus and keyring are never touched). Alternating rounds, N each (default 9):
#   keyring4j get: auto-detected, --backend secret-service, --backend kernel, --backend env (the launcher)
#   git credential fill through the keyring4j helper
#   python3 -m keyring get (Debian's python3-keyring, /usr/bin/python3), secret-tool lookup, keyctl pipe
# then Keyring.open() in a fresh JVM (first open, first get) and warm (dev.keyring4j.bench.OpenLatency).
# Prints medians and the ratios to Python keyring. Needs what .ci/run installs (gnome-keyring, dbus-daemon,
# libsecret-tools, keyutils, python3-keyring, git); as root it installs what is missing.
# Usage: bench/cli-latency.sh [N]        (about 1 minute on 2 cores)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N=${1:-9}
PY=/usr/bin/python3
SERVICE=bench.latency.example
ACCOUNT=alice
SECRET=bench-latency-secret-0123456789

need=()
for pair in dbus-daemon:dbus-daemon dbus-send:dbus-bin gnome-keyring-daemon:gnome-keyring secret-tool:libsecret-tools \
            keyctl:keyutils git:git java:openjdk-17-jdk-headless mvn:maven; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
"$PY" -c 'import keyring, secretstorage' 2>/dev/null || need+=(python3-keyring python3-secretstorage)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
  else echo "missing packages: ${need[*]} (apt-get install them, or run this as root)" >&2; exit 1; fi
fi

echo "== building (the launcher builds the CLI; mvn -B -q -pl bench -am package -DskipTests for OpenLatency)"
(cd "$ROOT" && mvn -B -q -pl cli,bench -am package -DskipTests)

TMP="$(mktemp -d /tmp/k4j-latency-XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # the bench's own kernel namespace keyring, never the user's keyring4j one
  ns_id=$(keyctl search @u keyring "$NAMESPACE" 2>/dev/null) && keyctl unlink "$ns_id" @u >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
. "$ROOT/bench/peers/private-secret-service.sh"
start_private_secret_service "$TMP" || exit 1
unset KEYRING4J_BACKEND PYTHON_KEYRING_BACKEND
echo "== private gnome-keyring $(gnome-keyring-daemon --version | head -n1) on $DBUS_SESSION_BUS_ADDRESS"

K="$ROOT/keyring4j"
# the installed command (the tarball's and the .deb's bin/keyring4j), built by the package step above
KI="$(ls -d "$ROOT"/cli/target/dist/keyring4j-*/bin/keyring4j | head -n1)"
# every keyring4j run reads this: the kernel backend writes into a namespace of the bench's own
NAMESPACE="keyring4j-latency-$$"
printf 'kernel.namespace = %s\n' "$NAMESPACE" > "$TMP/keyring4j.properties"
export KEYRING4J_CONFIG="$TMP/keyring4j.properties"
# the same secret where each reader looks: the Secret Service (Python keyring's and keyring4j's attributes), the kernel, env
printf '%s' "$SECRET" | secret-tool store --label=bench service "$SERVICE" username "$ACCOUNT"
printf '%s' "$SECRET" | "$K" --backend kernel set "$SERVICE" "$ACCOUNT" 2>/dev/null
export KEYRING4J_BENCH_LATENCY_EXAMPLE_ALICE="$SECRET"
NS_ID=$(keyctl search @u keyring "$NAMESPACE")
KEY_ID=$(keyctl search "$NS_ID" user "$ACCOUNT")
git config --global credential.helper "!$K git-credential"
printf 'protocol=https\nhost=git.latency.example\nusername=alice\npassword=%s\n\n' "$SECRET" | git credential approve

# each reader once, checked, before timing (this also dumps the launcher's class data archive)
check() { local got; got="$("$@" 2>/dev/null)" || { echo "failed: $*" >&2; exit 1; }; [ "$got" = "$SECRET" ] || { echo "wrong answer from: $*" >&2; exit 1; }; }
"$K" --version >/dev/null 2>&1
check "$K" get "$SERVICE" "$ACCOUNT"
check "$K" --backend secret-service get "$SERVICE" "$ACCOUNT"
check "$K" --backend kernel get "$SERVICE" "$ACCOUNT"
check "$K" --backend env get bench.latency.example alice
check "$KI" --backend env get bench.latency.example alice
check "$KI" --backend kernel get "$SERVICE" "$ACCOUNT"
check "$PY" -m keyring get "$SERVICE" "$ACCOUNT"
check secret-tool lookup service "$SERVICE" username "$ACCOUNT"
check keyctl pipe "$KEY_ID"
printf 'protocol=https\nhost=git.latency.example\n\n' | git credential fill | grep -q "password=$SECRET" || { echo "git credential fill failed" >&2; exit 1; }

names=("keyring4j get (auto-detected)" "keyring4j --backend secret-service get" "keyring4j --backend kernel get"
       "keyring4j --backend env get" "git credential fill (keyring4j helper)" "python3 -m keyring get" "secret-tool lookup" "keyctl pipe"
       "installed bin/keyring4j --backend env get" "installed bin/keyring4j --backend kernel get")
run() {
  case "$1" in
    0) "$K" get "$SERVICE" "$ACCOUNT" ;;
    1) "$K" --backend secret-service get "$SERVICE" "$ACCOUNT" ;;
    2) "$K" --backend kernel get "$SERVICE" "$ACCOUNT" ;;
    3) "$K" --backend env get bench.latency.example alice ;;
    4) printf 'protocol=https\nhost=git.latency.example\n\n' | git credential fill ;;
    5) "$PY" -m keyring get "$SERVICE" "$ACCOUNT" ;;
    6) secret-tool lookup service "$SERVICE" username "$ACCOUNT" ;;
    7) keyctl pipe "$KEY_ID" ;;
    8) "$KI" --backend env get bench.latency.example alice ;;
    9) "$KI" --backend kernel get "$SERVICE" "$ACCOUNT" ;;
  esac
}
: > "$TMP/times"
echo "== $N alternating rounds of ${#names[@]} commands"
for round in $(seq "$N"); do
  for i in "${!names[@]}"; do
    t0=$(date +%s%N); run "$i" >/dev/null 2>&1; t1=$(date +%s%N)
    echo "$i $(( (t1 - t0) / 1000 ))" >> "$TMP/times"
  done
done
"$PY" - "$TMP/times" "${names[@]}" <<'PYEOF'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    i, us = line.split(); times.setdefault(int(i), []).append(int(us) / 1000)
names = sys.argv[2:]
py = statistics.median(times[5])
print(f"{'command':<42}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'x python3 -m keyring':>22}")
for i, name in enumerate(names):
    t = times[i]
    print(f"{name:<42}{statistics.median(t):>10.1f}{min(t):>9.1f}{max(t):>9.1f}{statistics.median(t) / py:>22.2f}")
PYEOF

echo
echo "== Keyring.open() in a fresh JVM, then warm (OpenLatency; class path: the CLI jar, every backend)"
CP="$ROOT/cli/target/keyring4j.jar:$ROOT/bench/target/classes"
for spec in env kernel secret-service auto; do
  for _ in 1 2 3; do java -cp "$CP" dev.keyring4j.bench.OpenLatency "$spec" "$SERVICE" "$ACCOUNT" 200; done | sort -t' ' -k3 -n | sed -n 2p
done
echo "(each line: the middle of three fresh JVMs by first open)"
