package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.ProtectionKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialId;
import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expiry, rotation, passphrase change, backups, the format, and seeing other writers. */
class LifecycleTest {
    @TempDir
    Path tmp;

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private EncryptedFileStore open(Clock clock, String protection) {
        StoreSettings s = StoreSettings.from(Fixtures.config(tmp, protection), clock);
        return new EncryptedFileStore(s, ProtectionKind.KEYFILE);
    }

    private static int entryCount(Path file) throws Exception {
        Matcher m = Pattern.compile("\\{\"id\":").matcher(Files.readString(file));
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void expiredEntriesReadAsAbsentAndArePurgedOnTheNextWrite() throws Exception {
        ManualClock clock = new ManualClock();
        try (EncryptedFileStore s = open(clock, "keyfile")) {
            s.set("oauth", "alice", Secret.of("token"), Duration.ofMinutes(5));
            s.set("oauth", "bob", Secret.of("long-lived"));
            s.compact();
            assertEquals("token", s.get("oauth", "alice").orElseThrow().asString());
            clock.millis.addAndGet(Duration.ofMinutes(5).toMillis() - 1);
            assertTrue(s.get("oauth", "alice").isPresent(), "not yet expired");
            clock.millis.addAndGet(1);
            assertTrue(s.get("oauth", "alice").isEmpty(), "expired reads as absent");
            assertEquals(List.of(new CredentialId("oauth", "bob")), s.list("oauth"));
            assertEquals(2, entryCount(s.path()), "still in the file until the next rewrite");
            s.set("other", "carol", Secret.of("x")); // journaled
            assertTrue(s.get("oauth", "alice").isEmpty());
            s.compact();
            assertEquals(2, entryCount(s.path()), "the rewrite purged the expired entry");
            assertFalse(s.delete("oauth", "alice"));
        }
        assertThrows(IllegalArgumentException.class, () -> open(new ManualClock(), "keyfile").set("a", "b", Secret.of("c"), Duration.ZERO));
    }

    @Test
    void setAllWritesManyCredentialsAtOnce() throws Exception {
        java.util.Map<CredentialId, Secret> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 500; i++) many.put(new CredentialId("bulk", "acct" + i), Secret.of("v" + i));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("bulk", "acct0", Secret.of("old"));
            s.setAll(many);
            assertEquals(500, s.list("bulk").size());
            assertEquals("v0", s.get("bulk", "acct0").orElseThrow().asString());
            assertEquals("v499", s.get("bulk", "acct499").orElseThrow().asString());
            java.util.Map<CredentialId, Secret> bad = new java.util.HashMap<>();
            bad.put(new CredentialId("bulk", "fine"), Secret.of("x"));
            bad.put(new CredentialId("bulk", "bad\uD800"), Secret.of("x"));
            assertThrows(IllegalArgumentException.class, () -> s.setAll(bad));
            assertTrue(s.get("bulk", "fine").isEmpty(), "nothing was written");
        }
    }

    @Test
    void anotherStoreInstanceSeesWritesAtOnce() {
        try (EncryptedFileStore a = Fixtures.open(tmp, "keyfile"); EncryptedFileStore b = Fixtures.open(tmp, "keyfile")) {
            assertTrue(b.get("svc", "acct").isEmpty());
            a.set("svc", "acct", Secret.of("from a"));
            assertEquals("from a", b.get("svc", "acct").orElseThrow().asString());
            b.set("svc", "acct", Secret.of("from b"));
            assertEquals("from b", a.get("svc", "acct").orElseThrow().asString());
            assertTrue(a.delete("svc", "acct"));
            assertTrue(b.get("svc", "acct").isEmpty());
        }
    }

    @Test
    void rotationReEncryptsEveryEntryUnderANewKey() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            for (int i = 0; i < 20; i++) s.set("svc", "acct" + i, Secret.of("v" + i));
            s.compact();
            String before = Files.readString(s.path());
            StoreFile.Parsed p1 = StoreFile.parse(Files.readAllBytes(s.path()));
            s.rotate();
            StoreFile.Parsed p2 = StoreFile.parse(Files.readAllBytes(s.path()));
            assertArrayEquals(p1.header().fileId(), p2.header().fileId(), "rotate keeps the file id");
            assertFalse(java.util.Arrays.equals(p1.header().check(), p2.header().check()), "a new master secret (a new key file): a new KEK");
            assertFalse(java.util.Arrays.equals(p1.keyset(), p2.keyset()), "the keyset changed");
            for (int i = 0; i < 20; i++) {
                assertNotEquals(-1, before.indexOf(p1.entries().get(i).ciphertextText()));
                assertEquals(-1, before.indexOf(p2.entries().get(i).ciphertextText()), "every ciphertext is new");
                assertEquals(-1, before.indexOf(p2.entries().get(i).id()), "every id is new (new PRF key)");
            }
            for (int i = 0; i < 20; i++) assertEquals("v" + i, s.get("svc", "acct" + i).orElseThrow().asString());
            assertArrayEquals(Files.readAllBytes(s.path()), Files.readAllBytes(s.path().resolveSibling("credentials.k4j.bak")),
                    "after a rotation the backup holds nothing under the old keys");
        }
        try (EncryptedFileStore fresh = Fixtures.open(tmp, "keyfile")) {
            assertEquals("v7", fresh.get("svc", "acct7").orElseThrow().asString(), "a new instance opens the rotated file");
        }
    }

    @Test
    void aStoreHeldOpenFollowsARotationByAnotherInstance() {
        try (EncryptedFileStore a = Fixtures.open(tmp, "keyfile"); EncryptedFileStore b = Fixtures.open(tmp, "keyfile")) {
            a.set("svc", "acct", Secret.of("v"));
            assertEquals("v", b.get("svc", "acct").orElseThrow().asString());
            a.rotate();
            assertEquals("v", b.get("svc", "acct").orElseThrow().asString());
            b.set("svc", "acct2", Secret.of("w"));
            assertEquals("w", a.get("svc", "acct2").orElseThrow().asString());
        }
    }

    @Test
    void changingThePassphraseReplacesTheKeysToo() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "passphrase")) {
            s.set("svc", "acct", Secret.of("kept"));
            StoreFile.Parsed p1 = StoreFile.parse(Files.readAllBytes(s.path()));
            s.changePassphrase("a new passphrase".toCharArray());
            StoreFile.Parsed p2 = StoreFile.parse(Files.readAllBytes(s.path()));
            assertFalse(java.util.Arrays.equals(p1.header().salt(), p2.header().salt()), "a new salt");
            assertNotEquals(p1.entries().get(0).ciphertextText(), p2.entries().get(0).ciphertextText(), "entries are re-encrypted under new keys");
            assertEquals("kept", s.get("svc", "acct").orElseThrow().asString());
        }
        try (EncryptedFileStore old = Fixtures.open(tmp, "passphrase")) {
            LockedException e = assertThrows(LockedException.class, () -> old.get("svc", "acct"));
            assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
        }
        var env = Fixtures.env(tmp);
        env.put(StoreSettings.PASSPHRASE_ENV, "a new passphrase");
        var config = dev.keyring4j.spi.BackendConfig.of(EncryptedFileProvider.ID, java.util.Map.of("protection", "passphrase"), env);
        try (var s = Fixtures.open(config)) {
            assertEquals("kept", s.get("svc", "acct").orElseThrow().asString());
        }
        try (EncryptedFileStore k = Fixtures.open(tmp.resolve("k"), "keyfile")) {
            k.set("a", "b", Secret.of("c"));
            assertThrows(IllegalStateException.class, () -> k.changePassphrase("x".toCharArray()));
        }
    }

    @Test
    void theBackupHoldsTheLastGoodStateAndIsNamedWhenTheFileIsDamaged() throws Exception {
        Path file;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("first"));
            s.set("svc", "acct", Secret.of("second"));
            s.compact(); // the backup keeps the file of before the rewrite
            file = s.path();
        }
        Path bak = file.resolveSibling("credentials.k4j.bak");
        byte[] bad = Files.readAllBytes(file);
        bad[bad.length / 2] ^= 1;
        Files.write(file, bad);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> s.get("svc", "acct"));
            assertTrue(e.getMessage().contains(bak.toString()), e.getMessage());
        }
        Files.copy(bak, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // the backup is one generation older: restoring it is a deliberate rollback
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "accept-rollback", "true")) {
            assertEquals("first", s.get("svc", "acct").orElseThrow().asString(), "the backup is the state before the last rewrite");
        }
    }

    @Test
    void theFileRevealsNoNamesAndNoSecrets() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("very-visible-service", "very-visible-account", Secret.of("very-visible-secret"));
            s.set("very-visible-service2", "very-visible-account2", Secret.of("very-visible-secret2")); // journaled
            String text = Files.readString(s.path());
            assertFalse(text.contains("very-visible"), text);
            assertTrue(text.startsWith("{\"format\":\"keyring4j-file/4\",\"fileId\":\""), text);
            byte[] journal = Files.readAllBytes(s.path().resolveSibling("credentials.k4j.journal"));
            assertTrue(journal.length > Journal.HEADER_BYTES, "the second set is in the journal");
            assertFalse(new String(journal, java.nio.charset.StandardCharsets.ISO_8859_1).contains("very-visible"), "the journal reveals nothing either");
            assertTrue(text.endsWith("\"}\n"));
            assertFalse(s.toString().contains("secret"));
        }
    }

    @Test
    void namesUtf8CannotHoldAreRefusedBeforeWriting() {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertThrows(IllegalArgumentException.class, () -> s.set("bad\uD800", "acct", Secret.of("x")));
            assertThrows(IllegalArgumentException.class, () -> s.get("svc", "\uDC00"));
            assertFalse(Files.exists(s.path()), "nothing was written");
        }
    }

    @Test
    void aConfiguredProtectionThatContradictsTheFileIsAnError() {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("a", "b", Secret.of("c"));
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "passphrase")) {
            var e = assertThrows(dev.keyring4j.KeyringException.class, () -> s.get("a", "b"));
            assertTrue(e.getMessage().contains("protected by keyfile"), e.getMessage());
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, null)) {
            assertEquals("c", s.get("a", "b").orElseThrow().asString(), "without a setting, the file's protection is used");
        }
    }
}
