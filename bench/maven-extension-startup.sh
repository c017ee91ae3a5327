#!/usr/bin/env bash
# What keyring4j-maven-extension adds to a Maven run that uses one credential. The same tiny project
# (packaging pom, `mvn -B -q -o validate`, nothing downloaded) with one <server> in settings.xml:
#   baseline      the pristine distribution, the server's password in clear text
#   lib/ext       the distribution with the extension jar in ${maven.home}/lib/ext, password {[...keyring4j]maven-bench/bench}
#   extensions    (Maven 3.9 only) the pristine distribution, the extension in .mvn/extensions.xml, same password form
#   empty         (Maven 3.9) the clear-text project with an extension of one empty class in .mvn/extensions.xml: what
#                 Maven's core-extension resolution costs by itself, whatever the extension
# for Maven 3.9.16 and 4.0.0-rc-5, the credential in the kernel keyring (KEYRING4J_BACKEND=kernel). Alternating
# rounds (one hyperfine run of every variant per round), N rounds (default 9, at least 7); prints the medians and
# each variant's difference to its baseline. Then, since whole-run medians on a busy machine are noisy, the time
# spent inside keyring4j in Maven's own JVM (-Xlog:class+load with uptime: from the extension's Passwords class to the
# first class Maven loads after the last keyring4j/JNA one), 3 runs per lib/ext variant. Needs: hyperfine, keyutils (keyctl, to clean up), a JDK 17 and Maven
# 3.8+ (the Debian packages hyperfine, keyutils, openjdk-17-jdk-headless, maven); as root it installs what is missing.
# Usage: bench/maven-extension-startup.sh [N]      (about 2 minutes on 2 cores)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N=${1:-9}
[ "$N" -ge 7 ] || { echo "N must be at least 7" >&2; exit 2; }
M3=$(sed -n 's:.*<maven3.version>\(.*\)</maven3.version>.*:\1:p' "$ROOT/pom.xml")
M4=$(sed -n 's:.*<maven4.version>\(.*\)</maven4.version>.*:\1:p' "$ROOT/pom.xml")
VERSION=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml")

need=()
for pair in hyperfine:hyperfine keyctl:keyutils java:openjdk-17-jdk-headless mvn:maven python3:python3; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
  else echo "missing packages: ${need[*]} (apt-get install them, or run this as root)" >&2; exit 1; fi
fi

echo "== building the extension jar and the CLI (mvn -B -q -pl maven-extension,cli -am package -DskipTests)"
(cd "$ROOT" && mvn -B -q -pl maven-extension,cli -am package -DskipTests -DskipITs)
JAR="$ROOT/maven-extension/target/keyring4j-maven-extension-$VERSION.jar"
CLI="$ROOT/cli/target/keyring4j.jar"

