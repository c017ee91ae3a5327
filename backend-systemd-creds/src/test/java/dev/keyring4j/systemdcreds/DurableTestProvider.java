package dev.keyring4j.systemdcreds;

import dev.keyring4j.Capabilities;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.testkit.InMemoryCredentialStore;

/**
 * Test scope only: a discoverable writable persistent backend (priority 10, like secret-service),
 * so that {@code Keyring.open()} auto-detects a real chain next to systemd-creds. It serves the
 * {@link InMemoryCredentialStore} a test passes as a component, and is unavailable without one,
 * so it never appears by accident.
 */
public final class DurableTestProvider implements CredentialStoreProvider {
    static final String ID = "durable-test";

    @Override
    public String id() {
        return ID;
    }

    private static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT,
            Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.LISTABLE);

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Candidate probe(BackendConfig config) {
        return config.component(InMemoryCredentialStore.class)
                .map(store -> Candidate.of(Availability.available(10, "test store supplied as a component"), CAPABILITIES, () -> store))
                .orElseGet(() -> Candidate.without(Availability.unavailable("no test store supplied"), CAPABILITIES));
    }
}
