#!/usr/bin/env bash
# keyring4j's secret-service backend beside its peers, all against ONE private gnome-keyring
# started here (its own dbus-daemon on a path socket, private HOME/XDG dirs; your own session bus
# and keyring are never touched):
#   keyring4j (JMH), Python keyring get_password/set_password, secretstorage, secret-tool
#   (one subprocess per operation) and a libsecret C loop (secret_password_lookup_sync).
# Prints ops/s and the ratios. Usage: bench/secretservice-peers.sh   (from anywhere)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3          # Debian's python3-keyring / python3-secretstorage belong to this one
N_PYKEYRING=${N_PYKEYRING:-200}
N_SECRETSTORAGE=${N_SECRETSTORAGE:-300}
N_SECRETTOOL=${N_SECRETTOOL:-100}
N_LIBSECRET=${N_LIBSECRET:-3000}
SERVICE=bench.secretservice
ACCOUNT=alice

for tool in dbus-daemon dbus-send gnome-keyring-daemon secret-tool gcc pkg-config java mvn "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

echo "== building (mvn -B -q -pl bench -am package -DskipTests)"
(cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)

TMP="$(mktemp -d /tmp/k4j-bench-XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p -m 700 "$TMP"/{home,run,data,config,cache}

cat > "$TMP/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$TMP/run/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF

export HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" XDG_CACHE_HOME="$TMP/cache"
unset DISPLAY WAYLAND_DISPLAY

dbus-daemon --config-file="$TMP/bus.conf" --nofork --print-address >"$TMP/address" 2>"$TMP/dbus.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/address" ] && break; sleep 0.05; done
[ -s "$TMP/address" ] || { echo "dbus-daemon did not start" >&2; cat "$TMP/dbus.log" >&2; exit 1; }
export DBUS_SESSION_BUS_ADDRESS="$(head -n1 "$TMP/address")"

printf '%s' bench-password | gnome-keyring-daemon --foreground --unlock --components=secrets >"$TMP/gnome-keyring.log" 2>&1 &
PIDS+=($!)
owned=no
for _ in $(seq 200); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then owned=yes; break; fi
    sleep 0.05
done
[ "$owned" = yes ] || { echo "gnome-keyring did not come up" >&2; cat "$TMP/gnome-keyring.log" >&2; exit 1; }
echo "== private gnome-keyring $(gnome-keyring-daemon --version | head -n1) on $DBUS_SESSION_BUS_ADDRESS"

printf '%s' bench-secret-value-0123456789 | secret-tool store --label=bench service "$SERVICE" username "$ACCOUNT"

echo "== keyring4j (JMH: 1 fork, 2x2 s warm-up, 5x2 s measurement, 1 thread)"
# JMH allows one run per machine (/tmp/jmh.lock); other benchmarks may be running: wait for it, bounded
for attempt in $(seq 60); do
    if java -jar "$ROOT/bench/target/benchmarks.jar" SecretServiceBench -rf json -rff "$TMP/jmh.json" >"$TMP/jmh.log" 2>&1; then break; fi
    if grep -q 'Unable to acquire the JMH lock' "$TMP/jmh.log" && [ "$attempt" -lt 60 ]; then
        echo "   (another JMH run holds /tmp/jmh.lock; retrying in 10 s)"; sleep 10; continue
    fi
    cat "$TMP/jmh.log" >&2; exit 1
