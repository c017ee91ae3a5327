#!/usr/bin/env bash
# Builds the command's distributions from the shaded jar and the generated man page and completion
# (cli/pom.xml runs this in `mvn package`):
#   target/keyring4j-<version>.tar.gz    bin/ lib/ share/man share/bash-completion share/zsh LICENSE NOTICE
#   target/keyring4j_<debversion>_all.deb  /usr/bin/keyring4j, /usr/bin/docker-credential-keyring4j, the man page,
#                                          bash and zsh completion, /usr/share/doc/keyring4j/{copyright,NOTICE}
# A SNAPSHOT version becomes a Debian version that sorts before the release (0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT).
# Every file carries the time of project.build.outputTimestamp, so the archives do not depend on when they were built.
set -euo pipefail
version="$1" target="$2" root="$3" timestamp="$4"
epoch="$(date -u -d "$timestamp" +%s)"
export SOURCE_DATE_EPOCH="$epoch"
debversion="${version//-/\~}"
docs="$target/docs"
stage="$target/dist"
rm -rf "$stage"

# --- the tarball: keyring4j-<version>/
t="$stage/keyring4j-$version"
install -d "$t/bin" "$t/lib" "$t/share/man/man1" "$t/share/bash-completion/completions" "$t/share/zsh/vendor-completions"
sed "s/@VERSION@/$version/" "$root/cli/src/dist/bin/keyring4j" > "$t/bin/keyring4j"
install -m 0755 "$root/docker-credential-keyring4j" "$t/bin/docker-credential-keyring4j"
chmod 0755 "$t/bin/keyring4j"
install -m 0644 "$target/keyring4j.jar" "$t/lib/keyring4j.jar"
gzip -9n < "$docs/keyring4j.1" > "$t/share/man/man1/keyring4j.1.gz"
install -m 0644 "$docs/keyring4j.bash" "$t/share/bash-completion/completions/keyring4j"
install -m 0644 "$docs/_keyring4j" "$t/share/zsh/vendor-completions/_keyring4j"
install -m 0644 "$root/LICENSE" "$root/NOTICE" "$t/"
tarflags=(--sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode=go-w)
tar -C "$stage" "${tarflags[@]}" -cf - "keyring4j-$version" | gzip -9n > "$target/keyring4j-$version.tar.gz"

# --- the Debian package
d="$stage/deb"
install -d "$d/DEBIAN" "$d/usr/bin" "$d/usr/share/keyring4j/bin" "$d/usr/share/keyring4j/lib" "$d/usr/share/man/man1" \
  "$d/usr/share/bash-completion/completions" "$d/usr/share/zsh/vendor-completions" "$d/usr/share/doc/keyring4j"
install -m 0755 "$t/bin/keyring4j" "$t/bin/docker-credential-keyring4j" "$d/usr/share/keyring4j/bin/"
install -m 0644 "$t/lib/keyring4j.jar" "$d/usr/share/keyring4j/lib/"
ln -s ../share/keyring4j/bin/keyring4j "$d/usr/bin/keyring4j"
ln -s ../share/keyring4j/bin/docker-credential-keyring4j "$d/usr/bin/docker-credential-keyring4j"
install -m 0644 "$t/share/man/man1/keyring4j.1.gz" "$d/usr/share/man/man1/"
install -m 0644 "$t/share/bash-completion/completions/keyring4j" "$d/usr/share/bash-completion/completions/"
install -m 0644 "$t/share/zsh/vendor-completions/_keyring4j" "$d/usr/share/zsh/vendor-completions/"
install -m 0644 "$root/NOTICE" "$d/usr/share/doc/keyring4j/NOTICE"
{ echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: keyring4j"
  echo "Source: https://github.com/keyring4j/keyring4j"
  echo
  echo "Files: *"
  echo "Copyright: 2026 The keyring4j developers"
  echo "License: Apache-2.0"
  echo " On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0;"
  echo " the libraries bundled in keyring4j.jar and their licenses are listed in NOTICE."
} > "$d/usr/share/doc/keyring4j/copyright"
size="$(du -k -s --apparent-size "$d/usr" | cut -f1)"
cat > "$d/DEBIAN/control" <<CONTROL
Package: keyring4j
Version: $debversion
Architecture: all
Maintainer: The keyring4j developers <dev@keyring4j.dev>
Depends: java-runtime-headless (>= 17) | java17-runtime-headless
Suggests: gnome-keyring, keyutils, libsecret-tools
Section: utils
Priority: optional
Installed-Size: $size
Homepage: https://github.com/keyring4j/keyring4j
Description: credential storage on Linux, and tells you where a secret went
 keyring4j stores and reads credentials in the best store the machine offers:
 systemd credentials, the Secret Service (gnome-keyring, KeePassXC), the kernel
 keyring, an encrypted file or environment variables (and, when configured, an
 etcd cluster or a token command), and never falls back silently to something
 weaker. Includes git and docker credential helpers.
CONTROL
find "$d" -exec touch -h -d "@$epoch" {} +
dpkg-deb --root-owner-group -Zxz --build "$d" "$target/keyring4j_${debversion}_all.deb" >/dev/null
echo "keyring4j: built $target/keyring4j-$version.tar.gz and $target/keyring4j_${debversion}_all.deb"
