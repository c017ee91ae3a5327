package dev.keyring4j.systemdcreds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials another user could have planted or changed below a safe top directory: a writable
 * directory on the way, a writable file, a file or directory owned by someone else. Each is
 * refused with the path and what to do; a properly owned layout still reads.
 */
class PlantedCredentialTest {
    private static final String PLANTED = "PLANTED-VALUE";
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    /** A Kubernetes secret volume as kubelet writes it: {@code key → ..data/key}, {@code ..data → ..<timestamp>}, 0755 and 0644, root's. */
    private Path kubernetesVolume() throws Exception {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path version = CredentialFiles.dir(secrets, "..2026_11_23_09_00_00.1234");
        Files.setPosixFilePermissions(version, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = CredentialFiles.write(version, "tls.key", PLANTED.getBytes(UTF_8));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(secrets.resolve("..data"), Path.of("..2026_11_23_09_00_00.1234"));
        Files.createSymbolicLink(secrets.resolve("tls.key"), Path.of("..data/tls.key"));
        return secrets;
    }

    private static CredentialStore open(Path secrets) {
        return CredentialFiles.open(null, Map.of("dirs", secrets.toString()));
    }

    private static AccessDeniedException refused(Path secrets, String service, String account) {
        try (CredentialStore s = open(secrets)) {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> s.get(service, account));
            assertFalse(e.getMessage().contains(PLANTED), e.getMessage());
            assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#access-denied)"), e.getMessage());
            return e;
        }
    }