done
grep -E '^(Benchmark|SecretServiceBench)' "$TMP/jmh.log"
read -r K4J_GET K4J_SET < <("$PY" -c '
import json, sys
r = {b["benchmark"].rsplit(".", 1)[1]: b["primaryMetric"]["score"] for b in json.load(open(sys.argv[1]))}
print(r["get"], r["set"])' "$TMP/jmh.json")

echo "== Python keyring ($N_PYKEYRING x get_password, set_password)"
read -r PYK_GET PYK_SET < <(PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring "$PY" - "$SERVICE" "$ACCOUNT" "$N_PYKEYRING" <<'PYEOF'
import sys, time, keyring
service, account, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
assert keyring.get_password(service, account) is not None
t = time.perf_counter()
for _ in range(n): keyring.get_password(service, account)
get = n / (time.perf_counter() - t)
t = time.perf_counter()
for _ in range(n): keyring.set_password(service, account, "bench-secret-value-0123456789")
print(get, n / (time.perf_counter() - t))
PYEOF
)

echo "== secretstorage ($N_SECRETSTORAGE x search_items + get_secret, create_item(replace=True); one connection)"
read -r SS_GET SS_SET < <("$PY" - "$SERVICE" "$ACCOUNT" "$N_SECRETSTORAGE" <<'PYEOF'
import sys, time, secretstorage
service, account, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
conn = secretstorage.dbus_init()
coll = secretstorage.get_default_collection(conn)
attrs = {"service": service, "username": account}
t = time.perf_counter()
for _ in range(n): next(coll.search_items(attrs)).get_secret()
get = n / (time.perf_counter() - t)
t = time.perf_counter()
for _ in range(n): coll.create_item("bench", dict(attrs, application="secretstorage-bench"), b"bench-secret-value-0123456789", replace=True)
print(get, n / (time.perf_counter() - t))
PYEOF
)

echo "== secret-tool ($N_SECRETTOOL x one process per lookup / store)"
t0=$(date +%s.%N)
for _ in $(seq "$N_SECRETTOOL"); do secret-tool lookup service "$SERVICE" username "$ACCOUNT" >/dev/null; done
t1=$(date +%s.%N)
for _ in $(seq "$N_SECRETTOOL"); do printf '%s' bench-secret-value-0123456789 | secret-tool store --label=bench service "$SERVICE" username "$ACCOUNT"; done
t2=$(date +%s.%N)
ST_GET=$("$PY" -c "print($N_SECRETTOOL / ($t1 - $t0))")
ST_SET=$("$PY" -c "print($N_SECRETTOOL / ($t2 - $t1))")

echo "== libsecret C loop ($N_LIBSECRET x secret_password_lookup_sync, secret_password_store_sync)"
# shellcheck disable=SC2046
gcc -O2 -o "$TMP/libsecret_lookup" "$ROOT/bench/peers/libsecret_lookup.c" $(pkg-config --cflags --libs libsecret-1)
LS_OUT="$("$TMP/libsecret_lookup" "$SERVICE" "$ACCOUNT" "$N_LIBSECRET")"
LS_GET=$(awk '/^get/ {print $2}' <<<"$LS_OUT")
LS_SET=$(awk '/^set/ {print $2}' <<<"$LS_OUT")

"$PY" - "$K4J_GET" "$K4J_SET" "$PYK_GET" "$PYK_SET" "$SS_GET" "$SS_SET" "$ST_GET" "$ST_SET" "$LS_GET" "$LS_SET" <<'PYEOF'
import sys
v = list(map(float, sys.argv[1:]))
rows = [("keyring4j secret-service", v[0], v[1]), ("Python keyring", v[2], v[3]), ("secretstorage", v[4], v[5]),
        ("secret-tool (subprocess)", v[6], v[7]), ("libsecret C loop", v[8], v[9])]
print()
print(f"{'client':<26}{'get ops/s':>12}{'set ops/s':>12}{'keyring4j get ×':>18}{'keyring4j set ×':>18}")
for name, g, s in rows:
    print(f"{name:<26}{g:>12.1f}{s:>12.1f}{v[0] / g:>18.2f}{v[1] / s:>18.2f}")
print()
print(f"target: get ≥ 20× Python keyring: {v[0] / v[2]:.1f}× ({'met' if v[0] / v[2] >= 20 else 'NOT met'});"
      f" get ≥ libsecret loop: {v[0] / v[8]:.2f}× ({'met' if v[0] >= v[8] else 'NOT met'})")
PYEOF
