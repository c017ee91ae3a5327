package dev.keyring4j.secretservice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Prerequisites;
import dev.keyring4j.testkit.SecretServiceFixture;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The session: encrypted by default, proven on the wire with dbus-monitor; plain only when configured. */
class SecretServiceSessionTest {
    private static SecretServiceFixture fixture;

    @BeforeAll
    static void startKeyring() {
        fixture = SecretServiceFixture.start();
    }

    @AfterAll
    static void stopKeyring() {
        if (fixture != null) fixture.close();
    }

    private static SecretServiceStore open(Map<String, String> settings) {
        return Open.store(fixture.environment(), settings);
    }

    @Test
    void theDefaultSessionIsTheEncryptedAlgorithm() {
        try (SecretServiceStore s = open(Map.of())) {
            assertEquals("dh-ietf1024-sha256-aes128-cbc-pkcs7", StoreHooks.sessionAlgorithm(s));
            assertTrue(StoreHooks.sessionPath(s).startsWith("/org/freedesktop/secrets/session/"), StoreHooks.sessionPath(s));
            assertEquals("/org/freedesktop/secrets/collection/login", StoreHooks.collectionPath(s));
        }
    }

    @Test
    void plainOnlyWhenConfigured() {
        try (SecretServiceStore s = open(Map.of("session", "plain"))) {
            assertEquals("plain", StoreHooks.sessionAlgorithm(s));
            s.set("session.plain", "alice", Secret.of("plain works"));
            assertEquals("plain works", s.get("session.plain", "alice").orElseThrow().asString());
            assertTrue(s.delete("session.plain", "alice"));
        }
        KeyringException e = assertThrows(KeyringException.class, () -> open(Map.of("session", "rot13")));
        assertTrue(e.getMessage().contains("secret-service.session"), e.getMessage());
        assertFalse(e.getMessage().contains("rot13"), "config values may be sensitive and are not echoed");
    }

    /**
     * dbus-monitor on the private bus sees every message; with the default session the secret is
     * never on the wire in clear, and the same run with {@code plain} shows it (so the monitor
     * really was watching).
     */
    @Test
    void dbusMonitorSeesNoCleartextSecretWithTheDefaultSession() throws Exception {
        Prerequisites.requireProgram("dbus-monitor");
        String encrypted = watch(Map.of());
        String plain = watch(Map.of("session", "plain"));
        assertFalse(encrypted.isEmpty());
        assertTrue(plain.contains(CANARY_MARK), "control: with plain the monitor shows the secret\n" + tail(plain));
        assertFalse(encrypted.contains(CANARY_MARK), "the encrypted session must not show the secret\n" + tail(encrypted));
    }

    private static final String CANARY_MARK = "k4jcanary";

    /** Stores and reads a canary with a monitor running; returns what the monitor printed, with byte arrays also decoded. */
    private static String watch(Map<String, String> settings) throws Exception {
        Path out = Files.createTempFile(fixture.directory(), "monitor", ".txt");
        Process monitor = fixture.spawn(List.of("dbus-monitor", "--session"), out);
        try (SecretServiceStore s = open(settings)) {
            awaitContains(out, "NameAcquired", monitor);
            String canary = CANARY_MARK + UUID.randomUUID();
            s.set("session.canary", "bob", Secret.of(canary));
            assertEquals(canary, s.get("session.canary", "bob").orElseThrow().asString());
            s.delete("session.canary", "bob");
            // a marker call after the secret traffic: once the monitor printed it, it printed the rest
            String marker = "marker-" + UUID.randomUUID();
            s.get(marker, "x");
            awaitContains(out, marker, monitor);
        } finally {
            monitor.destroy();
            monitor.waitFor();
        }
        String text = Files.readString(out, StandardCharsets.ISO_8859_1);
        // dbus-monitor prints byte arrays as hex when they are not all printable: decode those too
        StringBuilder decoded = new StringBuilder(text);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("array of bytes \\[([0-9a-f \\n]*)\\]").matcher(text);
        while (m.find()) {
            String hex = m.group(1).replaceAll("\\s+", "");
            if (hex.length() % 2 == 0) decoded.append('\n').append(new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1));
        }
        return decoded.toString();
    }

    private static void awaitContains(Path file, String text, Process monitor) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(file, StandardCharsets.ISO_8859_1).contains(text)) return;
            if (!monitor.isAlive()) throw new AssertionError("dbus-monitor exited: " + Files.readString(file, StandardCharsets.ISO_8859_1));
            Thread.sleep(20);
        }
        throw new AssertionError("dbus-monitor never showed " + text);
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    @Test
    void hkdfMatchesRfc5869WithEmptySaltAndInfo() throws Exception {
        // RFC 5869 test case 3: IKM = 22 x 0x0b, salt and info empty
        byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte) 0x0b);
        byte[] okm = DhIetf1024Session.hkdfSha256(ikm, 16);
        assertArrayEquals(HexFormat.of().parseHex("8da4e775a563c18f715f802a063c5a31"), okm);
    }

    @Test
    void publicValuesAreUnsignedWithoutASignByte() {
        BigInteger highBit = BigInteger.ONE.shiftLeft(1023).add(BigInteger.valueOf(5));
        assertEquals(129, highBit.toByteArray().length, "Java adds a sign byte");
        byte[] u = DhIetf1024Session.unsigned(highBit);
        assertEquals(128, u.length);
        assertEquals(highBit, new BigInteger(1, u));
        byte[] ours = new DhIetf1024Session.Exchange().publicValue();
        assertTrue(ours.length <= 128 && ours[0] != 0, "our public value: at most 128 bytes, no leading zero");
        assertNotEquals(0, new BigInteger(1, ours).signum());
    }
}
