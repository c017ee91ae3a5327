package dev.keyring4j.secretservice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.types.Variant;

/**
 * The Secret Service API as typed calls over one {@link BusConnection}: the only place that names
 * the Secret Service's D-Bus interfaces, methods, properties and signals. Every method is one call
 * (or one subscription) with the connection's timeout; failures are {@link BusCallException}s,
 * never translated here. Signal subscriptions believe only the sender they are given (the unique
 * name owning {@link #SECRETS}, or the bus itself), as {@link BusConnection#onSignal} enforces.
 */
final class SecretServiceClient implements AutoCloseable {
    static final String SECRETS = "org.freedesktop.secrets";
    static final String SERVICE_PATH = "/org/freedesktop/secrets";
    static final String SERVICE_IFACE = "org.freedesktop.Secret.Service";
    static final String COLLECTION_IFACE = "org.freedesktop.Secret.Collection";
    static final String ITEM_IFACE = "org.freedesktop.Secret.Item";
    static final String PROMPT_IFACE = "org.freedesktop.Secret.Prompt";
    static final String COLLECTION_PREFIX = "/org/freedesktop/secrets/collection/";
    static final String GENERIC_SCHEMA = "org.freedesktop.Secret.Generic";
    static final String IS_LOCKED = "org.freedesktop.Secret.Error.IsLocked";
    /** The path the Secret Service returns for "no prompt needed" (and for "no such alias"). */
    static final String NO_OBJECT = "/";

    /** CreateItem's answer: the new item, or {@link #NO_OBJECT} with a prompt to complete first. */
    record Created(String item, String prompt) {
    }

    /** Unlock's answer: what is unlocked now, and a prompt ({@link #NO_OBJECT} if none) for the rest. */
    record Unlocked(List<String> objects, String prompt) {
    }

    private final BusConnection bus;

    SecretServiceClient(BusConnection bus) {
        this.bus = bus;
    }

    boolean isConnected() {
        return bus.isConnected();
    }

    @Override
    public void close() {
        bus.close();
    }

    // ------------------------------------------------------------------ the bus

    /** Whether anyone owns {@link #SECRETS} now. */
    boolean nameHasOwner() {
        return DBusValues.bool(bus.call(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "NameHasOwner", "s", SECRETS)[0]);
    }

    /** Whether the bus would start a provider for {@link #SECRETS} on first use. */
    boolean activatable() {
        List<Object> names = DBusValues.list(bus.call(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "ListActivatableNames", null)[0]);
        return names.contains(SECRETS);
    }

    /** A provider owns {@link #SECRETS} or can be activated (asks the second only when the first says no). */
    boolean providerPresent() {
        return nameHasOwner() || activatable();
    }

    /** The unique name (":1.N") that owns {@link #SECRETS} now. */
    String owner() {
        return bus.nameOwner(SECRETS);
    }

    /**
     * Runs {@code handler} on every ItemCreated, ItemChanged and ItemDeleted of {@code collection}
     * that {@code owner} (the provider's unique name) sends; the handle unsubscribes. The signals
     * carry only an item path: the handler re-reads what it needs.
     */
    AutoCloseable onItemSignals(String owner, String collection, Runnable handler) {
        return bus.onSignal(owner, collection, COLLECTION_IFACE, null, args -> handler.run());
    }

    /** Runs {@code handler} whenever the bus itself announces a change of {@link #SECRETS}'s owner. */
    void onOwnerChanged(Runnable handler) {
        bus.onSignal(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "NameOwnerChanged", args -> {
            if (args != null && args.length > 0 && SECRETS.equals(args[0])) handler.run();
        });
    }

    // ------------------------------------------------------------------ the service

