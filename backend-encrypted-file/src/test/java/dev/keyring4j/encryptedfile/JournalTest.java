package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal ({@link Journal}): every flipped byte and every truncation of it is a
 * {@link StoreCorruptedException}, never a wrong answer nor another exception, and nothing is
 * written over it; a torn tail (a killed writer's unacknowledged append) is ignored and cut off by
 * the next writer; stores of format 2 are read and upgraded by their next write.
 */
class JournalTest {
    @TempDir
    Path tmp;

    private static Path journalOf(Path root) {
        return Fixtures.storeFile(root).resolveSibling("credentials.k4j.journal");
    }

    /** A store whose file holds one entry and whose journal holds puts, an overwrite and a delete. */
    private static byte[] makeJournal(Path root) {
        try (EncryptedFileStore s = Fixtures.open(root, "keyfile")) {
            s.set("svc0", "acct0", Secret.of("in the file"));
            s.set("svc0", "acct1", Secret.of("journaled"));
            s.set("svc0", "acct2", Secret.of("journaled, then deleted"));
            s.set("svc0", "acct0", Secret.of("overwritten in the journal"));
            assertTrue(s.delete("svc0", "acct2"));
        }
        byte[] j = Fixtures.read(journalOf(root));
        assertTrue(j.length > Journal.HEADER_BYTES + 4 * 100, "four records: " + j.length);
        return j;
    }

    private static void expectCorrupted(Path root, byte[] journal, String what) throws Exception {
        Path file = Fixtures.storeFile(root);
        byte[] base = Files.readAllBytes(file);
        Files.write(journalOf(root), journal);
        try (EncryptedFileStore s = Fixtures.open(root, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("svc0", "acct0"), what);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertThrows(StoreCorruptedException.class, s::list, what);
            assertThrows(StoreCorruptedException.class, () -> s.set("svc0", "new", Secret.of("x")), what);
            assertArrayEquals(journal, Files.readAllBytes(journalOf(root)), "a damaged journal is never written over: " + what);
            assertArrayEquals(base, Files.readAllBytes(file), "nor the store file: " + what);
        }
    }

    private static void expectIntact(Path root, byte[] journal) {
        try (EncryptedFileStore s = Fixtures.open(root, "keyfile")) {
            assertEquals("overwritten in the journal", s.get("svc0", "acct0").orElseThrow().asString());
            assertEquals("journaled", s.get("svc0", "acct1").orElseThrow().asString());
            assertTrue(s.get("svc0", "acct2").isEmpty());
            assertEquals(2, s.list().size());
        }
        assertArrayEquals(journal, Fixtures.read(journalOf(root)));
    }

    @Test
    void everyFlippedBitOfTheJournalIsDetected() throws Exception {
        byte[] good = makeJournal(tmp);
        expectIntact(tmp, good);
        int checked = 0;
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                expectCorrupted(tmp, bad, "bit " + bit + " of byte " + i);
                checked++;
            }
        }
        assertEquals(good.length * 8, checked);
        Files.write(journalOf(tmp), good);
        expectIntact(tmp, good);
    }

    @Test
    void everyTruncationAndEveryRemovedRecordIsDetected() throws Exception {
        byte[] good = makeJournal(tmp);
        // cut anywhere: a cut inside a record looks like a torn tail, but the generation remembered
        // after that record was acknowledged says it was there
        for (int len = 0; len < good.length; len++) expectCorrupted(tmp, Arrays.copyOf(good, len), "cut to " + len);
        Files.delete(journalOf(tmp));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("svc0", "acct0"), "a removed journal");
            assertTrue(e.getMessage().contains("older copy"), e.getMessage());
        }
        Files.write(journalOf(tmp), good);
        Files.setPosixFilePermissions(journalOf(tmp), dev.keyring4j.support.PrivateFile.MODE);
        expectIntact(tmp, good);
    }

    @Test
    void aJournalFromAnotherStoreOrBaseIsDetected() throws Exception {
        byte[] good = makeJournal(tmp.resolve("a"));
        byte[] other = makeJournal(tmp.resolve("b"));
        expectCorrupted(tmp.resolve("a"), other, "the journal of another store");
        // records spliced in from another store, after this store's header
        byte[] spliced = Arrays.copyOf(good, good.length + other.length - Journal.HEADER_BYTES);
        System.arraycopy(other, Journal.HEADER_BYTES, spliced, good.length, other.length - Journal.HEADER_BYTES);
        expectCorrupted(tmp.resolve("a"), spliced, "records of another store appended");
        // a record repeated
        byte[] repeated = Arrays.copyOf(good, good.length + (good.length - Journal.HEADER_BYTES));
        System.arraycopy(good, Journal.HEADER_BYTES, repeated, good.length, good.length - Journal.HEADER_BYTES);
        expectCorrupted(tmp.resolve("a"), repeated, "records repeated");
    }

    @Test
    void aTornTailIsIgnoredAndCutOffByTheNextWriter() throws Exception {
        byte[] good = makeJournal(tmp);
        // what a writer killed in its append leaves: a strict prefix of a frame (never acknowledged)
        byte[] frame;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc0", "acct3", Secret.of("the record to tear"));
            byte[] longer = Fixtures.read(journalOf(tmp));
            frame = Arrays.copyOfRange(longer, good.length, longer.length);
        }
        for (int cut : new int[] {1, 4, 7, 8, 9, frame.length / 2, frame.length - 1}) {
            Files.write(journalOf(tmp), good);
            // the generation record as it was before the torn append was acknowledged
            try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "accept-rollback", "true")) {
                s.list();
            }
            byte[] torn = Arrays.copyOf(good, good.length + cut);
            System.arraycopy(frame, 0, torn, good.length, cut);
            Files.write(journalOf(tmp), torn);
            try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
                assertEquals("overwritten in the journal", s.get("svc0", "acct0").orElseThrow().asString(), "cut " + cut);
                assertTrue(s.get("svc0", "acct3").isEmpty(), "the torn write is not there: cut " + cut);
                s.set("svc0", "acct4", Secret.of("after the tear"));
            }
            try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
                assertEquals("after the tear", s.get("svc0", "acct4").orElseThrow().asString(), "cut " + cut);
                assertEquals("journaled", s.get("svc0", "acct1").orElseThrow().asString());
                assertTrue(s.delete("svc0", "acct4"));
            }
            byte[] now = Fixtures.read(journalOf(tmp));
            assertArrayEquals(good, Arrays.copyOf(now, good.length), "the writer cut the tail off and appended after the last record");
        }
    }

    /**
     * A store as the last version 3 build wrote it (src/test/resources/version3: a base, a journal
     * with a put, a replacement and a delete, and its key file; written with keyring4j at commit
     * 20d361c, the MAC over the whole body) is read with its journal, and its next write rewrites it
     * as version 4 (the MAC over the body's SHA-256).
     */
    @Test
    void aVersion3StoreWithItsJournalIsReadAndUpgradedByItsNextWrite() throws Exception {
        Path file = Fixtures.storeFile(tmp);
        java.nio.file.attribute.FileAttribute<?> dir = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (Path d : java.util.List.of(tmp.resolve("data"), file.getParent(), tmp.resolve("config"), tmp.resolve("config/keyring4j"))) Files.createDirectory(d, dir);
        copyResource("credentials.k4j", file);
        copyResource("credentials.k4j.journal", journalOf(tmp));
        copyResource("credentials.key", Fixtures.keyfile(tmp));
        assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/3\""));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("replaced in the journal", s.get("svc", "compacted").orElseThrow().asString());
            assertEquals("in the version 3 journal", s.get("svc", "journaled").orElseThrow().asString());
            assertTrue(s.get("svc", "revoked").isEmpty(), "deleted in the journal");
            assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/3\""), "reading does not rewrite it");
            s.set("svc", "new", Secret.of("after the upgrade"));
            assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/4\""), "the next write rewrites it as version 4");
            assertEquals(0, Journal.parse(Fixtures.read(journalOf(tmp))).count(), "the journal folded into it");
            s.set("svc", "newer", Secret.of("journaled again"));
        }
        StoreFile.Parsed p = StoreFile.parse(Files.readAllBytes(file));
        assertEquals(4, p.header().version());
        assertArrayEquals(StoreFile.versionFourMacInput(StoreFile.sha256(p.body(), p.body().length)), p.macInput(),
                "version 4's MAC covers the body's SHA-256, not the body");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("replaced in the journal", s.get("svc", "compacted").orElseThrow().asString());
            assertEquals("in the version 3 journal", s.get("svc", "journaled").orElseThrow().asString());
            assertEquals("after the upgrade", s.get("svc", "new").orElseThrow().asString());
            assertEquals("journaled again", s.get("svc", "newer").orElseThrow().asString());
            assertEquals(4, s.list().size());
        }
    }

    private static void copyResource(String name, Path to) throws Exception {
        try (java.io.InputStream in = JournalTest.class.getResourceAsStream("/version3/" + name)) {
            Files.write(to, in.readAllBytes());
        }
        Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aVersion2StoreIsReadAndUpgradedByItsNextWrite() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "old", Secret.of("from version 2"));
            s.set("svc", "other", Secret.of("also"));
            s.compact();
        }
        Path file = Fixtures.storeFile(tmp);
        V1.toVersion2(file, Fixtures.keyfile(tmp));
        assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/2\""));
        assertFalse(Files.exists(journalOf(tmp)));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("from version 2", s.get("svc", "old").orElseThrow().asString());
            assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/2\""), "reading does not rewrite it");
            assertFalse(Files.exists(journalOf(tmp)), "nor makes a journal");
            s.set("svc", "new", Secret.of("after the upgrade"));
            assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/4\""), "the next write rewrites it as version 4");
            s.set("svc", "newer", Secret.of("journaled"));
        }
        assertTrue(Files.size(journalOf(tmp)) > Journal.HEADER_BYTES, "then writes are journaled");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("from version 2", s.get("svc", "old").orElseThrow().asString());
            assertEquals("also", s.get("svc", "other").orElseThrow().asString());
            assertEquals("after the upgrade", s.get("svc", "new").orElseThrow().asString());
            assertEquals("journaled", s.get("svc", "newer").orElseThrow().asString());
        }
    }

    /** In a store of n > 2 048 entries the journal grows to n/8 records before it is folded in: a rewrite's cost is shared by more sets. */
    @Test
    void aLargerStoreFoldsItsJournalAfterOneRecordPerEightEntries() throws Exception {
        int n = 3_000;
        int due = Journal.compactAfter(n);
        assertEquals(n / 8, due);
        assertEquals(Journal.COMPACT_AFTER, Journal.compactAfter(10), "a small store folds after 256 records, as before");
        java.util.Map<dev.keyring4j.CredentialId, Secret> all = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) all.put(new dev.keyring4j.CredentialId("svc", "a" + i), Secret.of("v" + i));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.setAll(all); // one rewrite
            for (int i = 0; i < due; i++) s.set("svc", "a" + i, Secret.of("w" + i));
            assertEquals(due, Journal.parse(Fixtures.read(journalOf(tmp))).count(), "past 256 records, still appending");
            s.set("svc", "a" + due, Secret.of("folded"));
            assertEquals(0, Journal.parse(Fixtures.read(journalOf(tmp))).count(), "the write past n/8 records folded the journal in");
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("w" + (due - 1), s.get("svc", "a" + (due - 1)).orElseThrow().asString());
            assertEquals("folded", s.get("svc", "a" + due).orElseThrow().asString());
            assertEquals("v" + (n - 1), s.get("svc", "a" + (n - 1)).orElseThrow().asString());
        }
    }

    @Test
    void theJournalIsFoldedIntoTheFileEveryFewHundredRecordsAndAStaleJournalIsIgnored() throws Exception {
        Path file = Fixtures.storeFile(tmp);
        byte[] staleJournal;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            for (int i = 0; i <= Journal.COMPACT_AFTER; i++) s.set("svc", "k" + i % 7, Secret.of("v" + i));
            assertEquals(Journal.COMPACT_AFTER, Journal.parse(Fixtures.read(journalOf(tmp))).count(), "one record per set since the first");
            staleJournal = Fixtures.read(journalOf(tmp));
            s.set("svc", "k0", Secret.of("compacted"));
            assertEquals(0, Journal.parse(Fixtures.read(journalOf(tmp))).count(), "the next set folded the journal into the file");
            assertEquals(Journal.COMPACT_AFTER + 2, StoreFile.parse(Files.readAllBytes(file)).generation(), "every write counted");
        }
        // a rewrite killed between the new file and the new journal leaves the old journal: stale, ignored
        Files.write(journalOf(tmp), staleJournal);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("compacted", s.get("svc", "k0").orElseThrow().asString());
            assertEquals("v" + (Journal.COMPACT_AFTER - 1), s.get("svc", "k" + (Journal.COMPACT_AFTER - 1) % 7).orElseThrow().asString());
            s.set("svc", "k1", Secret.of("after"));
            assertEquals(0, Journal.parse(Fixtures.read(journalOf(tmp))).count(), "a write replaces a stale journal (by a rewrite)");
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("after", s.get("svc", "k1").orElseThrow().asString());
        }
    }
}
