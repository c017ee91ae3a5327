#!/usr/bin/env bash
# The etcd store beside its peers on one 3-member cluster on 127.0.0.1 (started here, removed after):
#   keyring4j's etcd store (JMH EtcdBench: get and set, latency and throughput, 1 thread and 4),
#   the raw jetcd client doing the same reads and writes without the envelope (the same JMH run),
#   etcdctl as a subprocess per operation (hyperfine), what a shell script would do.
# Prints the figures and the ratio keyring4j / raw jetcd (target: <= 1.3x in latency).
# Usage: bench/etcd-peers.sh        (about 5 minutes on 2 cores; SKIP_BUILD=1 reuses bench/target/benchmarks.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/k4j-etcd-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$out/data"; }
trap cleanup EXIT INT TERM

[ "${SKIP_BUILD:-}" = 1 ] || mvn -B -q -pl bench -am package -DskipTests

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cluster=""; endpoints=""
declare -a cp pp
for i in 0 1 2; do cp[$i]=$(port); pp[$i]=$(port); cluster+="${cluster:+,}m$i=http://127.0.0.1:${pp[$i]}"; endpoints+="${endpoints:+,}http://127.0.0.1:${cp[$i]}"; done
for i in 0 1 2; do
  etcd --name "m$i" --data-dir "$out/data/m$i" --listen-client-urls "http://127.0.0.1:${cp[$i]}" --advertise-client-urls "http://127.0.0.1:${cp[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${pp[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${pp[$i]}" \
    --initial-cluster "$cluster" --initial-cluster-token "bench-$$" --initial-cluster-state new > "$out/m$i.log" 2>&1 &
  pids+=($!)
done
export ETCDCTL_API=3
for _ in $(seq 100); do etcdctl --endpoints="$endpoints" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
echo "cluster: $endpoints (etcd $(etcd --version | head -1 | awk '{print $3}'), data in $out/data)"

# JMH splits parameter values at commas: the endpoints go as URL;URL;URL
jmh=(java -jar bench/target/benchmarks.jar -foe true -p "endpoints=${endpoints//,/;}")
"${jmh[@]}" 'EtcdBench' -t 1 -bm avgt -rf json -rff "$out/jmh-1.json" > "$out/jmh-1.log"
"${jmh[@]}" 'EtcdBench' -t 4 -bm thrpt -rf json -rff "$out/jmh-4.json" > "$out/jmh-4.log"

etcdctl --endpoints="$endpoints" put /bench-ctl/key a-32-byte-secret-value-for-bench >/dev/null
hyperfine -N -w 3 -r 30 --export-json "$out/etcdctl.json" \
  "etcdctl --endpoints=$endpoints get /bench-ctl/key" \
  "etcdctl --endpoints=$endpoints put /bench-ctl/key a-32-byte-secret-value-for-bench" > "$out/hyperfine.log"

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def jmh(f):
    r = {}
    for b in json.load(open(f)):
        r[(b["benchmark"].rsplit(".", 1)[1], b["mode"], b["threads"])] = b["primaryMetric"]["score"]
    return r
one, four = jmh(out + "/jmh-1.json"), jmh(out + "/jmh-4.json")
ctl = {r["command"].split()[2]: r["mean"] * 1000 for r in json.load(open(out + "/etcdctl.json"))["results"]}
print("%-8s %14s %14s %14s %16s %16s" % ("op", "keyring4j ms", "raw jetcd ms", "ratio", "k4j ops/s (4 t)", "raw ops/s (4 t)"))
for op in ("Get", "Set"):
    k, r = one[("keyring4j" + op, "avgt", 1)], one[("raw" + op, "avgt", 1)]
    print("%-8s %14.3f %14.3f %13.2fx %16.0f %16.0f" % (op.lower(), k, r, k / r,
          four[("keyring4j" + op, "thrpt", 4)] * 1000, four[("raw" + op, "thrpt", 4)] * 1000))
print("etcdctl subprocess: get %.1f ms, put %.1f ms per call (hyperfine, 30 runs)" % (ctl["get"], ctl["put"]))
PY
echo "raw output: $out"