    /** The collection an alias points to; empty when the alias is unset. */
    Optional<String> readAlias(String alias) {
        String p = DBusValues.path(bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "ReadAlias", "s", alias)[0]);
        return NO_OBJECT.equals(p) ? Optional.empty() : Optional.of(p);
    }

    /** Opens a session with {@code algorithm}; a provider without the encrypted algorithm is refused, never downgraded. */
    SecretServiceSession openSession(String algorithm) {
        if (SecretServiceSettings.PLAIN_ALGORITHM.equals(algorithm)) {
            Object[] r = bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "OpenSession", "sv", algorithm, new Variant<>(""));
            return new PlainSession(DBusValues.path(r[1]));
        }
        DhIetf1024Session.Exchange exchange = DhIetf1024Session.Exchange.take();
        Object[] r;
        try {
            r = bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "OpenSession", "sv", algorithm, new Variant<>(exchange.publicValue(), "ay"));
        } catch (BusCallException e) {
            if (e.isError("org.freedesktop.DBus.Error.NotSupported")) throw SecretServiceErrors.sessionNotSupported(algorithm);
            throw e;
        }
        return exchange.complete(DBusValues.path(r[1]), DBusValues.bytes(r[0]));
    }

    Unlocked unlock(String object) {
        Object[] r = bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "Unlock", "ao", List.of(new DBusPath(object)));
        return new Unlocked(DBusValues.paths(r[0]), DBusValues.path(r[1]));
    }

    // ------------------------------------------------------------------ collections

    /**
     * Whether {@code path} answers as a collection. An error reply that does not mean "the provider
     * went away", or one that means "no such object", is a no; other failures are thrown.
     */
    boolean collectionExists(String path) {
        try {
            bus.getProperty(SECRETS, path, COLLECTION_IFACE, "Locked");
            return true;
        } catch (BusCallException e) {
            if (e.kind() == BusCallException.Kind.ERROR_REPLY && !e.providerGone()) return false;
            if (e.isError("org.freedesktop.DBus.Error.UnknownObject") || e.isError("org.freedesktop.DBus.Error.UnknownMethod")
                    || e.isError("org.freedesktop.Secret.Error.NoSuchObject")) {
                return false;
            }
            throw e;
        }
    }

    boolean locked(String collection) {
        return DBusValues.bool(bus.getProperty(SECRETS, collection, COLLECTION_IFACE, "Locked"));
    }

    String label(String collection) {
        return String.valueOf(bus.getProperty(SECRETS, collection, COLLECTION_IFACE, "Label"));
    }

    List<String> items(String collection) {
        return DBusValues.paths(bus.getProperty(SECRETS, collection, COLLECTION_IFACE, "Items"));
    }

    List<String> search(String collection, Map<String, String> attributes) {
        return DBusValues.paths(bus.call(SECRETS, collection, COLLECTION_IFACE, "SearchItems", "a{ss}", attributes)[0]);
    }

    /**
     * SearchItems and {@code item}'s GetSecret sent together, answered in one round trip. The secret
     * ({@link WithSearch#result}, which the caller wipes) is null when GetSecret failed; the search's
     * failure is thrown.
     */
    WithSearch searchAndGetSecret(String collection, Map<String, String> attributes, String item, String session) {
        BusConnection.Pending search = bus.send(SECRETS, collection, COLLECTION_IFACE, "SearchItems", "a{ss}", attributes);
        BusConnection.Pending secret = bus.send(SECRETS, item, ITEM_IFACE, "GetSecret", "o", new DBusPath(session));
        return awaitWithSearch(secret, search);
    }

    /**
     * {@code item}'s SetSecret and a SearchItems sent together, answered in one round trip; the
     * provider handles a connection's calls in order, so the search sees the collection after the
     * write. {@link WithSearch#failure} is the SetSecret's error, or null; the search's failure is
     * thrown. {@code secret} is the session's Secret struct, which the caller wipes.
     */
    WithSearch setSecretAndSearch(String item, Object[] secret, String collection, Map<String, String> attributes) {
        BusConnection.Pending write = bus.send(SECRETS, item, ITEM_IFACE, "SetSecret", "(oayays)", (Object) secret);
        BusConnection.Pending search = bus.send(SECRETS, collection, COLLECTION_IFACE, "SearchItems", "a{ss}", attributes);
        return awaitWithSearch(write, search);
    }

    /** A call's first result (null when it failed, or returns nothing), its failure (or null), and the items of the search sent with it. */
    record WithSearch(Object result, BusCallException failure, List<String> items) {
    }

    private WithSearch awaitWithSearch(BusConnection.Pending call, BusConnection.Pending search) {
        Object result = null;
        BusCallException failure = null;
        try {
            Object[] r = bus.await(call);
            result = r.length > 0 ? r[0] : null;
        } catch (BusCallException e) {
            failure = e;
        }
        try {
            return new WithSearch(result, failure, DBusValues.paths(bus.await(search)[0]));
        } catch (RuntimeException e) {
            if (result != null) SecretServiceStore.wipe(result); // a GetSecret's secret
            throw e;
        }
    }

    /** CreateItem with replace=true; {@code secret} is the session's Secret struct, which the caller wipes. */
    Created createItem(String collection, String label, Map<String, String> attributes, Object[] secret) {
        Map<String, Variant<?>> properties = new LinkedHashMap<>();
        properties.put(ITEM_IFACE + ".Label", new Variant<>(label));
        properties.put(ITEM_IFACE + ".Attributes", new Variant<>(attributes, "a{ss}"));
        Object[] r = bus.call(SECRETS, collection, COLLECTION_IFACE, "CreateItem", "a{sv}(oayays)b", properties, secret, true);
        return new Created(DBusValues.path(r[0]), DBusValues.path(r[1]));
    }

    // ------------------------------------------------------------------ items

    /** The item's Secret struct in {@code session}; the caller wipes it. */
    Object getSecret(String item, String session) {
        return bus.call(SECRETS, item, ITEM_IFACE, "GetSecret", "o", new DBusPath(session))[0];
    }

    /** Replaces the item's secret; {@code secret} is the session's Secret struct, which the caller wipes. */
    void setSecret(String item, Object[] secret) {
        bus.call(SECRETS, item, ITEM_IFACE, "SetSecret", "(oayays)", (Object) secret);
    }

    Map<String, String> attributes(String item) {
        return DBusValues.stringMap(bus.getProperty(SECRETS, item, ITEM_IFACE, "Attributes"));
    }

    long modified(String item) {
        return DBusValues.number(bus.getProperty(SECRETS, item, ITEM_IFACE, "Modified"));
    }

    /** Deletes the item; returns the prompt to complete first, or {@link #NO_OBJECT}. */
    String delete(String item) {
        return DBusValues.path(bus.call(SECRETS, item, ITEM_IFACE, "Delete", null)[0]);
    }

    // ------------------------------------------------------------------ prompts

    /** Hands {@code handler} the arguments (null if undecodable) of the prompt's Completed, when {@code owner} sends it; closing unsubscribes. */
    AutoCloseable onPromptCompleted(String owner, String prompt, Consumer<Object[]> handler) {
        return bus.onSignal(owner, prompt, PROMPT_IFACE, "Completed", handler);
    }

    /** Shows the prompt (no parent window). */
    void prompt(String prompt) {
        bus.call(SECRETS, prompt, PROMPT_IFACE, "Prompt", "s", "");
    }

    void dismiss(String prompt) {
        bus.call(SECRETS, prompt, PROMPT_IFACE, "Dismiss", null);
    }
}
