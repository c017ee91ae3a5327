package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries are decrypted when first used, not at open. What that must not lose: a flipped byte
 * anywhere is still refused at open (checksum and MAC cover every byte: {@link TamperTest}); an
 * entry whose ciphertext was changed and the file resealed with the real MAC key (only a holder of
 * the keys can) is refused by the get that reads it, by list and by a compaction, while the
 * other entries still read.
 */
class LazyEntryTest {
    @TempDir
    Path tmp;

    @Test
    void aChangedEntryUnderAValidMacIsRefusedWhenTouched() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            for (int i = 0; i < 5; i++) s.set("svc", "acct" + i, Secret.of("secret-" + i));
            s.compact();
        }
        Path file = Fixtures.storeFile(tmp);
        byte[] good = Files.readAllBytes(file);
        Keys keys = Tamper.keysOf(good, Fixtures.keyfile(tmp));
        String id = Entry.idText(keys.entryId("svc".getBytes(StandardCharsets.UTF_8), "acct2".getBytes(StandardCharsets.UTF_8)));
        String body = Tamper.ascii(Tamper.body(good));
        int data = body.indexOf("{\"id\":\"" + id + "\",\"data\":\"");
        assertTrue(data > 0, "the entry is in the file");
        int at = data + ("{\"id\":\"" + id + "\",\"data\":\"").length() + 10; // inside the ciphertext, canonical base64 either way
        char c = body.charAt(at);
        String edited = body.substring(0, at) + (c == 'A' ? 'B' : 'A') + body.substring(at + 1);
        byte[] tampered = Tamper.reseal(Tamper.ascii(edited), keys);
        Files.write(file, tampered);
        // the journal names the MAC of the file it continues, which the reseal changed: without it, only the entry can object
        Files.delete(file.resolveSibling(file.getFileName() + ".journal"));

        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("secret-0", s.get("svc", "acct0").orElseThrow().asString(), "an untouched entry reads");
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("svc", "acct2"));
            assertTrue(e.getMessage().contains("an entry does not decrypt"), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertThrows(StoreCorruptedException.class, () -> s.get("svc", "acct2"), "and again");
            assertThrows(StoreCorruptedException.class, s::list);
            assertThrows(StoreCorruptedException.class, () -> s.delete("svc", "acct2"), "a delete reads the entry's expiry");
            assertThrows(StoreCorruptedException.class, s::compact, "a compaction opens every entry");
            assertThrows(StoreCorruptedException.class, s::rotate, "a rotation opens every entry");
        }
        assertArrayEquals(tampered, Files.readAllBytes(file), "nothing was written over it");
    }

    @Test
    void entriesOpenedLazilyReadListAndSurviveACompaction() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            for (int i = 0; i < 300; i++) s.set("svc" + i % 7, "acct" + i, Secret.of("secret-" + i)); // one compaction on the way
        }
        byte[] before = Files.readAllBytes(Fixtures.storeFile(tmp));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("secret-123", s.get("svc4", "acct123").orElseThrow().asString());
            s.compact(); // opens every entry not yet opened, copies every ciphertext
            assertNotEquals(Tamper.ascii(before), Tamper.ascii(Files.readAllBytes(Fixtures.storeFile(tmp))));
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals(300, s.list().size());
            for (int i = 0; i < 300; i += 37) assertEquals("secret-" + i, s.get("svc" + i % 7, "acct" + i).orElseThrow().asString());
        }
    }
}
