package dev.keyring4j.testkit;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;

/** The chain over two in-memory stores keeps the whole contract. */
class ChainContractTest extends CredentialStoreContract {
    @Override
    protected CredentialStore openStore() {
        return Keyring.chain(InMemoryCredentialStore.volatileWithExpiry("fast"), InMemoryCredentialStore.persistent("durable"));
    }
}
