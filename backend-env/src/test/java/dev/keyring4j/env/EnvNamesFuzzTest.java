package dev.keyring4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyring4j.CredentialId;
import dev.keyring4j.testkit.FuzzFields;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Fuzzes the env backend's name mapping (docs/fuzzing.md): {@link EnvVariableNames} throws only its
 * documented {@link IllegalArgumentException}; two ids that differ other than in ASCII case never get
 * one variable; a credential's variable decodes back to its id; and {@link EnvNames#decode} of any text
 * never throws and reads only exact encodings. Seeds: {@code EnvNamesFuzzTestInputs/names/}.
 */
class EnvNamesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void names(byte[] input) {
        // prefix, service, account, another service and account, a variable body (FuzzFields: one per line)
        List<String> f = FuzzFields.split(input, 6);
        String prefix = f.get(0);
        String s1 = f.get(1);
        String a1 = f.get(2);
        String s2 = f.get(3);
        String a2 = f.get(4);
        String body = f.get(5);

        String v1 = credential(prefix, s1, a1);
        String v2 = credential(prefix, s2, a2);
        if (v1 != null && v2 != null) {
            if (asciiLower(s1).equals(asciiLower(s2)) && asciiLower(a1).equals(asciiLower(a2))) {
                assertEquals(v1, v2, "one id (ASCII case aside), one variable");
            } else {
                assertNotEquals(v1, v2, "two ids must never share a variable");
            }
        }
        if (v1 != null && isWellFormed(s1) && isWellFormed(a1)) {
            String folded = EnvNames.from(dev.keyring4j.spi.BackendConfig.of("env", java.util.Map.of("prefix", prefix), java.util.Map.of())).prefix();
            assertTrue(v1.startsWith(folded.toUpperCase(Locale.ROOT) + "_"), "the variable starts with the folded prefix");
            Optional<EnvNames.Decoded> d = EnvNames.decode(v1.substring(folded.length() + 1));
            assertTrue(d.isPresent(), "a credential's variable decodes");
            assertEquals(Optional.of(new CredentialId(asciiLower(s1), asciiLower(a1))), d.get().pair(), "and decodes to its id");
        }
        String token = null;
        try {
            token = EnvVariableNames.token(prefix, s1);
        } catch (IllegalArgumentException e) {
            // documented: an empty prefix or service
        }
        if (token != null) {
            assertTrue(token.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_')), "a variable name is [A-Z0-9_]");
            if (isWellFormed(s1)) {
                Optional<EnvNames.Decoded> d = EnvNames.decode(EnvNames.encodeService(s1));
                assertEquals(Optional.of(asciiLower(s1)), d.flatMap(EnvNames.Decoded::service), "a service's variable decodes to it");
            }
        }

        // any text read from the environment: never throws, and a reading is an exact encoding
        EnvNames.decode(body).ifPresent(d -> {
            d.service().ifPresent(s -> assertTrue(EnvNames.encodeService(s).equalsIgnoreCase(body), "service reading is exact"));
            d.pair().ifPresent(p -> assertTrue((EnvNames.encodeService(p.service()) + "_" + EnvNames.encodeAccount(p.account())).equalsIgnoreCase(body),
                    "pair reading is exact"));
        });
    }

    /** The variable, or null where the documented IllegalArgumentException refuses the names. */
    private static String credential(String prefix, String service, String account) {
        try {
            String v = EnvVariableNames.credential(prefix, service, account);
            assertTrue(v.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_')), "a variable name is [A-Z0-9_]");
            return v;
        } catch (IllegalArgumentException e) {
            return null; // documented: empty name, empty prefix, or account id/file
        }
    }

    private static String asciiLower(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.chars().forEach(c -> b.append(c < 128 ? Character.toLowerCase((char) c) : (char) c));
        return b.toString();
    }

    /** No unpaired surrogate (such a string is not Unicode text, and has no code point to encode). */
    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
