package dev.keyring4j.testkit;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import java.util.Map;

/** The read-only half of the contract, on a read-only in-memory store. */
class ReadOnlyStoreContractTest extends CredentialStoreContract {
    @Override
    protected CredentialStore openStore() {
        return InMemoryCredentialStore.readOnly("ro");
    }

    @Override
    protected CredentialStore openStoreHolding(Map<CredentialId, byte[]> credentials) {
        InMemoryCredentialStore s = InMemoryCredentialStore.readOnly("ro");
        credentials.forEach((id, v) -> s.put(id.service(), id.account(), Secret.of(v)));
        return s;
    }
}
