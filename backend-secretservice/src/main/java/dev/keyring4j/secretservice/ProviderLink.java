package dev.keyring4j.secretservice;

/**
 * What one connection to the provider holds: the typed client, the provider's unique name, the
 * session, the collection with its unlock state, and the item-path cache. It is usable until the
 * bus drops or {@link #markStale()} is called (the provider changed hands); it is then closed and
 * replaced by {@link SecretServiceConnection}, never repaired.
 */
final class ProviderLink {
    final SecretServiceClient client;
    /** The unique name (":1.N") that owned org.freedesktop.secrets when we connected: the only sender of signals we believe. */
    final String owner;
    final SecretServiceSession session;
    final String collection;
    final CollectionUnlocker unlocker;
    final ItemPathCache itemPaths = new ItemPathCache();
    private volatile boolean stale;

    ProviderLink(SecretServiceClient client, String owner, SecretServiceSession session, String collection, CollectionUnlocker unlocker) {
        this.client = client;
        this.owner = owner;
        this.session = session;
        this.collection = collection;
        this.unlocker = unlocker;
    }

    boolean usable() {
        return !stale && client.isConnected();
    }

    void markStale() {
        stale = true;
    }

    void close() {
        session.destroy();
        client.close();
    }
}
