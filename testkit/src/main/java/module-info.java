/** The keyring4j test kit: contract suite, property harness, in-memory stores, fixtures. Never for production. */
module dev.keyring4j.testkit {
    requires transitive dev.keyring4j;
    requires transitive org.junit.jupiter.api;
    requires java.net.http; // EtcdFixture asks each member for /health
    exports dev.keyring4j.testkit;
}
