package dev.keyring4j.systemdcreds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialId;
import dev.keyring4j.testkit.Gens;
import dev.keyring4j.testkit.PropertyCheck;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The name mapping: the documented examples, injectivity, systemd's name rules, and the raw-name gate. */
class CredentialNameTest {

    /** The table in docs/backends/systemd-creds.md, row by row. */
    @Test
    void documentedExamples() {
        assertEquals("myapp.db", SystemdCredentials.credentialName("myapp", "db"));
        assertEquals("github%2Ecom.alice", SystemdCredentials.credentialName("github.com", "alice"));
        assertEquals("https%3A%2F%2Fgit%2Eexample%2Ecom%3A443%2Forg.user@example%2Ecom",
                SystemdCredentials.credentialName("https://git.example.com:443/org", "user@example.com"));
        assertEquals("a%20b.c%25d", SystemdCredentials.credentialName("a b", "c%d"));
        assertEquals("Gr%C3%BC%C3%9Fe.%F0%9F%94%91", SystemdCredentials.credentialName("Grüße", "🔑"));
        assertEquals("svc.%63red", SystemdCredentials.credentialName("svc", "cred"));
        assertEquals("svc.Cred", SystemdCredentials.credentialName("svc", "Cred"));
        assertEquals("user+tag@x=1,y~z.k-_", SystemdCredentials.credentialName("user+tag@x=1,y~z", "k-_"));
        assertEquals("github_token", CredentialName.ofService("github_token"));
        assertEquals("LoadCredential=github%%2Ecom.alice", "LoadCredential=" + CredentialName.inUnitFile("github%2Ecom.alice"));
    }

    @Test
    void parseReversesTheDocumentedExamples() {
        assertEquals(Optional.of(new CredentialId("github.com", "alice")), CredentialName.parse("github%2Ecom.alice"));
        assertEquals(Optional.of(new CredentialId("svc", "cred")), CredentialName.parse("svc.%63red"));
        assertEquals(Optional.of("github_token"), CredentialName.parseService("github_token"));
    }

    @Test
    void nonCanonicalNamesAreNotParsed() {
        for (String name : new String[] {
            "github%2ecom.alice", // lowercase hex: get() would never read it
            "a%2.b", "a%.b", "a%G0.b", // broken escapes
            "svc.cred", // the reserved spelling of the account "cred"
            "a.b.c", ".b", "a.", "..data", // not exactly two non-empty parts
            "a%41.b", // an escaped letter
            "a b.c", "a:b.c", "é.x", // characters that must be escaped
            "a%C3.b", // invalid UTF-8
        }) {
            assertEquals(Optional.empty(), CredentialName.parse(name), name);
        }
        assertEquals(Optional.empty(), CredentialName.parseService("a.b"));
        assertEquals(Optional.empty(), CredentialName.parseService("a%2e"));
    }

    @Test
    void propertyNamesRoundTripAndObeySystemdRules() {
        PropertyCheck.forAll("escaped names round-trip and are valid systemd credential names", 1000, Gens.ids(), id -> {
            String name;
            try {
                name = CredentialName.of(id.service(), id.account());
            } catch (IllegalArgumentException tooLong) {
                assertTrue(tooLong.getMessage().contains("255"), tooLong.getMessage());
                return;
            }
            assertEquals(Optional.of(id), CredentialName.parse(name), "parse(of(id)) for " + name);
            assertValidSystemdName(name);
            assertFalse(name.endsWith(CredentialName.ENCRYPTED_SUFFIX), "no mapped name ends in .cred: " + name);
            assertEquals(name, CredentialName.requireSafe(name));
            assertEquals(1, name.chars().filter(c -> c == '.').count(), "exactly one dot separates the parts: " + name);
            String own = CredentialName.ofService(id.service());
            assertFalse(own.contains("."), "a service's own credential has no dot, so it never equals a two-part name: " + own);
            assertEquals(Optional.of(id.service()), CredentialName.parseService(own));
            assertValidSystemdName(own);
        });
    }

