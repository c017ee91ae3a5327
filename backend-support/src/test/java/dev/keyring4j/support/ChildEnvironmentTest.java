package dev.keyring4j.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule for keyring4j's own variables, and what a real child ({@code /usr/bin/env}) sees under it. */
class ChildEnvironmentTest {
    private static Map<String, String> parent() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", "/home/someone");
        env.put("KEYRING4J_PASSPHRASE", "pass-phr4se");
        env.put("KEYRING4J_FOO_BAR", "foo-s3cret");
        env.put("keyring4j_db_app", "lower-s3cret");
        env.put("Keyring4j_Mixed", "mixed-s3cret");
        env.put("KEYRING4J_CONFIG", "/etc/k.properties");
        env.put("MYAPP_DB_APP", "app-s3cret");
        env.put("NOT_KEYRING4J_X", "kept");
        env.put("KEYRING4JX", "kept-too");
        return env;
    }

    @Test
    void keyring4jsOwnVariablesInAnyCaseAreScrubbedAndNothingElse() {
        Map<String, String> child = ChildEnvironment.standard().apply(parent());
        assertEquals(Map.of("PATH", parent().get("PATH"), "HOME", "/home/someone", "MYAPP_DB_APP", "app-s3cret",
                "NOT_KEYRING4J_X", "kept", "KEYRING4JX", "kept-too"), child);
    }

    @Test
    void namedVariablesArePassedThroughExactly() {
        Map<String, String> child = ChildEnvironment.standard().passing(List.of("KEYRING4J_CONFIG", "keyring4j_DB_APP")).apply(parent());
        assertEquals("/etc/k.properties", child.get("KEYRING4J_CONFIG"));
        assertFalse(child.containsKey("keyring4j_db_app"), "the match of a passed name is exact");
        assertFalse(child.containsKey("KEYRING4J_PASSPHRASE"));
    }

    @Test
    void anotherEnvPrefixIsScrubbedInAnyCaseToo() {
        ChildEnvironment rule = ChildEnvironment.standard().alsoScrubbing("myapp");
        assertTrue(rule.isOwn("MYAPP_DB_APP") && rule.isOwn("myapp_db_app") && rule.isOwn("KEYRING4J_X"));
        assertFalse(rule.isOwn("MYAPPX") || rule.isOwn("PATH"));
        assertFalse(rule.apply(parent()).containsKey("MYAPP_DB_APP"));
    }

    @Test
    void malformedNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChildEnvironment.standard().passing(List.of("A=B")));
        assertThrows(IllegalArgumentException.class, () -> ChildEnvironment.standard().passing(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> ChildEnvironment.standard().alsoScrubbing("my-app"));
    }

    @Test
    void aRealChildStartedWithTheScrubbedEnvironmentSeesNoneOfThem() throws Exception {
        BoundedProcess.Result r = BoundedProcess.of(List.of("/usr/bin/env"))
                .withEnvironment(ChildEnvironment.standard().passing(List.of("KEYRING4J_CONFIG")).apply(parent())).run(null);
        assertEquals(0, r.exitCode(), r.stderr());
        String seen = new String(r.stdout(), StandardCharsets.UTF_8);
        for (String secret : List.of("pass-phr4se", "foo-s3cret", "lower-s3cret", "mixed-s3cret")) {
            assertFalse(seen.contains(secret), secret + " reached the child: " + seen);
        }
        assertTrue(seen.contains("KEYRING4J_CONFIG=/etc/k.properties\n"), seen);
        assertTrue(seen.contains("HOME=/home/someone\n"), seen);
    }
}
