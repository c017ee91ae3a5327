package dev.keyring4j.etcd;

import dev.keyring4j.testkit.EtcdFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The full writable contract (with its property tests) against one real etcd member. */
class EtcdSingleMemberContractTest extends EtcdContract {
    private static EtcdFixture etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.single();
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