    @Test
    void propertyDistinctIdsGetDistinctNames() {
        Map<String, CredentialId> seen = new HashMap<>();
        PropertyCheck.forAll("the mapping is injective", 2000, Gens.ids(), id -> {
            String name;
            try {
                name = CredentialName.of(id.service(), id.account());
            } catch (IllegalArgumentException tooLong) {
                return;
            }
            CredentialId earlier = seen.putIfAbsent(name, id);
            assertTrue(earlier == null || earlier.equals(id), () -> earlier + " and " + id + " both map to " + name);
        });
    }

    /** systemd: a valid file name (no '/', not '.'/'..', at most 255 bytes) and fd name (printable ASCII, no ':'). */
    private static void assertValidSystemdName(String name) {
        assertFalse(name.isEmpty());
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255, name);
        assertFalse(name.equals(".") || name.equals(".."), name);
        for (char c : name.toCharArray()) {
            assertTrue(c > ' ' && c <= '~' && c != '/' && c != ':', () -> "character " + (int) c + " in " + name);
        }
    }

    @Test
    void namesTooLongAfterEscapingAreRefused() {
        assertEquals(254, SystemdCredentials.credentialName("é".repeat(42), "x").length()); // 84 bytes, 252 escaped, + ".x"
        String service = "é".repeat(43); // 86 bytes, 258 escaped: the unescaped name would fit, the escaped one does not
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemdCredentials.credentialName(service, "x"));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
        assertEquals(253, SystemdCredentials.credentialName("a".repeat(251), "x").length());
        assertEquals(255, SystemdCredentials.credentialName("a".repeat(253), "x").length());
        assertThrows(IllegalArgumentException.class, () -> SystemdCredentials.credentialName("a".repeat(254), "x"));
    }

    @Test
    void emptyNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SystemdCredentials.credentialName("", "x"));
        assertThrows(IllegalArgumentException.class, () -> SystemdCredentials.credentialName("x", ""));
        assertThrows(IllegalArgumentException.class, () -> CredentialName.ofService(""));
    }

    @Test
    void rawNamesThatCouldLeaveTheDirectoryAreRefused() {
        assertRefused("../etc/passwd", "'/'");
        assertRefused("/etc/passwd", "'/'");
        assertRefused("a/b", "'/'");
        assertRefused(".", "directory");
        assertRefused("..", "directory");
        assertRefused("a\0b", "NUL");
        assertRefused("x".repeat(256), "255");
        assertRefused("é".repeat(128), "255"); // 256 bytes in 128 characters
        assertRefused("", "empty");
        assertEquals("x".repeat(255), CredentialName.requireSafe("x".repeat(255)));
        assertEquals("..data", CredentialName.requireSafe("..data"));
    }

    private static void assertRefused(String raw, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CredentialName.requireSafe(raw));
        assertTrue(e.getMessage().contains(reason), () -> "message for " + CredentialName.printable(raw) + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\0"), "a NUL is shown escaped, not raw");
    }

    /** Found by CredentialNameFuzzTest: an unpaired surrogate became '?' in UTF-8, so "\uD800" and "?" shared one credential. */
    @Test
    void anUnpairedSurrogateIsRefusedNotTurnedIntoAQuestionMark() {
        assertThrows(IllegalArgumentException.class, () -> CredentialName.of("svc\uD800", "a"));
        assertThrows(IllegalArgumentException.class, () -> CredentialName.of("svc", "\uDC00"));
        assertThrows(IllegalArgumentException.class, () -> CredentialName.ofService("\uD800x"));
        assertEquals("svc%3F.a", CredentialName.of("svc?", "a"));
        assertEquals(Optional.of(new CredentialId("\uD83D\uDD11", "a")), CredentialName.parse(CredentialName.of("\uD83D\uDD11", "a")));
    }

    /** parse() is documented to answer empty for a name no mapping gives; a long one made of() throw. */
    @Test
    void parseOfANameLongerThanSystemdAllowsIsEmpty() {
        assertEquals(Optional.empty(), CredentialName.parse("a".repeat(200) + "." + "b".repeat(200)));
    }
}
