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

    /** The item the store's last set of the id left, as remembered for the next set (null when none). */
    static String writtenItem(SecretServiceStore s, String service, String account) {
        return s.connection().current().itemPaths.written(service, account);
    }

    /** The items of the id (service and username) the provider finds now. */
    static java.util.List<String> items(SecretServiceStore s, String service, String account) {
        ProviderLink l = s.connection().current();
        return l.client.search(l.collection, java.util.Map.of("service", service, "username", account));
    }

    /** The item's Modified property (seconds). */
    static long modified(SecretServiceStore s, String item) {
        return s.connection().current().client.modified(item);
    }
}