TMP="$(mktemp -d /tmp/k4j-maven-bench-XXXXXX)"
cleanup() {
  KEYRING4J_BACKEND=kernel java -jar "$CLI" del maven-bench bench >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== distributions $M3 and $M4 (maven-dependency-plugin unpack, from the local repository or Maven Central)"
for v in "$M3" "$M4"; do
  # outside any project (a project's marker files would skip it), so it runs once and always unpacks
  (cd "$TMP" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.9.0:unpack \
    -Dartifact="org.apache.maven:apache-maven:$v:tar.gz:bin" -DoutputDirectory="$TMP/dist" -DmarkersDirectory="$TMP/markers" >/dev/null)
  cp -a "$TMP/dist/apache-maven-$v" "$TMP/dist/ext-$v"
  cp "$JAR" "$TMP/dist/ext-$v/lib/ext/"
done
# the extension as .mvn/extensions.xml resolves it: jar and published (flat) POM in a local repository
EXTREPO="$TMP/m2/dev/keyring4j/keyring4j-maven-extension/$VERSION"
mkdir -p "$EXTREPO"
cp "$JAR" "$EXTREPO/keyring4j-maven-extension-$VERSION.jar"
cp "$ROOT/maven-extension/target/published-pom.xml" "$EXTREPO/keyring4j-maven-extension-$VERSION.pom"

printf 'bench-password-%s' "$RANDOM$RANDOM" | KEYRING4J_BACKEND=kernel java -jar "$CLI" set maven-bench bench

project() { # dir password
  mkdir -p "$1"
  cat > "$1/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>tiny</artifactId><version>1</version><packaging>pom</packaging></project>
POM
  echo "<settings><servers><server><id>private-repo</id><username>alice</username><password>$2</password></server></servers></settings>" > "$1/settings.xml"
  echo "<settingsSecurity/>" > "$1/settings-security.xml"
}
project "$TMP/plain" "plain-text-password"
project "$TMP/m3" "{[type=keyring4j]maven-bench/bench}"
project "$TMP/m3x" "{[type=keyring4j]maven-bench/bench}"
mkdir -p "$TMP/m3x/.mvn"
echo "<extensions><extension><groupId>dev.keyring4j</groupId><artifactId>keyring4j-maven-extension</artifactId><version>$VERSION</version></extension></extensions>" > "$TMP/m3x/.mvn/extensions.xml"
project "$TMP/m4" "{[name=keyring4j,version=4.0]maven-bench/bench}"
# Maven's own price for any core extension in .mvn/extensions.xml: an extension of one empty class, no component
mkdir -p "$TMP/empty-ext/src/bench" "$TMP/empty-ext/classes"
echo 'package bench; public final class Empty { }' > "$TMP/empty-ext/src/bench/Empty.java"
javac -d "$TMP/empty-ext/classes" "$TMP/empty-ext/src/bench/Empty.java"
EMPTYREPO="$TMP/m2/bench/empty-extension/1"
mkdir -p "$EMPTYREPO"
jar cf "$EMPTYREPO/empty-extension-1.jar" -C "$TMP/empty-ext/classes" .
echo '<project><modelVersion>4.0.0</modelVersion><groupId>bench</groupId><artifactId>empty-extension</artifactId><version>1</version></project>' > "$EMPTYREPO/empty-extension-1.pom"
project "$TMP/m3e" "plain-text-password"
mkdir -p "$TMP/m3e/.mvn"
echo "<extensions><extension><groupId>bench</groupId><artifactId>empty-extension</artifactId><version>1</version></extension></extensions>" > "$TMP/m3e/.mvn/extensions.xml"

run() { # name distribution project
  echo "env -u MAVEN_OPTS KEYRING4J_BACKEND=kernel $TMP/dist/$2/bin/mvn -B -q -o -s $TMP/$3/settings.xml -Dsettings.security=$TMP/$3/settings-security.xml -Dmaven.repo.local=$TMP/m2 -f $TMP/$3/pom.xml validate"
}
NAMES=("maven $M3 baseline" "maven $M3 lib/ext" "maven $M3 .mvn/extensions.xml" "maven $M3 empty extension" "maven $M4 baseline" "maven $M4 lib/ext")
CMDS=("$(run a "apache-maven-$M3" plain)" "$(run b "ext-$M3" m3)" "$(run c "apache-maven-$M3" m3x)" "$(run f "apache-maven-$M3" m3e)"
      "$(run d "apache-maven-$M4" plain)" "$(run e "ext-$M4" m4)")

# every variant once, checked: it must succeed (a failing variant would measure an error path)
for i in "${!CMDS[@]}"; do
  (cd "$TMP" && bash -c "${CMDS[$i]}") || { echo "variant '${NAMES[$i]}' failed" >&2; exit 1; }
done

echo "== $N alternating rounds"
for r in $(seq 1 "$N"); do
  args=()
  for i in "${!CMDS[@]}"; do args+=(-n "${NAMES[$i]}" "${CMDS[$i]}"); done
  (cd "$TMP" && hyperfine -N --runs 1 --style none --export-json "$TMP/round-$r.json" "${args[@]}" >/dev/null)
done

python3 - "$TMP" "$N" <<'PY'
import json, statistics, sys, glob
tmp, n = sys.argv[1], int(sys.argv[2])
times = {}
for f in sorted(glob.glob(f"{tmp}/round-*.json")):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
med = {k: statistics.median(v) * 1000 for k, v in times.items()}
print(f"{'variant':36} {'median':>9} {'min':>9} {'max':>9}  vs baseline   (N={n} alternating rounds)")
for k, v in times.items():
    base = med[k.split(" ")[0] + " " + k.split(" ")[1] + " baseline"]
    diff = "" if k.endswith("baseline") else f"{med[k] - base:+8.0f} ms"
    print(f"{k:36} {med[k]:7.0f} ms {min(v)*1000:7.0f} ms {max(v)*1000:7.0f} ms  {diff}")
ext = next(k for k in med if k.endswith(".mvn/extensions.xml"))
empty = next(k for k in med if k.endswith("empty extension"))
print(f"keyring4j's share under .mvn/extensions.xml (vs the empty extension, Maven's own price for any core extension): {med[ext] - med[empty]:+.0f} ms")
PY

echo
echo "== time inside keyring4j in Maven's JVM (-Xlog:class+load:uptime), 3 runs each"
for v in "ext-$M3:m3" "ext-$M4:m4"; do
  for i in 1 2 3; do
    log="$TMP/classload-${v##*:}-$i.txt"
    (cd "$TMP" && MAVEN_OPTS="-Xlog:class+load:file=$log:uptime" KEYRING4J_BACKEND=kernel "$TMP/dist/${v%%:*}/bin/mvn" -B -q -o \
      -s "$TMP/${v##*:}/settings.xml" -Dsettings.security="$TMP/${v##*:}/settings-security.xml" -Dmaven.repo.local="$TMP/m2" -f "$TMP/${v##*:}/pom.xml" validate)
    python3 - "$log" "${v%%:*}" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
t = lambda l: float(re.match(r"\[(\d+\.\d+)s\]", l).group(1))
start = next(i for i, l in enumerate(lines) if "dev.keyring4j.maven.Passwords " in l)
last = max(i for i, l in enumerate(lines) if "dev.keyring4j" in l or "com.sun.jna" in l)
def at(name):
    i = next((i for i, l in enumerate(lines) if name in l), None)
    return "-" if i is None else f"{(t(lines[i]) - t(lines[start])) * 1000:.0f}"
end = lines[min(last + 1, len(lines) - 1)]
print(f"{sys.argv[2]:22} inside keyring4j {(t(end) - t(lines[start])) * 1000:5.0f} ms"
      f"  (kernel provider at {at('dev.keyring4j.kernel.KernelKeyringProvider ')} ms, JNA Native at {at('com.sun.jna.Native ')} ms,"
      f" store open at {at('dev.keyring4j.kernel.KernelKeyStore')} ms)")
PY
  done
done
uptime
