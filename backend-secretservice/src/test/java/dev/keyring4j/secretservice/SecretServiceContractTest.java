package dev.keyring4j.secretservice;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.testkit.CredentialStoreContract;
import dev.keyring4j.testkit.SecretServiceFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The full testkit contract, property tests included, against a real gnome-keyring on a private bus. */
class SecretServiceContractTest extends CredentialStoreContract {
    private static SecretServiceFixture fixture;

    @BeforeAll
    static void startKeyring() {
        fixture = SecretServiceFixture.start();
    }

    @AfterAll
    static void stopKeyring() {
        if (fixture != null) fixture.close();
    }

    @Override
    protected CredentialStore openStore() {
        return Open.store(fixture.environment(), Map.of());
    }
}
