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

    /**
     * The contract's other writer is another keyring4j client, which updates an existing item with
     * SetSecret: gnome-keyring signals nothing for it, so it is seen by the 5 s re-read.
     */
    @Override
    protected java.time.Duration watchLatency() {
        return ItemSignalWatch.REREAD.plusSeconds(2);
    }

    /** Another client of the provider: its own bus connection and session. */
    @Override
    protected void changeElsewhere(CredentialStore watched, dev.keyring4j.CredentialId id, byte[] secret) {
        try (CredentialStore other = openStore()) {
            other.set(id.service(), id.account(), dev.keyring4j.Secret.of(secret));
        }
    }

    @Override
    protected void deleteElsewhere(CredentialStore watched, dev.keyring4j.CredentialId id) {
        try (CredentialStore other = openStore()) {
            other.delete(id.service(), id.account());
        }
    }
}
