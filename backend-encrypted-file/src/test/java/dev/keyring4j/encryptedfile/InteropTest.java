package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import dev.keyring4j.support.SystemdCredsRunner;
import dev.keyring4j.testkit.Prerequisites;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stores written here open in a second JVM; wrong keys are LockedException, never corruption. */
class InteropTest {
    @TempDir
    Path tmp;

    private static String readBack(Path root, String protection, String... passphrase) throws Exception {
        List<String> args = new ArrayList<>(List.of(root.toString(), protection, "interop.example", "alice"));
        args.addAll(List.of(passphrase));
        Process p = Fixtures.childJvm(ReadBack.class, args.toArray(String[]::new)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = in.readLine();
        }
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        return out;
    }

    private static void write(Path root, String protection) {
        try (EncryptedFileStore s = Fixtures.open(root, protection)) {
            s.set("interop.example", "alice", Secret.of("sealed ✓"));
        }
    }

    @Test
    void aSystemdCredsStoreOpensInASecondJvm() throws Exception {
        Prerequisites.requireProgram("systemd-creds");
        String why = SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(System.getenv()));
        Prerequisites.require(why == null, "systemd-creds usable by this user (" + why + ")");
        write(tmp, "systemd-creds");
        String text = Files.readString(Fixtures.storeFile(tmp));
        assertTrue(text.contains("\"kind\":\"systemd-creds\""), text);
        assertEquals("VALUE sealed ✓", readBack(tmp, "systemd-creds"));

        // the sealed key is bound to its file's credential name: systemd-creds itself refuses another name
        StoreFile.Parsed p = StoreFile.parse(Files.readAllBytes(Fixtures.storeFile(tmp)));
        SystemdCredsRunner runner = new SystemdCredsRunner(SystemdCredsRunner.find(System.getenv()).toString(), java.time.Duration.ofSeconds(10),
                new SystemdCredsRunner.Hints(null, null, null));
        dev.keyring4j.KeyringException f = assertThrows(dev.keyring4j.KeyringException.class, () -> runner.decrypt(
                "keyring4j-00000000000000000000000000000000", p.header().sealed().getBytes(StandardCharsets.US_ASCII), 1 << 20, "the test"));
        assertTrue(f.getMessage().contains("failed"), f.getMessage());
    }

    @Test
    void aPassphraseStoreOpensWithTheRightPassphraseOnlyAndAWrongOneIsLocked() throws Exception {
        write(tmp, "passphrase");
        assertEquals("VALUE sealed ✓", readBack(tmp, "passphrase"));
        String wrong = readBack(tmp, "passphrase", "not the passphrase");
        assertTrue(wrong.startsWith("LOCKED ") && wrong.contains("wrong passphrase"), wrong);
        assertFalse(wrong.contains("not the passphrase"), "the message never shows the passphrase");
        assertTrue(readBack(tmp, "keyfile").startsWith("ERROR "), "a contradicting protection setting is an error");
    }

    @Test
    void aPassphraseProviderIsAskedOnCreateAndUnlockAndNullMeansLocked() {
        List<PassphraseProvider.Purpose> asked = new ArrayList<>();
        PassphraseProvider provider = (store, purpose) -> {
            asked.add(purpose);
            return "from the provider".toCharArray();
        };
        KeyringConfig config = KeyringConfig.builder().backend("encrypted-file").set("encrypted-file.protection", "passphrase")
                .environment(Fixtures.env(tmp)).systemProperties(Map.of())
                .userFile(tmp.resolve("none.properties")).systemFile(tmp.resolve("none2.properties"))
                .component(PassphraseProvider.class, provider).build();
        try (CredentialStore s = Keyring.open(config)) {
            assertTrue(s.unwrap(EncryptedFileStore.class).isPresent(), "the opened store unwraps to the encrypted file store: " + s);
            s.set("svc", "acct", Secret.of("v"));
            assertEquals("v", s.get("svc", "acct").orElseThrow().asString());
        }
        try (CredentialStore s = Keyring.open(config)) {
            assertEquals("v", s.get("svc", "acct").orElseThrow().asString());
        }
        assertEquals(List.of(PassphraseProvider.Purpose.CREATE, PassphraseProvider.Purpose.UNLOCK), asked);

        KeyringConfig none = config.toBuilder().component(PassphraseProvider.class, (store, purpose) -> null).build();
        try (CredentialStore s = Keyring.open(none)) {
            LockedException e = assertThrows(LockedException.class, () -> s.get("svc", "acct"));
            assertTrue(e.getMessage().contains("KEYRING4J_PASSPHRASE"), e.getMessage());
        }
    }

    @Test
    void aMissingOrForeignKeyFileIsLockedNotCorrupted() throws Exception {
        write(tmp, "keyfile");
        Path key = Fixtures.keyfile(tmp);
        byte[] original = Files.readAllBytes(key);
        Files.move(key, key.resolveSibling("moved"));
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            LockedException e = assertThrows(LockedException.class, () -> s.get("interop.example", "alice"));
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
        Path other = tmp.resolve("other");
        write(other, "keyfile");
        Files.copy(Fixtures.keyfile(other), key);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            LockedException e = assertThrows(LockedException.class, () -> s.get("interop.example", "alice"));
            assertTrue(e.getMessage().contains("another store"), e.getMessage());
        }
        Files.write(key, original);
        assertEquals("VALUE sealed ✓", readBack(tmp, "keyfile"));
    }
}
