package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, finding 5: an older copy of the store file put back (a restored backup) must not
 * silently bring back a revoked secret; two stores of the same file name must not share a key file.
 */
class RollbackTest {
    @TempDir
    Path tmp;

    @Test
    void restoringTheBackupIsCorruptionUnlessAcceptRollbackIsSet() throws Exception {
        Path file;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("api", "ci", Secret.of("token that was revoked"));
            s.delete("api", "ci"); // the revocation, journaled
            s.compact(); // the backup keeps the file from before: the one with the token
            file = s.path();
        }
        Files.copy(file.resolveSibling("credentials.k4j.bak"), file, StandardCopyOption.REPLACE_EXISTING);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("api", "ci"));
            assertTrue(e.getMessage().contains("older copy"), e.getMessage());
            assertTrue(e.getMessage().contains("encrypted-file.accept-rollback = true"), e.getMessage());
            assertThrows(StoreCorruptedException.class, () -> s.set("api", "other", Secret.of("x")), "no write over it");
        }
        // a store held open notices the rollback too
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "accept-rollback", "true")) {
            assertEquals("token that was revoked", s.get("api", "ci").orElseThrow().asString(), "restored on purpose");
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertTrue(s.get("api", "ci").isPresent(), "once accepted, the restored file is the store's state");
            s.delete("api", "ci");
        }
    }

    @Test
    void aStoreHeldOpenRefusesAnOlderCopyPutUnderIt() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            Path journal = s.path().resolveSibling("credentials.k4j.journal");
            s.set("a", "b", Secret.of("1"));
            byte[] old = Files.readAllBytes(s.path());
            byte[] oldJournal = Files.readAllBytes(journal);
            s.set("a", "b", Secret.of("2")); // journaled
            Files.write(s.path(), old);
            Files.write(journal, oldJournal);
            assertThrows(StoreCorruptedException.class, () -> s.get("a", "b"), "the store file and journal of before");
        }
    }

    /** The generation record of the one store under {@code root}. */
    private static Path generationRecord(Path root) throws Exception {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            List<Path> found = all.filter(p -> p.getFileName().toString().endsWith(GenerationRecord.SUFFIX)).toList();
            assertEquals(1, found.size(), "one generation record: " + found);
            return found.get(0);
        }
    }

    /**
     * The generation record is written without fsync after each append: after a power loss it may
     * be older than the journal. An older record refuses nothing newer, so the store opens with
     * every acknowledged write, and the next write brings the record up again.
     */
    @Test
    void aGenerationRecordOlderThanTheJournalIsAccepted() throws Exception {
        Path record;
        byte[] lagging;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("e", "f", Secret.of("1"));
            record = generationRecord(tmp);
            lagging = Files.readAllBytes(record);
            s.set("e", "f", Secret.of("2")); // journaled
            s.set("e", "g", Secret.of("3")); // journaled
        }
        Files.write(record, lagging); // what a crash before the record reached the disk leaves
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("2", s.get("e", "f").orElseThrow().asString());
            assertEquals("3", s.get("e", "g").orElseThrow().asString());
            s.set("e", "h", Secret.of("4"));
        }
        assertFalse(java.util.Arrays.equals(lagging, Files.readAllBytes(record)), "the next write remembers its generation again");
        String[] f = Files.readString(record).trim().split(" ");
        assertEquals(4, Long.parseLong(f[2]), "four writes: one rewrite (the first) and three appends");
    }

    /**
     * A set overwrites the record in place (same file, same length: no rename on the set's path);
     * a new file id, or a record of another length (one an earlier build wrote), is replaced by a rename.
     */
    @Test
    void theGenerationRecordIsOverwrittenInPlaceOnlyForTheSameFileId() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("a", "b", Secret.of("1"));
            Path record = generationRecord(tmp);
            Object inode = Files.getAttribute(record, "unix:ino");
            String first = Files.readString(record);
            s.set("a", "b", Secret.of("2")); // journaled
            assertEquals(inode, Files.getAttribute(record, "unix:ino"), "written in place");
            String second = Files.readString(record);
            assertEquals(first.length(), second.length(), "a line of fixed length");
            assertEquals(Long.parseLong(first.trim().split(" ")[2]) + 1, Long.parseLong(second.trim().split(" ")[2]));
            assertTrue(second.matches("keyring4j-generation/1 [0-9a-f]{32} [0-9]{19} [0-9a-f]{8}\n"), second);
        }
        Path record = generationRecord(tmp);
        String second = Files.readString(record);
        Object inode = Files.getAttribute(record, "unix:ino");
        // what an earlier build wrote (no leading zeros, no CRC): read by a new instance as before, then replaced
        String[] f = second.trim().split(" ");
        Files.writeString(record, f[0] + " " + f[1] + " " + Long.parseLong(f[2]) + "\n");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("2", s.get("a", "b").orElseThrow().asString());
            s.set("a", "b", Secret.of("3"));
            assertFalse(inode.equals(Files.getAttribute(record, "unix:ino")), "a line of another length is replaced, not overwritten");
            assertEquals(second.length(), Files.readString(record).length());
            inode = Files.getAttribute(record, "unix:ino");
            s.rekey(); // a new file id
            assertFalse(inode.equals(Files.getAttribute(record, "unix:ino")), "another file id is replaced, never overwritten");
            assertEquals("3", s.get("a", "b").orElseThrow().asString());
        }
        // and an old line naming a later generation is still a rollback
        f = Files.readString(record).trim().split(" ");
        Files.writeString(record, f[0] + " " + f[1] + " " + (Long.parseLong(f[2]) + 5) + "\n");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("older copy"), e.getMessage());
        }
    }

    /**
     * A line whose CRC does not match is what a write in place half done, or cut short by a crash,
     * leaves. Here one digit is changed so that the line would name a far later generation: it is
     * read again, then taken as damage (no record), never as a rollback; the next write replaces it.
     * A line with a valid CRC naming a later generation is a rollback as before.
     */
    @Test
    void aRecordWhoseCrcDoesNotMatchIsDamageNotARollback() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("a", "b", Secret.of("1"));
            s.set("a", "b", Secret.of("2"));
        }
        Path record = generationRecord(tmp);
        String good = Files.readString(record);
        String[] f = good.trim().split(" ");
        String torn = f[0] + " " + f[1] + " 9" + f[2].substring(1) + " " + f[3] + "\n";
        Files.writeString(record, torn);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("2", s.get("a", "b").orElseThrow().asString(), "a damaged record refuses nothing");
            s.set("a", "b", Secret.of("3"));
        }
        String repaired = Files.readString(record);
        assertEquals(Long.parseLong(f[2]) + 1, Long.parseLong(repaired.trim().split(" ")[2]), "the next write replaced it");
        assertEquals(GenerationRecord.line(Fixtures.fileId(tmp), Long.parseLong(f[2]) + 1), repaired);

        Files.writeString(record, GenerationRecord.line(Fixtures.fileId(tmp), Long.parseLong(f[2]) + 1000));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("older copy"), e.getMessage());
        }
    }

    /**
     * One thread overwrites a record in place, again and again, with generations 999 and 1000 (whose
     * mixes would read as 1999 or 0); a reader in another thread reads it meanwhile: every read is one
     * of the two, never a mix, never an error and never "no record". (On Linux a torn read of an 85-byte
     * line is rare enough that this passes without the CRC too; what the CRC does with a torn line is
     * {@link #aRecordWhoseCrcDoesNotMatchIsDamageNotARollback}.)
     */
    @Test
    void readersNeverSeeTwoInPlaceWritesMixed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        GenerationRecord record = new GenerationRecord(dir.resolve("s.k4j.0123.generation"));
        byte[] id = new byte[16];
        record.remember(id, 999);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                record.remember(id, 1000 - (writes.getAndIncrement() & 1));
            }
        });
        writer.start();
        long reads = 0;
        try {
            long end = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < end) {
                GenerationRecord.Remembered r = record.read();
                assertTrue(r != null && (r.generation() == 999 || r.generation() == 1000), "read " + r);
                reads++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertTrue(writes.get() > 1000 && reads > 1000, writes.get() + " writes, " + reads + " reads");
    }

    /** A journal cut back to fewer records than were acknowledged is an older copy, for a store opened afterwards. */
    @Test
    void aJournalOlderThanTheRecordIsARollback() throws Exception {
        Path journal;
        byte[] old;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            journal = s.path().resolveSibling("credentials.k4j.journal");
            s.set("a", "b", Secret.of("1"));
            s.set("a", "b", Secret.of("2")); // journaled
            old = Files.readAllBytes(journal);
            s.delete("a", "b"); // journaled: the revocation
        }
        Files.write(journal, old);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("older copy"), e.getMessage());
        }
    }

    @Test
    void anOlderStoreFileUnderANewerJournalIsAnOlderCopy() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("c", "d", Secret.of("1"));
            byte[] old = Files.readAllBytes(s.path());
            s.set("c", "d", Secret.of("2"));
            s.compact();
            Files.write(s.path(), old);
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("c", "d"));
            assertTrue(e.getMessage().contains("older copy"), e.getMessage());
            assertTrue(e.getMessage().contains("encrypted-file.accept-rollback = true"), e.getMessage());
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "accept-rollback", "true")) {
            assertEquals("1", s.get("c", "d").orElseThrow().asString(), "restored on purpose: the newer journal is left over");
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("1", s.get("c", "d").orElseThrow().asString(), "once accepted, it is the state");
            s.set("c", "d", Secret.of("3")); // a rewrite: the left-over journal is replaced
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("3", s.get("c", "d").orElseThrow().asString());
        }
    }

    @Test
    void twoStoresWithTheSameFileNameInDifferentDirectoriesHaveTheirOwnKeyFiles() throws Exception {
        Path a = tmp.resolve("a/creds.k4j");
        Path b = tmp.resolve("b/creds.k4j");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "path", a.toString())) {
            s.set("svc", "acct", Secret.of("A"));
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "path", b.toString())) {
            s.set("svc", "acct", Secret.of("B"));
        }
        StoreFile.Parsed pa = StoreFile.parse(Files.readAllBytes(a));
        StoreFile.Parsed pb = StoreFile.parse(Files.readAllBytes(b));
        List<Path> keys = new ArrayList<>();
        try (var ls = Files.list(tmp.resolve("config/keyring4j"))) {
            ls.filter(p -> p.toString().endsWith(".key")).forEach(keys::add);
        }
        for (Path k : keys) {
            byte[] master = Files.readAllBytes(k);
            boolean opensA = Kek.derive(master, pa.header().fileId()).matches(pa.header().check());
            boolean opensB = Kek.derive(master, pb.header().fileId()).matches(pb.header().check());
            assertFalse(opensA && opensB, "the key file " + k + " opens both stores");
        }
        assertEquals(2, keys.size(), "one key file per store: " + keys);
        // each store still opens with its own
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "path", a.toString())) {
            assertEquals("A", s.get("svc", "acct").orElseThrow().asString());
        }
    }
}
