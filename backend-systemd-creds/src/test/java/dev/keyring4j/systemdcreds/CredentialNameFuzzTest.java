package dev.keyring4j.systemdcreds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyring4j.CredentialId;
import dev.keyring4j.testkit.FuzzFields;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes the systemd credential name mapping (docs/fuzzing.md). Input: a service, an account and a raw
 * credential file name, one per line ({@link FuzzFields}). Checks: {@link CredentialName#of} and
 * {@link CredentialName#ofService} throw only their documented {@link IllegalArgumentException} and
 * produce a name systemd accepts ({@link CredentialName#requireSafe} passes, printable ASCII, no
 * {@code /} or {@code :}, never {@code .cred} at the end) that parses back to the same names;
 * {@link CredentialName#parse}, {@link CredentialName#parseService} and {@link CredentialName#unescape}
 * never throw on any text, and what they return maps back to exactly that text (so list and get agree);
 * {@link CredentialName#requireSafe} throws only IllegalArgumentException.
 */
class CredentialNameFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void names(byte[] input) {
        List<String> f = FuzzFields.split(input, 3);
        String service = f.get(0);
        String account = f.get(1);
        String raw = f.get(2);

        String name = null;
        try {
            name = CredentialName.of(service, account);
        } catch (IllegalArgumentException e) {
            // documented: an empty name, or one longer than systemd allows once escaped
        }
        if (name != null) {
            assertSystemdName(name);
            assertEquals(Optional.of(new CredentialId(service, account)), CredentialName.parse(name), "a mapped name parses back to its names");
            assertEquals(name, SystemdCredentials.credentialName(service, account));
        }
        String own = null;
        try {
            own = CredentialName.ofService(service);
        } catch (IllegalArgumentException e) {
            // documented, as above
        }
        if (own != null) {
            assertSystemdName(own);
            assertEquals(Optional.of(service), CredentialName.parseService(own), "a service's own credential parses back");
            assertFalse(CredentialName.parse(own).isPresent(), "a one-part name is never a pair");
        }

        // a name found in a credentials directory: never throws, and a reading maps back to exactly it
        CredentialName.parse(raw).ifPresent(id -> assertEquals(raw, CredentialName.of(id.service(), id.account()), "parse reads canonical names only"));
        CredentialName.parseService(raw).ifPresent(s -> assertEquals(raw, CredentialName.ofService(s), "parseService reads canonical names only"));
        CredentialName.unescape(raw).ifPresent(s -> assertFalse(s.isEmpty(), "unescape reads an empty part as nothing"));
        try {
            assertEquals(raw, CredentialName.requireSafe(raw));
        } catch (IllegalArgumentException e) {
            // documented: empty, . or .., a / or NUL, or too long
        }
    }

    private static void assertSystemdName(String name) {
        assertEquals(name, CredentialName.requireSafe(name), "the mapping never produces a name the gate refuses");
        assertTrue(name.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != '/' && c != ':'), "printable ASCII without / or :");
        assertFalse(name.endsWith(CredentialName.ENCRYPTED_SUFFIX), ".cred is reserved for encrypted credential files");
        assertTrue(name.length() <= CredentialName.MAX_BYTES, "within systemd's limit");
    }
}
