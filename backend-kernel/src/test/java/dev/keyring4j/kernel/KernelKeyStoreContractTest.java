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
    private static final BackendConfig CONFIG = BackendConfig.of("kernel", Map.of("namespace", NAMESPACE), Map.of());

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

    @Override
    protected OptionalInt secretLimit() {
        return OptionalInt.of(KernelFixture.maxSecretBytes());
    }
}
