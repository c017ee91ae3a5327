package dev.keyring4j.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The SERVICE/ACCOUNT payload: the documented escape, round trips, and refusals that say how to write it. */
class ReferenceTest {
    @Test
    void plainNames() {
        Reference r = Reference.parse("maven/private-repo");
        assertEquals("maven", r.service());
        assertEquals("private-repo", r.account());
        assertEquals("maven/private-repo", r.payload());
    }

    @Test
    void aSlashInsideANameIsPercent2F() {
        Reference r = Reference.parse("https:%2F%2Frepo.example.dev/ci%2Fbot");
        assertEquals("https://repo.example.dev", r.service());
        assertEquals("ci/bot", r.account());
        assertEquals("https:%2F%2Frepo.example.dev/ci%2Fbot", r.payload());
        assertEquals("a/b", Reference.parse("a%2fb/c").service(), "lower-case hex too");
    }

    @Test
    void roundTripsNamesThatMavensParsingWouldCut() {
        for (String name : List.of("100%", "a}b", "{x}", "[a]=b,c", " lead", "trail ", "tab\tx", "ünï/cødé", "𝄞 music", "$HOME", "%2F", "a&b", "<x>", "q\"uote", "it's", "ends\\")) {
            Reference r = Reference.of(name, name + "-acct");
            String payload = r.payload();
            assertEquals(1, payload.chars().filter(c -> c == '/').count(), payload);
            assertTrue(payload.chars().noneMatch(c -> "{}[],= \t$&<>\"'\\".indexOf(c) >= 0), payload);
            assertEquals(r, Reference.parse(payload), payload);
        }
    }

    @Test
    void theVectorsKeyring4jMavenPasswordPrints() {
        // the same vectors as cli's MavenPasswordCommandTest, which encodes them
        assertEquals(Reference.of("https://repo.example.dev:8443", "ci bot"), Reference.parse("https:%2F%2Frepo.example.dev:8443/ci%20bot"));
        assertEquals(Reference.of("100%{x}", "[a]=b,c$"), Reference.parse("100%25%7Bx%7D/%5Ba%5D%3Db%2Cc%24"));
        assertEquals(Reference.of("ünï", "cødé\t"), Reference.parse("ünï/cødé%09"));
        assertEquals(Reference.of("a&b<c>", "\"q'\\"), Reference.parse("a%26b%3Cc%3E/%22q%27%5C"));
        assertEquals("https:%2F%2Frepo.example.dev:8443/ci%20bot", Reference.of("https://repo.example.dev:8443", "ci bot").payload());
    }

    @Test
    void refusalsSayHowToWriteTheForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reference.parse("https://repo.example.dev/ci"));
        assertTrue(e.getMessage().contains("%2F") && e.getMessage().contains("keyring4j maven-password"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Reference.parse("no-slash"));
        assertThrows(IllegalArgumentException.class, () -> Reference.parse("/account"));
        assertThrows(IllegalArgumentException.class, () -> Reference.parse("service/"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Reference.parse("50%/x")).getMessage().contains("%25"));
        assertThrows(IllegalArgumentException.class, () -> Reference.parse("%C3/x"), "not UTF-8");
    }
}
