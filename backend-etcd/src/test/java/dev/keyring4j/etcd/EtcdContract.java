package dev.keyring4j.etcd;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.CredentialStoreContract;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The writable contract on real etcd: every store gets a fresh prefix in the class's shared cluster
 * and one key file. For the watch rules, another writer is another client (another store on the
 * same prefix, as another host would open it).
 */
abstract class EtcdContract extends CredentialStoreContract {
    private static Path home;
    private final Map<CredentialStore, String> prefixes = new WeakHashMap<>();

    protected abstract EtcdFixture etcd();

    @Override
    protected CredentialStore openStore() throws Exception {
        if (home == null) home = Files.createTempDirectory("keyring4j-etcd-home-");
        String prefix = Stores.freshPrefix();
        CredentialStore s = Stores.open(etcd(), home, prefix);
        synchronized (prefixes) {
            prefixes.put(s, prefix);
        }
        return s;
    }

    private EtcdStore otherHost(CredentialStore watched) {
        String prefix;
        synchronized (prefixes) {
            prefix = prefixes.get(watched);
        }
        if (prefix == null) throw new IllegalStateException("not a store of this test: " + watched);
        return Stores.open(etcd(), home, prefix);
    }

    @Override
    protected void changeElsewhere(CredentialStore watched, CredentialId id, byte[] secret) {
        try (EtcdStore other = otherHost(watched)) {
            other.set(id.service(), id.account(), Secret.of(secret));
        }
    }

    @Override
    protected void deleteElsewhere(CredentialStore watched, CredentialId id) {
        try (EtcdStore other = otherHost(watched)) {
            other.delete(id.service(), id.account());
        }
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
