package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New files are 0600 in a 0700 directory; exposed ones are refused with the chmod to run. */
class PermissionTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void newFilesAreOwnerOnly() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("one"));
            s.set("svc", "acct", Secret.of("two")); // journaled
            s.compact(); // makes the .bak
        }
        Path file = Fixtures.storeFile(tmp);
        assertEquals("rwx------", mode(file.getParent()));
        assertEquals("rw-------", mode(file));
        assertEquals("rw-------", mode(file.resolveSibling("credentials.k4j.lock")));
        assertEquals("rw-------", mode(file.resolveSibling("credentials.k4j.bak")));
        assertEquals("rw-------", mode(file.resolveSibling("credentials.k4j.journal")));
        assertEquals("rw-------", mode(Fixtures.keyfile(tmp)));
        assertEquals("rwx------", mode(tmp.resolve("config/keyring4j")));
        try (var files = Files.list(file.getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(dev.keyring4j.support.PrivateFile.TEMP_SUFFIX)), "no temp file is left");
        }
    }

    @Test
    void aFileReadableByOthersIsRefused() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("one"));
        }
        Path file = Fixtures.storeFile(tmp);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> Fixtures.open(tmp, "keyfile"));
        assertTrue(e.getMessage().contains("chmod 600 '" + file + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
        Availability a = new EncryptedFileProvider().probe(Fixtures.config(tmp, "keyfile")).availability();
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("chmod 600"), a.reason());

        // a store already open notices too, at its next read
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("one", s.get("svc", "acct").orElseThrow().asString());
            try (EncryptedFileStore other = Fixtures.open(tmp, "keyfile")) {
                other.set("svc", "acct", Secret.of("two"));
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
            AccessDeniedException again = assertThrows(AccessDeniedException.class, () -> s.get("svc", "acct"));
            assertTrue(again.getMessage().contains("chmod 600"), again.getMessage());
        }
    }

    @Test
    void aDirectoryOpenToOthersIsRefused() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("one"));
        }
        Path dir = Fixtures.storeFile(tmp).getParent();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> Fixtures.open(tmp, "keyfile"));
        assertTrue(e.getMessage().contains("chmod 700 '" + dir + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("0755"), e.getMessage());
        assertFalse(new EncryptedFileProvider().probe(Fixtures.config(tmp, "keyfile")).availability().isAvailable());
    }

    @Test
    void anExposedKeyFileIsRefused() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("one"));
        }
        Path key = Fixtures.keyfile(tmp);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> s.get("svc", "acct"));
            assertTrue(e.getMessage().contains("chmod 600 '" + key + "'"), e.getMessage());
        }
    }

    @Test
    void aFileOfAnotherPathIsCreatedPrivateEvenUnderAnOpenParent() throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("srv"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = parent.resolve("app/creds.k4j");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "path", file.toString())) {
            s.set("svc", "acct", Secret.of("one"));
        }
        assertEquals("rwx------", mode(file.getParent()));
        assertEquals("rw-------", mode(file));
        // the key file is the store's own (named by its file id), never one derived from the file name alone
        String id = StoreFile.hex(StoreFile.parse(Files.readAllBytes(file)).header().fileId());
        assertTrue(Files.exists(tmp.resolve("config/keyring4j/" + id + ".key")));
        assertFalse(Files.exists(tmp.resolve("config/keyring4j/creds.k4j.key")));
    }
}
