package dev.keyring4j.etcd;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.testkit.CredentialStoreContract;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Files;
import java.nio.file.Path;

/** The writable contract on real etcd: every store gets a fresh prefix in the class's shared cluster and one key file. */
abstract class EtcdContract extends CredentialStoreContract {
    private static Path home;

    protected abstract EtcdFixture etcd();

    @Override
    protected CredentialStore openStore() throws Exception {
        if (home == null) home = Files.createTempDirectory("keyring4j-etcd-home-");
        return Stores.open(etcd(), home, Stores.freshPrefix());
    }

    // every operation is a network round trip with an fsync on the servers: fewer, but still many
    @Override
    protected int propertyTries() {
        return 60;
    }

    @Override
    protected int operationsPerThread() {
        return 60;
    }
}
