package dev.keyring4j.testkit;

import dev.keyring4j.CredentialStore;

class InMemoryStoreContractTest extends CredentialStoreContract {
    @Override
    protected CredentialStore openStore() {
        return InMemoryCredentialStore.persistent("memory");
    }
}
