package dev.keyring4j.kernel;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.CredentialStoreContract;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The testkit contract against the machine's real kernel keyring, in a namespace of its own that is removed afterwards. */
class KernelKeyStoreContractTest extends CredentialStoreContract {
    private static final String NAMESPACE = "keyring4j-contract-" + UUID.randomUUID();
    private static final BackendConfig CONFIG = BackendConfig.of("kernel", Map.of("namespace", NAMESPACE,
            "watch-interval", "PT0.5S"), Map.of());

    @BeforeAll
    static void requireKernelKeyring() {
        KernelFixture.requireKeyring();
    }

    @AfterAll
    static void removeNamespace() {
        KernelFixture.removeNamespace(NAMESPACE);
    }

    @Override
    protected CredentialStore openStore() {
        return KernelFixture.open(CONFIG);
    }

    /** The poll interval (0.5 s here) plus the margin of a busy machine. */
    @Override
    protected java.time.Duration watchLatency() {
        return java.time.Duration.ofMillis(2500);
    }

    @Override
    protected OptionalInt secretLimit() {
        return OptionalInt.of(KernelFixture.maxSecretBytes());
    }
}
