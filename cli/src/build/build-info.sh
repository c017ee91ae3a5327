#!/usr/bin/env bash
# Writes build-info.properties for `keyring4j --version`: the version and the git commit of the tree the
# build runs in. No build time (the jar must be reproducible), and no failure without git or outside a clone.
set -euo pipefail
out="$1" version="$2" basedir="$3"
commit=unknown
if command -v git >/dev/null 2>&1 && head="$(git -C "$basedir" rev-parse --verify -q HEAD 2>/dev/null)"; then
  commit="$head"
  # changes to tracked files (build output is ignored): the jar is not exactly that commit
  if ! git -C "$basedir" diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
fi
mkdir -p "$(dirname "$out")"
printf 'version=%s\ncommit=%s\n' "$version" "$commit" > "$out.tmp"
# unchanged content keeps its mtime, so the jar is not repackaged needlessly
if cmp -s "$out.tmp" "$out"; then rm -f "$out.tmp"; else mv -f "$out.tmp" "$out"; fi
