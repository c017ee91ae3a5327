package dev.keyring4j.secretservice;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.testkit.CredentialStoreContract;
import dev.keyring4j.testkit.KeePassXCFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The full testkit contract, property tests included, against a real KeePassXC (default settings of the backend) on a private bus. */
class KeePassXCContractTest extends CredentialStoreContract {
    private static KeePassXCFixture fixture;

    @BeforeAll
    static void startKeePassXC() {
        fixture = KeePassXCFixture.start();
    }

    @AfterAll
    static void stopKeePassXC() {
        if (fixture != null) fixture.close();
    }

    @Override
    protected CredentialStore openStore() {
        return Open.store(fixture.environment(), Map.of());
    }
}
