package dev.keyring4j.etcd;

import dev.keyring4j.testkit.EtcdFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The full writable contract (with its property tests) against a real 3-member etcd cluster. */
class EtcdClusterContractTest extends EtcdContract {
    private static EtcdFixture etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.cluster();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    @Override
    protected EtcdFixture etcd() {
        return etcd;
    }
}
