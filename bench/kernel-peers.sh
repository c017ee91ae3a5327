#!/usr/bin/env bash
# The kernel backend beside its peers, in one run:
#   - keyring4j (JMH, bench/src/main/java/dev/keyring4j/bench/KernelBench.java)
#   - the keyctl program in a subprocess (JMH, same class)
#   - python3-keyutils, the C extension over libkeyutils (a timed loop below)
# Prints ops/s for get, set and set+delete and the ratios. Uses throwaway keyrings, removed at the end.
# keyring4j and python3-keyutils alternate ROUNDS (3) times; the table shows medians and each round's ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v keyctl >/dev/null || { echo "needs keyctl (Debian: keyutils)" >&2; exit 1; }
/usr/bin/python3 -c 'import keyutils' || { echo "needs python3-keyutils (Debian: python3-keyutils)" >&2; exit 1; }

mvn -B -q -pl bench -am package -DskipTests

ns="keyring4j-bench-$$"
pyns="keyring4j-pybench-$$"
out="$(mktemp -d)"
cleanup() {
  for n in "$ns" "$pyns"; do
    id=$(keyctl search @u keyring "$n" 2>/dev/null) && keyctl unlink "$id" @u >/dev/null || true
  done
  rm -rf "$out"
}
trap cleanup EXIT

ROUNDS=${ROUNDS:-3}
for round in $(seq "$ROUNDS"); do
echo "== round $round/$ROUNDS: keyring4j and the keyctl subprocess (JMH)"
java -jar bench/target/benchmarks.jar 'dev.keyring4j.bench.KernelBench' \
  -f 1 -wi 2 -w 1s -i 3 -r 1s -p namespace="$ns" -rf json -rff "$out/jmh-$round.json" | grep -E '^(Benchmark|KernelBench)'

echo "== round $round/$ROUNDS: python3-keyutils"
# python3-keyutils: the same layout (namespace → service keyring → user key) and the same operations,
# each timed for about as long as a JMH measurement (3 × 1 s, after a 2 × 1 s warm-up)
/usr/bin/python3 - "$pyns" > "$out/python-$round.json" <<'PY'
import json, sys, time, keyutils
ns = keyutils.add_key(sys.argv[1].encode(), None, keyutils.KEY_SPEC_USER_KEYRING, b"keyring")
svc = keyutils.add_key(b"bench.example.com", None, ns, b"keyring")
value = b"ghp_0123456789abcdefghijklmnopqrstuvwxyz"
keyutils.add_key(b"alice", value, svc)

def get():
    return keyutils.read_key(keyutils.search(svc, b"alice"))

def set_():
    keyutils.add_key(b"alice", value, svc)

def set_delete():
    k = keyutils.add_key(b"tmp", value, svc)
    keyutils.unlink(k, svc)

def rate(op, seconds):
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(1000):
            op()
        n += 1000
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed

result = {}
for name, op in (("get", get), ("set", set_), ("setThenDelete", set_delete)):
    rate(op, 2.0)                                         # warm-up
    result[name] = sum(rate(op, 1.0) for _ in range(3)) / 3
print(json.dumps(result))
PY
id=$(keyctl search @u keyring "$pyns" 2>/dev/null) && keyctl unlink "$id" @u >/dev/null || true
done

/usr/bin/python3 - "$out" "$ROUNDS" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
jmhs = [{r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] for r in json.load(open(f"{out}/jmh-{i}.json"))} for i in range(1, rounds + 1)]
pys = [json.load(open(f"{out}/python-{i}.json")) for i in range(1, rounds + 1)]
rows = [("get", "get", "keyctlSubprocessGet"), ("set", "set", "keyctlSubprocessSet"),
        ("set+delete", "setThenDelete", "keyctlSubprocessSetThenDelete")]
med = statistics.median
print()
for i, (j, p) in enumerate(zip(jmhs, pys), 1):
    print(f"round {i}: " + ", ".join(f"{label} {j[ours] / p[ours]:.2f}x" for label, ours, _ in rows) + " python3-keyutils")
print()
print(f"{'operation':<12}{'keyring4j ops/s':>18}{'python3-keyutils':>18}{'keyctl subprocess':>19}{'k4j/python':>12}{'k4j/keyctl':>12}")
for label, ours, sub in rows:
    k, p, s = med([j[ours] for j in jmhs]), med([q[ours] for q in pys]), med([j[sub] for j in jmhs])
    print(f"{label:<12}{k:>18,.0f}{p:>18,.0f}{s:>19,.1f}{k / p:>11.2f}x{k / s:>11.0f}x")
print()
print(f"medians of {rounds} alternating rounds. k4j/python > 0.5 meets 'within 2x of python3-keyutils'; k4j/keyctl >= 100 meets '100x the subprocess route'.")
PY
