package dev.keyring4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void toStringNeverShowsContent() {
        Secret s = Secret.of("hunter2");
        assertFalse(s.toString().contains("hunter2"));
        assertFalse(new Credential("svc", "acct", s).toString().contains("hunter2"));
        assertEquals("Secret[redacted]", s.toString());
    }

    @Test
    void destroyWipesTheBytes() throws Exception {
        Secret s = Secret.of("hunter2");
        Field f = Secret.class.getDeclaredField("bytes");
        f.setAccessible(true);
        byte[] inside = (byte[]) f.get(s);
        s.destroy();
        assertTrue(s.isDestroyed());
        for (byte b : inside) assertEquals(0, b);
        assertThrows(IllegalStateException.class, s::asString);
        assertThrows(IllegalStateException.class, s::asBytes);
        assertEquals("Secret[destroyed]", s.toString());
    }

    @Test
    void closeDestroys() {
        Secret s = Secret.of("x");
        try (s) {
            assertEquals("x", s.asString());
        }
        assertTrue(s.isDestroyed());
    }

    @Test
    void factoriesAndAccessorsCopy() {
        byte[] in = {1, 2, 3};
        Secret s = Secret.of(in);
        in[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, s.asBytes());
        s.asBytes()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, s.asBytes());
    }

    @Test
    void charsAndStringsAreUtf8() {
        char[] chars = "päss 🔑".toCharArray();
        Secret s = Secret.of(chars);
        assertArrayEquals("päss 🔑".getBytes(StandardCharsets.UTF_8), s.asBytes());
        assertArrayEquals(chars, s.asChars());
        assertEquals("päss 🔑", s.asString());
        assertEquals("päss 🔑".getBytes(StandardCharsets.UTF_8).length, s.length());
    }

    @Test
    void equalsComparesContent() {
        assertEquals(Secret.of("abc"), Secret.of("abc".getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(Secret.of("abc"), Secret.of("abd"));
        assertNotEquals(Secret.of("abc"), Secret.of("abcd"));
        assertEquals(Secret.of("abc").hashCode(), Secret.of("xyz").hashCode(), "the hash reveals only the length");
    }

    @Test
    void equalsUsesTheConstantTimeComparison() throws Exception {
        // MessageDigest.isEqual is the JDK's constant-time comparison; equals must delegate to it
        // rather than Arrays.equals, which returns at the first differing byte.
        String source = new String(Secret.class.getResourceAsStream("Secret.class").readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(source.contains("java/security/MessageDigest") && source.contains("isEqual"), "Secret.equals calls MessageDigest.isEqual");
    }

    @Test
    void exceptionsEndWithTheirTroubleshootingLink() {
        assertTrue(new LockedException("x").getMessage().endsWith("(see docs/troubleshooting.md#locked)"));
        assertEquals("quota", new QuotaExceededException("x").troubleshootingAnchor());
        assertTrue(new KeyringException("x").getMessage().endsWith("(see docs/troubleshooting.md#store-error)"));
    }

    @Test
    void credentialIdRefusesEmptyNames() {
        assertThrows(IllegalArgumentException.class, () -> new CredentialId("", "a"));
        assertThrows(IllegalArgumentException.class, () -> new CredentialId("a", ""));
        assertThrows(NullPointerException.class, () -> new CredentialId(null, "a"));
    }
}
