package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, finding 9: the store file, key file and lock file are never opened through a symbolic
 * link, and a directory above them that another user could write is refused.
 */
class LinkAndDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void aSymlinkedStoreFileIsRefused() throws Exception {
        Path real = tmp.resolve("real/creds.k4j");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "path", real.toString(), "keyfile", tmp.resolve("k/key").toString())) {
            s.set("svc", "acct", Secret.of("v"));
        }
        Path link = Files.createDirectories(tmp.resolve("linked")).resolve("creds.k4j");
        Files.setPosixFilePermissions(link.getParent(), PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(link, real);
        AccessDeniedException e = assertThrows(AccessDeniedException.class,
                () -> Fixtures.open(tmp, "keyfile", "path", link.toString(), "keyfile", tmp.resolve("k/key").toString()).get("svc", "acct"));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertFalse(new EncryptedFileProvider().probe(Fixtures.config(tmp, "keyfile", "path", link.toString())).availability().isAvailable());
    }

    /** Issue 17: a store file or key file of 100 MB is refused at once by its size, never read into memory. */
    @Test
    void hugeStoreAndKeyFilesAreRefusedByTheirSize() throws Exception {
        Path key = tmp.resolve("k/key");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", key.toString())) {
            s.set("svc", "acct", Secret.of("v"));
        }
        Path store = Fixtures.storeFile(tmp);
        byte[] good = Files.readAllBytes(store);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(store.toFile(), "rw")) {
            f.setLength(100L * 1000 * 1000); // sparse
        }
        dev.keyring4j.KeyringException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> assertThrows(dev.keyring4j.KeyringException.class, () -> {
                    try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", key.toString())) {
                        s.get("svc", "acct");
                    }
                }));
        assertTrue(e.getMessage().contains("has 100000000 bytes, more than the limit of 67108864 bytes (64 MiB)"), e.getMessage());
        Files.write(store, good);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(key.toFile(), "rw")) {
            f.setLength(100L * 1000 * 1000);
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", key.toString())) {
            dev.keyring4j.LockedException k = assertThrows(dev.keyring4j.LockedException.class, () -> s.get("svc", "acct"));
            assertTrue(k.getMessage().contains("more than the limit of 4096 bytes"), k.getMessage());
        }
    }

    @Test
    void aSymlinkedKeyFileIsRefused() throws Exception {
        Path key = tmp.resolve("k/real.key");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", key.toString())) {
            s.set("svc", "acct", Secret.of("v"));
        }
        Path link = tmp.resolve("k/link.key");
        Files.createSymbolicLink(link, key);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", link.toString())) {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> s.get("svc", "acct"));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
    }

    @Test
    void aSymlinkedLockFileIsRefusedAndNothingIsCreatedThroughIt() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("v"));
        }
        Path lock = Fixtures.storeFile(tmp).resolveSibling("credentials.k4j.lock");
        Files.delete(lock);
        Path victim = tmp.resolve("victim");
        Files.createSymbolicLink(lock, victim);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> s.set("svc", "acct", Secret.of("w")));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertEquals("v", s.get("svc", "acct").orElseThrow().asString(), "nothing was written");
        }
        assertFalse(Files.exists(victim), "no file was created through the link");
    }

    @Test
    void aGroupWritableDirectoryAboveTheStoreIsRefused() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Path file = shared.resolve("app/creds.k4j");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> Fixtures.open(tmp, "keyfile", "path", file.toString()));
        assertTrue(e.getMessage().contains(shared.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("chmod go-w '" + shared + "'"), e.getMessage());
        assertFalse(new EncryptedFileProvider().probe(Fixtures.config(tmp, "keyfile", "path", file.toString())).availability().isAvailable());

        // the sticky bit (like /tmp) keeps others from replacing what is below: accepted
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(shared, "unix:mode", 01777);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "path", file.toString())) {
            s.set("svc", "acct", Secret.of("v"));
            assertEquals("v", s.get("svc", "acct").orElseThrow().asString());
        }
    }

    @Test
    void aDirectoryAboveTheStoreOwnedByAnotherUserIsRefused() throws Exception {
        int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        dev.keyring4j.testkit.Prerequisites.require(me == 0, "root, to give a directory to another uid");
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", 65534);
        Path file = foreign.resolve("app/creds.k4j");
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> Fixtures.open(tmp, "keyfile", "path", file.toString()));
        assertTrue(e.getMessage().contains(foreign.toString()) && e.getMessage().contains("uid 65534"), e.getMessage());
    }
}
