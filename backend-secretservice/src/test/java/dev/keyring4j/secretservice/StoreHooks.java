package dev.keyring4j.secretservice;

/** What tests look at inside a store's current link (connecting if needed); production code carries no such hooks. */
final class StoreHooks {
    private StoreHooks() {
    }

    /** The session algorithm in use. */
    static String sessionAlgorithm(SecretServiceStore s) {
        return s.connection().current().session.algorithm();
    }

    /** The session object path in use. */
    static String sessionPath(SecretServiceStore s) {
        return s.connection().current().session.path();
    }

    /** The collection object path in use. */
    static String collectionPath(SecretServiceStore s) {
        return s.connection().current().collection;
    }
}
