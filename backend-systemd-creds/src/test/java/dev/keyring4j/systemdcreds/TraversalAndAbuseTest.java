package dev.keyring4j.systemdcreds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names and files that try to make the store read outside its directories, or read too much: each refused, clearly. */
class TraversalAndAbuseTest {
    private static final String OUTSIDE = "OUTSIDE-SECRET";

    @TempDir
    Path tmp;

    /** A file next to the credential directories, named the way a naive mapping of the evil names below would reach. */
    private Path outside() {
        Path o = CredentialFiles.dir(tmp, "outside");
        for (String n : List.of("secret", "a.b", "etc")) CredentialFiles.write(o, n, OUTSIDE.getBytes(UTF_8));
        CredentialFiles.write(tmp, "secret", OUTSIDE.getBytes(UTF_8));
        return o;
    }

    @Test
    void traversalNamesThroughTheApiNeverReachOutside() throws Exception {
        Path outside = outside();
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            String[][] evil = {
                {"..", "secret"}, {"../outside", "secret"}, {"..", "outside/secret"}, {"../outside/a", "b"},
                {outside.resolve("secret").toString(), "x"}, {"/etc/passwd", "x"}, {"x", "../../etc/passwd"},
                {".", "."}, {"..", ".."}, {"a\0b", "c"}, {"a", "b\0/../secret"},
            };
            for (String[] e : evil) {
                assertEquals(Optional.empty(), s.get(e[0], e[1]), () -> "get(" + CredentialName.printable(e[0]) + ", "
                        + CredentialName.printable(e[1]) + ")");
                assertEquals(Optional.empty(), s.find(e[0]));
            }
            // …because every one of them was escaped to a single file name inside the directory
            assertEquals("%2E%2E.%2E%2E%2Fetc%2Fpasswd".length(), SystemdCredentials.credentialName("..", "../etc/passwd").length());
            assertEquals("a%00b.c", SystemdCredentials.credentialName("a\0b", "c"));
        }
    }

    @Test
    void rawTraversalNamesAreRefusedBeforeAnyFileAccess() throws Exception {
        outside();
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialDirectory d = CredentialDirectory.open(secrets, "test", false, false).orElseThrow();
        for (String raw : List.of("../secret", "../outside/secret", tmp.resolve("secret").toString(), "/etc/passwd", ".", "..",
                "a\0b", "x".repeat(256))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.read(raw, 1024), CredentialName.printable(raw));
            assertFalse(e.getMessage().contains(OUTSIDE));
        }
    }

    @Test
    void namesLongerThan255BytesAfterEscapingAreRefused() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        try (CredentialStore s = CredentialFiles.open(cd)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.get("s".repeat(200), "a".repeat(56)));
            assertTrue(e.getMessage().contains("257 bytes") && e.getMessage().contains("255"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.find("é".repeat(43)));
            assertThrows(IllegalArgumentException.class, () -> s.list("é".repeat(43)));
            assertEquals(Optional.empty(), s.get("s".repeat(200), "a".repeat(54)), "255 bytes is allowed");
            assertEquals(Optional.empty(), s.get("s".repeat(253), "x"), "255 bytes, though <service>.id would not fit");
            assertEquals(Optional.empty(), s.find("s".repeat(253)));
        }
    }

    @Test
    void symlinkEscapingAnExtraDirectoryIsRefused() throws Exception {
        Path outside = outside();
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Files.createSymbolicLink(secrets.resolve("db.password"), outside.resolve("secret"));
        Files.createSymbolicLink(secrets.resolve("rel.password"), Path.of("../outside/secret"));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            for (String service : List.of("db", "rel")) {
                AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> s.get(service, "password"));
                assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains("outside " + secrets.toRealPath()),
                        e.getMessage());
                assertFalse(e.getMessage().contains(OUTSIDE));
            }
        }
    }

    @Test
    void symlinkStayingInsideAnExtraDirectoryIsFollowedAsKubernetesLaysThemOut() throws Exception {
        // a Kubernetes secret volume: key -> ..data/key, ..data -> ..2026_11_23_09_00_00.1234
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Path version = CredentialFiles.dir(secrets, "..2026_11_23_09_00_00.1234");
        CredentialFiles.write(version, "tls.key", "key material".getBytes(UTF_8));
        Files.createSymbolicLink(secrets.resolve("..data"), Path.of("..2026_11_23_09_00_00.1234"));
        Files.createSymbolicLink(secrets.resolve("tls.key"), Path.of("..data/tls.key"));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            assertEquals("key material", s.get("tls", "key").orElseThrow().asString());
            assertEquals(List.of(new dev.keyring4j.CredentialId("tls", "key")), s.list());
        }
    }

    @Test
    void credentialsDirectoryItselfIsTrustedWithSymlinks() throws Exception {
        Path outside = outside();
        Path cd = CredentialFiles.dir(tmp, "cd");
        Files.createSymbolicLink(cd.resolve("a.b"), outside.resolve("a.b"));
        try (CredentialStore s = CredentialFiles.open(cd)) {
            // systemd fills $CREDENTIALS_DIRECTORY itself; it is the one directory not subject to the containment rule
            assertEquals(OUTSIDE, s.get("a", "b").orElseThrow().asString());
        }
    }

    @Test
    void danglingSymlinkIsAnErrorNotAbsent() throws Exception {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Files.createSymbolicLink(secrets.resolve("a.b"), Path.of("..data/a.b"));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }

    @Test
    void twoMebibyteFileIsRefused() throws Exception {
        Path cd = CredentialFiles.dir(tmp, "cd");
        byte[] big = new byte[2 << 20];
        java.util.Arrays.fill(big, (byte) 'z');
        CredentialFiles.write(cd, "big.file", big);
        byte[] atLimit = new byte[1 << 20];
        CredentialFiles.write(cd, "max.file", atLimit);
        try (CredentialStore s = CredentialFiles.open(cd)) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("big", "file"));
            assertTrue(e.getMessage().contains("larger than the limit of 1048576 bytes")
                    && e.getMessage().contains("systemd-creds.max-size"), e.getMessage());
            assertFalse(e.getMessage().contains("zzzz"));
            assertEquals(1 << 20, s.get("max", "file").orElseThrow().length(), "exactly 1 MiB is allowed");
        }
    }

    @Test
    void sizeLimitIsConfigurable() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, "a.b", new byte[4097]);
        CredentialFiles.write(cd, "a.c", new byte[4096]);
        try (CredentialStore s = CredentialFiles.open(cd, Map.of("max-size", "4096"))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("4096"), e.getMessage());
            assertEquals(4096, s.get("a", "c").orElseThrow().length());
        }
        assertThrows(KeyringException.class, () -> CredentialFiles.open(cd, Map.of("max-size", "0")));
        assertThrows(KeyringException.class, () -> CredentialFiles.open(cd, Map.of("max-size", "1MiB")));
    }

    @Test
    void decryptedCredentialOverTheLimitIsRefused() throws Exception {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        byte[] plaintext = new byte[5000];
        CredentialFiles.write(secrets, "a.b.cred", SystemdCredentialStoreTest.encryptWithSystemdCreds("a.b", plaintext));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString(), "max-size", "4096"))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("larger than the limit of 4096"), e.getMessage());
        }
    }

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        Path mkfifo = Prerequisites.requireProgram("mkfifo");
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Process p = new ProcessBuilder(mkfifo.toString(), secrets.resolve("a.b").toString()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }

    @Test
    void worldWritableDirectoryMakesTheBackendUnavailable() throws Exception {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialFiles.write(secrets, "a.b", "planted?".getBytes(UTF_8));
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path cd = CredentialFiles.dir(tmp, "cd");
        Availability a = CredentialFiles.PROVIDER.probe(CredentialFiles.config(cd, Map.of("dirs", secrets.toString()))).availability();
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains(secrets + " (systemd-creds.dirs) is world-writable (mode 0777)")
                && a.reason().contains("chmod go-w"), a.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> CredentialFiles.open(cd, Map.of("dirs", secrets.toString())));
        assertTrue(e.getMessage().contains("world-writable"), e.getMessage());

        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxrwx---"));
        Availability g = CredentialFiles.PROVIDER.probe(CredentialFiles.config(null, Map.of("dirs", secrets.toString()))).availability();
        assertFalse(g.isAvailable());
        assertTrue(g.reason().contains("group-writable (mode 0770)"), g.reason());

        Files.setPosixFilePermissions(cd, PosixFilePermissions.fromString("rwx-w--w-"));
        Availability c = CredentialFiles.PROVIDER.probe(CredentialFiles.config(cd, Map.of())).availability();
        assertFalse(c.isAvailable());
        assertTrue(c.reason().contains("$CREDENTIALS_DIRECTORY") && c.reason().contains("world-writable"), c.reason());
    }

    @Test
    void regularFileConfiguredAsDirectoryIsRefused() {
        Path notDir = CredentialFiles.write(tmp, "file", new byte[1]);
        Availability a = CredentialFiles.PROVIDER.probe(CredentialFiles.config(null, Map.of("dirs", notDir.toString()))).availability();
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("is not a directory"), a.reason());
    }

    @Test
    void systemdCredsThatHangsIsKilledAndReported() throws Exception {
        Path sh = Prerequisites.requireProgram("sh");
        Path fake = CredentialFiles.write(tmp, "hanging-systemd-creds", ("#!" + sh + "\necho about to hang >&2\nexec sleep 600\n").getBytes(UTF_8));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialFiles.write(secrets, "a.b.cred", "whatever".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString(), "command", fake.toString(), "timeout", "PT0.5S"))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("did not finish within PT0.5S and was killed"), e.getMessage());
            assertTrue(e.getMessage().contains("about to hang"), "stderr is captured: " + e.getMessage());
        }
    }

    @Test
    void missingSystemdCredsIsReportedAsUnavailable() {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialFiles.write(secrets, "a.b.cred", "whatever".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString(), "command", tmp.resolve("no-such-program").toString()))) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("cannot run") && e.getMessage().contains("systemd-creds.command"), e.getMessage());
        }
    }

    @Test
    void plainFileIsReadEvenIfAnEncryptedTwinExists() {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialFiles.write(secrets, "a.b", "plain".getBytes(UTF_8));
        CredentialFiles.write(secrets, "a.b.cred", "never decrypted".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString(), "command", "/nonexistent"))) {
            assertArrayEquals("plain".getBytes(UTF_8), s.get("a", "b").orElseThrow().asBytes());
        }
    }
}
