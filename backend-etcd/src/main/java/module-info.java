/**
 * keyring4j's etcd backend ({@code etcd}): credentials shared by a fleet through an etcd cluster,
 * encrypted on the client with Tink (the servers see neither names nor secrets), ttl as leases.
 * See {@code docs/backends/etcd.md}.
 */
module dev.keyring4j.etcd {
    requires transitive dev.keyring4j;
    requires dev.keyring4j.keyset;
    requires com.google.crypto.tink;
    requires jetcd.core;
    requires jetcd.api;
    requires jetcd.common;
    requires io.netty.handler;

    exports dev.keyring4j.etcd;

    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.etcd.EtcdProvider;
}