    private void chown(Path p, int uid) throws Exception {
        // the temporary directory is owned by the uid this test runs as
        Prerequisites.require(((Number) Files.getAttribute(tmp, "unix:uid")).intValue() == 0, "root, to give a file to uid 65534 (tests run as root in CI)");
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aProperlyOwnedKubernetesVolumeReads() throws Exception {
        Path secrets = kubernetesVolume();
        try (CredentialStore s = open(secrets)) {
            assertEquals(PLANTED, s.get("tls", "key").orElseThrow().asString());
            assertEquals(List.of(new CredentialId("tls", "key")), s.list());
        }
    }

    @Test
    void aGroupWritableDataDirectoryIsRefused() throws Exception {
        Path secrets = kubernetesVolume();
        Path version = secrets.resolve("..2026_11_23_09_00_00.1234");
        Files.setPosixFilePermissions(version, PosixFilePermissions.fromString("rwxrwxr-x"));
        AccessDeniedException e = refused(secrets, "tls", "key");
        assertTrue(e.getMessage().contains("the directory " + version.toRealPath() + " (on the way to " + secrets.toRealPath().resolve("tls.key")
                + ") is group-writable (mode 0775)") && e.getMessage().contains("chmod go-w " + version.toRealPath()), e.getMessage());

        // the same with ..data a real directory rather than a link
        Path flat = CredentialFiles.dir(tmp, "flat");
        Path data = CredentialFiles.dir(flat, "..data");
        CredentialFiles.write(data, "db.password", PLANTED.getBytes(UTF_8));
        Files.createSymbolicLink(flat.resolve("db.password"), Path.of("..data/db.password"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwx---"));
        e = refused(flat, "db", "password");
        assertTrue(e.getMessage().contains("the directory " + data.toRealPath()) && e.getMessage().contains("group-writable (mode 0770)"),
                e.getMessage());
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        try (CredentialStore s = open(flat)) {
            assertEquals(PLANTED, s.get("db", "password").orElseThrow().asString(), "readable once the mode is fixed");
        }
    }

    @Test
    void aWorldWritableCredentialFileIsRefused() throws Exception {
        Path secrets = kubernetesVolume();
        Path key = secrets.resolve("..2026_11_23_09_00_00.1234/tls.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
        AccessDeniedException e = refused(secrets, "tls", "key");
        assertTrue(e.getMessage().contains("the credential file " + key.toRealPath() + " (where " + secrets.toRealPath().resolve("tls.key")
                + " leads) is world-writable (mode 0666)"), e.getMessage());

        // a plain file directly in the directory, and one in the trusted $CREDENTIALS_DIRECTORY
        Path direct = CredentialFiles.write(secrets, "app.token", PLANTED.getBytes(UTF_8));
        Files.setPosixFilePermissions(direct, PosixFilePermissions.fromString("rw-rw-rw-"));
        e = refused(secrets, "app", "token");
        assertTrue(e.getMessage().contains("the credential file " + direct.toRealPath() + " is world-writable (mode 0666)"), e.getMessage());
        Path cd = CredentialFiles.dir(tmp, "cd");
        Path inCd = CredentialFiles.write(cd, "app.token", PLANTED.getBytes(UTF_8));
        Files.setPosixFilePermissions(inCd, PosixFilePermissions.fromString("rw-rw-r--"));
        try (CredentialStore s = CredentialFiles.open(cd)) {
            AccessDeniedException c = assertThrows(AccessDeniedException.class, () -> s.get("app", "token"));
            assertTrue(c.getMessage().contains("group-writable (mode 0664)"), c.getMessage());
        }
    }

    @Test
    void aCredentialFileOwnedByAnotherUserIsRefused() throws Exception {
        Path secrets = kubernetesVolume();
        Path key = secrets.resolve("..2026_11_23_09_00_00.1234/tls.key");
        chown(key, NOBODY);
        AccessDeniedException e = refused(secrets, "tls", "key");
        assertTrue(e.getMessage().contains("the credential file " + key.toRealPath()) && e.getMessage().contains("is owned by uid 65534,"
                + " neither this process's uid 0 nor root") && e.getMessage().contains("chown 0 " + key.toRealPath()), e.getMessage());

        // a directory on the way owned by another user, even one nobody else may write
        chown(key, 0);
        Path version = secrets.resolve("..2026_11_23_09_00_00.1234");
        chown(version, NOBODY);
        e = refused(secrets, "tls", "key");
        assertTrue(e.getMessage().contains("the directory " + version.toRealPath()) && e.getMessage().contains("owned by uid 65534"), e.getMessage());
        chown(version, 0);
        try (CredentialStore s = open(secrets)) {
            assertEquals(PLANTED, s.get("tls", "key").orElseThrow().asString(), "readable once the owners are fixed");
        }
    }

    @Test
    void aLinkInAWritableDirectoryOffTheFinalPathIsRefused() throws Exception {
        // a.b -> hop/next -> ../real/a.b: "hop" is not on the file's real path, but its link decides what is read
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Path hop = CredentialFiles.dir(secrets, "hop");
        Path real = CredentialFiles.dir(secrets, "real");
        CredentialFiles.write(real, "a.b", PLANTED.getBytes(UTF_8));
        Files.createSymbolicLink(hop.resolve("next"), Path.of("../real/a.b"));
        Files.createSymbolicLink(secrets.resolve("a.b"), Path.of("hop/next"));
        try (CredentialStore s = open(secrets)) {
            assertEquals(PLANTED, s.get("a", "b").orElseThrow().asString());
        }
        Files.setPosixFilePermissions(hop, PosixFilePermissions.fromString("rwxrwxrwx"));
        AccessDeniedException e = refused(secrets, "a", "b");
        assertTrue(e.getMessage().contains("the directory " + hop.toRealPath()) && e.getMessage().contains("world-writable (mode 0777)"),
                e.getMessage());
    }

    @Test
    void anAbsoluteLinkIntoTheSameDirectoryIsStillFollowed() throws Exception {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Path data = CredentialFiles.dir(secrets, "data");
        CredentialFiles.write(data, "a.b", PLANTED.getBytes(UTF_8));
        Files.createSymbolicLink(secrets.resolve("a.b"), data.toRealPath().resolve("a.b"));
        try (CredentialStore s = open(secrets)) {
            assertEquals(PLANTED, s.get("a", "b").orElseThrow().asString());
        }
    }

    @Test
    void aConfiguredDirectoryOwnedByAnotherUserMakesTheBackendUnavailable() throws Exception {
        Path secrets = kubernetesVolume();
        chown(secrets, NOBODY);
        Availability a = CredentialFiles.PROVIDER.probe(CredentialFiles.config(null, Map.of("dirs", secrets.toString()))).availability();
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains(secrets + " (systemd-creds.dirs) is owned by uid 65534") && a.reason().contains("chown"), a.reason());
    }
}
