package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import dev.keyring4j.support.SystemdCredsRunner;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any change to the file is {@link StoreCorruptedException}: flipped bytes, truncation, appended
 * bytes, swapped, reordered and foreign entries, also when the attacker recomputes the plain
 * checksum and even the MAC. A damaged file is never written over.
 */
class TamperTest {
    private static final Pattern ENTRY = Pattern.compile("\\{\"id\":\"([A-Za-z0-9_-]+)\",\"data\":\"([A-Za-z0-9+/=]+)\"}");
    @TempDir
    Path tmp;

    private static void requireProtection(String protection) {
        if ("systemd-creds".equals(protection)) {
            Prerequisites.requireProgram("systemd-creds");
            String why = SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(System.getenv()));
            Prerequisites.require(why == null, "systemd-creds usable by this user (" + why + ")");
        }
    }

    /** A store with {@code n} entries under {@code root}; returns its file's bytes. */
    private static byte[] makeStore(Path root, String protection, int n) {
        try (EncryptedFileStore s = Fixtures.open(root, protection)) {
            for (int i = 0; i < n; i++) s.set("svc" + i % 3, "acct" + i, Secret.of("secret-" + i));
            s.compact(); // every entry in the store file (the journal's records are JournalTest's)
        }
        return Fixtures.read(Fixtures.storeFile(root));
    }

    /** Opens the tampered file and expects corruption from a read, a list and a write, and no write over it. */
    private static StoreCorruptedException expectCorrupted(Path root, String protection, byte[] tampered, boolean tryWrite) throws Exception {
        Path file = Fixtures.storeFile(root);
        Files.write(file, tampered);
        try (EncryptedFileStore s = Fixtures.open(root, protection)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("svc0", "acct0"));
            assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
            assertTrue(e.getMessage().contains("#corrupted"), e.getMessage());
            assertThrows(StoreCorruptedException.class, s::list);
            if (tryWrite) {
                assertThrows(StoreCorruptedException.class, () -> s.set("svc0", "new", Secret.of("x")));
                assertThrows(StoreCorruptedException.class, () -> s.delete("svc0", "acct0"));
                assertArrayEquals(tampered, Files.readAllBytes(file), "a damaged file is never written over");
            }
            return e;
        }
    }

    /**
     * A file resealed with the real MAC key (only a holder of the keys can write one): its
     * checksum and MAC verify at open, and entries are decrypted lazily, so an entry that does not
     * belong to its id is refused when it is touched. No read returns a wrong secret (every name
     * of {@link #makeStore} reads its own secret or is refused), a list (which touches every
     * entry) is refused, and so is a compaction (which touches every entry), without writing
     * over the file. Returns the list's exception.
     */
    private static StoreCorruptedException expectCorruptedWhenTouched(Path root, byte[] tampered) throws Exception {
        Path file = Fixtures.storeFile(root);
        Files.write(file, tampered);
        // the journal names the MAC of the file it continues, which a reseal changes: without it, only the entries can object
        Path journal = file.resolveSibling(file.getFileName() + ".journal");
        Path saved = journal.resolveSibling("journal.saved");
        Files.move(journal, saved);
        try (EncryptedFileStore s = Fixtures.open(root, "keyfile")) {
            for (int i = 0; i < 4; i++) {
                try {
                    java.util.Optional<Secret> got = s.get("svc" + i % 3, "acct" + i);
                    int at = i;
                    got.ifPresent(v -> assertEquals("secret-" + at, v.asString(), "a read returns its own secret or is refused"));
                } catch (StoreCorruptedException refused) {
                    assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
                }
            }
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, s::list);
            assertTrue(e.getMessage().contains(file.toString()), "the message names the file: " + e.getMessage());
            assertThrows(StoreCorruptedException.class, s::compact, "a compaction opens every entry");
            assertArrayEquals(tampered, Files.readAllBytes(file), "a damaged file is never written over");
            return e;
        } finally {
            Files.move(saved, journal, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"keyfile", "passphrase", "systemd-creds"})
    void everyFlippedByteIsDetected(String protection) throws Exception {
        requireProtection(protection);
        Path root = tmp.resolve(protection);
        byte[] good = makeStore(root, protection, 3);
        int checked = 0;
        for (int i = 0; i < good.length; i++) {
            for (int mask : new int[] {0x01, 0x20, 0x80}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) mask;
                expectCorrupted(root, protection, bad, i % 97 == 0 && mask == 0x01);
                checked++;
            }
        }
        assertEquals(good.length * 3, checked);
        Files.write(Fixtures.storeFile(root), good);
        try (EncryptedFileStore s = Fixtures.open(root, protection)) {
            assertEquals("secret-0", s.get("svc0", "acct0").orElseThrow().asString(), "the untouched file still opens");
        }
    }

    @Test
    void sampledFlipsInALargerStoreAreDetected() throws Exception {
        Path root = tmp.resolve("large");
        byte[] good = makeStore(root, "keyfile", 300);
        SplittableRandom r = new SplittableRandom(20261123L);
        for (int k = 0; k < 500; k++) {
            int pos = r.nextInt(good.length);
            byte[] bad = good.clone();
            bad[pos] ^= (byte) (1 + r.nextInt(255));
            expectCorrupted(root, "keyfile", bad, k % 100 == 0);
        }
    }

    @Test
    void truncationAndAppendedBytesAreDetected() throws Exception {
        Path root = tmp.resolve("trunc");
        byte[] good = makeStore(root, "keyfile", 3);
        for (int len = 0; len < good.length; len++) {
            expectCorrupted(root, "keyfile", java.util.Arrays.copyOf(good, len), len % 200 == 0);
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        longer[good.length] = '\n';
        expectCorrupted(root, "keyfile", longer, true);
        StoreCorruptedException empty = expectCorrupted(root, "keyfile", new byte[0], true);
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }

    /**
     * An attacker who recomputes the plain SHA-256 after a flip: the keyed checks catch it. A flip in
     * the header's file id or check value then makes the key file "not match": reported as
     * {@link LockedException} (the documented rule), never as success.
     */
    @Test
    void flipsWithARecomputedChecksumAreDetectedByTheKeyedChecks() throws Exception {
        Path root = tmp.resolve("resum");
        byte[] good = makeStore(root, "keyfile", 3);
        String text = Tamper.ascii(good);
        int headerEnd = text.indexOf(",\"keyset\":");
        int bodyEnd = good.length - Tamper.TRAILER + ",\"mac\":\"".length() + 74; // flips inside the mac too
        int locked = 0;
        for (int i = 0; i < bodyEnd; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            bad = Tamper.rechecksum(bad);
            Files.write(Fixtures.storeFile(root), bad);
            try (EncryptedFileStore s = Fixtures.open(root, "keyfile")) {
                KeyringException e = assertThrows(KeyringException.class, () -> s.get("svc0", "acct0"), "flip at " + i);
                if (e instanceof LockedException) {
                    assertTrue(i < headerEnd, "only a changed header (file id, check value) can look like another store's key: flip at " + i);
                    locked++;
                } else {
                    assertInstanceOf(StoreCorruptedException.class, e, "flip at " + i + ": " + e);
                }
            }
        }
        assertTrue(locked <= 2 * (32 + 64), "Locked only for the fileId and check hex digits: " + locked);
    }

    private static List<Matcher> entries(String text) {
        List<Matcher> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) out.add(ENTRY.matcher(text).region(m.start(), text.length()));
        out.forEach(Matcher::find);
        return out;
    }

    @Test
    void swappedCiphertextsAreDetectedAtEveryLayer() throws Exception {
        Path root = tmp.resolve("swap");
        byte[] good = makeStore(root, "keyfile", 4);
        Keys keys = Tamper.keysOf(good, Fixtures.keyfile(root));
        String body = Tamper.ascii(Tamper.body(good));
        List<Matcher> es = entries(body);
        assertTrue(es.size() >= 2);
        Matcher a = es.get(0);
        Matcher b = es.get(1);
        // swap the two data fields, keep the ids
        String swapped = body.substring(0, a.start(2)) + b.group(2) + body.substring(a.end(2), b.start(2)) + a.group(2) + body.substring(b.end(2));
        assertTamperDetectedAtEveryLayer(root, good, swapped, keys, "an entry does not decrypt");
    }

    @Test
    void reorderedEntriesAreDetectedAtEveryLayer() throws Exception {
        Path root = tmp.resolve("reorder");
        byte[] good = makeStore(root, "keyfile", 4);
        Keys keys = Tamper.keysOf(good, Fixtures.keyfile(root));
        String body = Tamper.ascii(Tamper.body(good));
        List<Matcher> es = entries(body);
        Matcher a = es.get(0);
        Matcher b = es.get(1);
        String reordered = body.substring(0, a.start()) + b.group() + "," + a.group() + body.substring(b.end());
        assertTamperDetectedAtEveryLayer(root, good, reordered, keys, "out of order");
    }

    @Test
    void anEntryCopiedFromAnotherStoreIsDetected() throws Exception {
        Path rootA = tmp.resolve("a");
        Path rootB = tmp.resolve("b");
        byte[] good = makeStore(rootA, "keyfile", 2);
        byte[] other = makeStore(rootB, "keyfile", 2);
        Keys keysA = Tamper.keysOf(good, Fixtures.keyfile(rootA));
        String body = Tamper.ascii(Tamper.body(good));
        Matcher foreign = entries(Tamper.ascii(Tamper.body(other))).get(0);
        // insert it where it sorts, so that only the cryptography can object
        List<Matcher> es = entries(body);
        int at = body.indexOf("\"entries\":[") + "\"entries\":[".length();
        for (Matcher m : es) {
            if (m.group(1).compareTo(foreign.group(1)) < 0) at = m.end() + 1;
        }
        String withForeign = at >= body.length() - 1
                ? body.substring(0, body.length() - 1) + "," + foreign.group() + "]"
                : body.substring(0, at) + foreign.group() + "," + body.substring(at);
        assertTamperDetectedAtEveryLayer(rootA, good, withForeign, keysA, "an entry does not decrypt");
    }

    @Test
    void anEntryIsBoundToItsFileId() throws Exception {
        Keys keys = Keys.generate();
        byte[] fileA = new byte[16];
        byte[] fileB = new byte[16];
        fileB[0] = 1;
        Entry e = Entry.seal(keys, fileA, new dev.keyring4j.CredentialId("s", "a"), new byte[] {1, 2, 3}, 1, 0);
        assertNotNull(Entry.open(keys, fileA, e.id, e.ciphertext(), e.ciphertextText));
        assertThrows(java.security.GeneralSecurityException.class, () -> Entry.open(keys, fileB, e.id, e.ciphertext(), e.ciphertextText),
                "the same keys under another file id refuse the entry");
    }

    /** The raw edit, the edit with the checksum recomputed, and the edit resealed with the right MAC key: all refused. */
    private static void assertTamperDetectedAtEveryLayer(Path root, byte[] good, String editedBody, Keys keys, String innermost) throws Exception {
        byte[] trailer = java.util.Arrays.copyOfRange(good, good.length - Tamper.TRAILER, good.length);
        byte[] raw = (editedBody + Tamper.ascii(trailer)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(expectCorrupted(root, "keyfile", raw, true).getMessage().contains("checksum"));
        assertTrue(expectCorrupted(root, "keyfile", Tamper.rechecksum(raw), true).getMessage().contains("MAC"));
        StoreCorruptedException inner = expectCorruptedWhenTouched(root, Tamper.reseal(Tamper.ascii(editedBody), keys));
        assertTrue(inner.getMessage().contains(innermost), inner.getMessage());
        Files.write(Fixtures.storeFile(root), good);
        try (EncryptedFileStore s = Fixtures.open(root, "keyfile")) {
            if (s.list().isEmpty()) fail("the original opens again");
        }
    }
}
