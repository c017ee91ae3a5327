package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Keyring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: docs/configuration.md lists every key of every backend, exactly as the backends declare
 * them; this fails when the two drift. Regenerate with {@code ./keyring4j config-reference > docs/configuration.md}.
 */
class ConfigurationReferenceTest {
    @Test
    void theDocumentedReferenceIsTheDeclaredOne() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in the cli module's directory
        String generated = Keyring.configurationReference();
        for (String backend : List.of("kernel", "secret-service", "encrypted-file", "systemd-creds", "env", "command", "etcd")) {
            assertTrue(generated.contains("\n## " + backend + "\n"), "every backend of the jar is in the reference: " + backend);
        }
        assertEquals(generated, Files.readString(root.resolve("docs/configuration.md")),
                "docs/configuration.md differs from what the backends declare; regenerate it with"
                        + " ./keyring4j config-reference > docs/configuration.md");
    }
}
