package dev.keyring4j.secretservice;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import java.util.function.Consumer;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A {@link CredentialStore} over the freedesktop Secret Service.
 *
 * <p>One bus connection and one session per store, opened lazily and reused; when the provider
 * goes away (restart, crash, dropped connection) the next call reconnects and retries once (see
 * {@link SecretServiceConnection}). Items carry {@code service}, {@code username},
 * {@code application} and {@code xdg:schema=org.freedesktop.Secret.Generic} and are looked up by
 * {@code service} and {@code username} only, so Python keyring's and {@code secret-tool}'s items
 * are the same items. When several items match one id (written by different tools), the most
 * recently modified wins; {@code set} leaves exactly one.
 */
final class SecretServiceStore implements CredentialStore {
    static final String ID = "secret-service";

    static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT,
            Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.LISTABLE, Capabilities.Flag.WATCHABLE);

    private final SecretServiceSettings settings;
    private final String address;
    private final SecretServiceConnection connection;
    private final CredentialWatcher watcher;

    private SecretServiceStore(SecretServiceSettings settings, String address, SecretServiceConnection connection) {
        this.settings = settings;
        this.address = address;
        this.connection = connection;
        this.watcher = new CredentialWatcher(ID, CredentialWatcher.secretsOf(this), w -> new ItemSignalWatch(connection, w));
    }

    /**
     * Watches through the collection's ItemCreated, ItemChanged and ItemDeleted signals (only those
     * the provider's unique name sends count): each makes the store re-read the watched credentials
     * and fire for those whose value changed, since a signal names only an item path. An item
     * updated in place (SetSecret, which gnome-keyring does not signal) is seen by a re-read every
     * 5 s. A provider
     * that restarts is reconnected to within about a second of its return, and every subscription
     * gets {@code RESYNC}; changes made while it was away are not reported one by one.
     */
    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        NameCheck.check("service", service);
        NameCheck.check("account", account);
        return watcher.watch(service, account, listener);
    }

    /**
     * Opens the store on the probe's connection ({@code collection} as the probe resolved it, or
     * null) and finishes connecting now, so that a failure is reported with the reason.
     */
    static SecretServiceStore open(SecretServiceSettings settings, String address, SecretServiceClient probed, String collection) {
        return new SecretServiceStore(settings, address, SecretServiceConnection.open(settings, address, probed, collection));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** The connection under this store (tests look at its link). */
    SecretServiceConnection connection() {
        return connection;
    }

    // ------------------------------------------------------------------ operations

    @Override
    public Optional<Secret> get(String service, String account) {
        NameCheck.check("service", service);
        NameCheck.check("account", account);
        return connection.run("reading " + describe(service, account), l -> {
            Map<String, String> attributes = idAttributes(service, account);
            String cached = l.itemPaths.get(service, account);
            if (cached != null) {
                // the search checks the hint in the same round trip: still the only item, so still the answer
                SecretServiceClient.WithSearch r = l.client.searchAndGetSecret(l.collection, attributes, cached, l.session.path());
                if (r.result() != null && r.items().equals(List.of(cached))) return decode(l, r.result());
                if (r.result() != null) wipe(r.result());
                l.itemPaths.forget(service, account, cached);
            }
            List<String> items = search(l, attributes);
            if (items.isEmpty()) return Optional.empty();
            String item = newest(l, items);
            Object secret = readSecret(l, item);
            l.itemPaths.remember(service, account, item);
            return decode(l, secret);
        });
    }

    @Override
    public void set(String service, String account, Secret secret) {
        NameCheck.check("service", service);
        NameCheck.check("account", account);
        if (secret == null) throw new NullPointerException("secret");
        byte[] plain = secret.asBytes();
        try {
            connection.run("writing " + describe(service, account), l -> {
                String written = l.itemPaths.written(service, account);
                if (written != null && rewrite(l, written, idAttributes(service, account), plain)) return null;
                l.itemPaths.forget(service, account);
                Map<String, String> attributes = idAttributes(service, account);
                attributes.put("application", settings.application());
                attributes.put("xdg:schema", SecretServiceClient.GENERIC_SCHEMA);
                // keyring4j's own item is updated in place with SetSecret: KeePassXC 2.7.4 answers a CreateItem that would
                // replace an item this connection has not seen yet with an access dialog, even without "confirm access"
                List<String> own = l.client.search(l.collection, attributes);
                String item;
                if (!own.isEmpty()) {
                    item = newest(l, own);
                    String target = item;
                    withItemAccess(l, item, "storing an item in", () -> {
                        Object[] struct = l.session.encode(plain);
                        try {
                            l.client.setSecret(target, struct);
                        } finally {
                            Arrays.fill((byte[]) struct[2], (byte) 0);
                        }
                        return null;
                    });
                } else {
                    Object[] struct = l.session.encode(plain);
                    SecretServiceClient.Created created;
                    try {
                        created = l.client.createItem(l.collection, "Password for '" + account + "' on '" + service + "'", attributes, struct);
                    } finally {
                        Arrays.fill((byte[]) struct[2], (byte) 0);
                    }
                    item = created.item();
                    if (!SecretServiceClient.NO_OBJECT.equals(created.prompt())) {
                        item = DBusValues.path(l.unlocker.completePrompt(created.prompt(), "storing an item in"));
                    }
                }
                // one item per id: remove the copies other tools (or an older keyring4j) left
                for (String other : search(l, idAttributes(service, account))) {
                    if (!other.equals(item)) deleteItem(l, other);
                }
                l.itemPaths.rememberWritten(service, account, item);
                return null;
            });
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Writes into the item this connection's last set left for the id, in one round trip: its
     * SetSecret is sent with the SearchItems that checks it. The path is only a hint: the write
     * counts when the search, answered after it, still finds that item; copies other tools created
     * meanwhile are deleted, as after any set. False (the hint forgotten) when the item is gone or
     * refused the write (e.g. a per-item lock, whose prompt the full path handles): the caller then
     * takes the full path, which writes again.
     */
    private static boolean rewrite(ProviderLink l, String item, Map<String, String> id, byte[] plain) {
        Object[] struct = l.session.encode(plain);
        SecretServiceClient.WithSearch r;
        try {
            r = l.client.setSecretAndSearch(item, struct, l.collection, id);
        } finally {
            Arrays.fill((byte[]) struct[2], (byte) 0);
        }
        if (r.failure() != null && r.failure().providerGone()) throw r.failure(); // reconnect and retry the whole set
        if (r.failure() != null || !r.items().contains(item)) return false;
        for (String other : r.items()) {
            if (!other.equals(item)) deleteItem(l, other);
        }
        return true;
    }

    @Override
    public boolean delete(String service, String account) {
        NameCheck.check("service", service);
        NameCheck.check("account", account);
        return connection.run("deleting " + describe(service, account), l -> {
            l.itemPaths.forget(service, account);
            List<String> items = search(l, idAttributes(service, account));
            for (String item : items) deleteItem(l, item);
            return !items.isEmpty();
        });
    }

    @Override
    public List<CredentialId> list(String service) {
        NameCheck.check("service", service);
        return connection.run("listing the accounts of service '" + service + "'", l -> {
            l.unlocker.requireUnlockedNow();
            TreeSet<String> accounts = new TreeSet<>();
            for (String item : search(l, Map.of("service", service))) {
                String account = l.client.attributes(item).get("username");
                if (account != null && !account.isEmpty()) accounts.add(account);
            }
            List<CredentialId> out = new ArrayList<>();
            accounts.forEach(a -> out.add(new CredentialId(service, a)));
            return out;
        });
    }

    @Override
    public List<CredentialId> list() {
        return connection.run("listing every credential", l -> {
            l.unlocker.requireUnlockedNow();
            TreeSet<CredentialId> ids = new TreeSet<>(Comparator.comparing(CredentialId::service).thenComparing(CredentialId::account));
            for (String item : l.client.items(l.collection)) {
                Map<String, String> a = l.client.attributes(item);
                String service = a.get("service");
                String account = a.get("username");
                if (service != null && !service.isEmpty() && account != null && !account.isEmpty()) ids.add(new CredentialId(service, account));
            }
            return new ArrayList<>(ids);
        });
    }

    @Override
    public void close() {
        watcher.close();
        connection.close();
    }

    @Override
    public String toString() {
        return "SecretServiceStore[" + address.replaceAll(",guid=.*", "") + ", session=" + settings.sessionAlgorithm() + "]";
    }

    // ------------------------------------------------------------------ items

    private static Map<String, String> idAttributes(String service, String account) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("service", service);
        m.put("username", account);
        return m;
    }

    private static Optional<Secret> decode(ProviderLink l, Object secretStruct) {
        byte[] plain = l.session.decode(secretStruct);
        try {
            return Optional.of(Secret.of(plain));
        } finally {
            Arrays.fill(plain, (byte) 0);
            wipe(secretStruct);
        }
    }

    /** Zeroes the value bytes of a received Secret struct (plaintext with the plain session). */
    static void wipe(Object secretStruct) {
        try {
            Object[] s = DBusValues.struct(secretStruct);
            if (s.length > 2 && s[2] instanceof byte[] b) Arrays.fill(b, (byte) 0);
        } catch (BusCallException ignored) {
            // not a struct: nothing of ours to wipe
        }
    }

    /**
     * GetSecret. An item the provider keeps locked although the collection is unlocked (KeePassXC
     * with "confirm access": every item is locked for a client until the user allows it) is
     * unlocked through its confirmation prompt, bounded by secret-service.confirm-timeout, and read
     * again. While the collection itself is locked, IsLocked goes up to the unlock rule.
     */
    private static Object readSecret(ProviderLink l, String item) {
        return withItemAccess(l, item, "reading an item of", () -> l.client.getSecret(item, l.session.path()));
    }

    /**
     * Runs {@code call} on {@code item}; when the provider answers IsLocked while the collection is
     * unlocked (a per-item lock: KeePassXC's "confirm access"), unlocks the item through its
     * confirmation prompt (bounded by secret-service.confirm-timeout) and runs it again.
     */
    private static <T> T withItemAccess(ProviderLink l, String item, String action, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (BusCallException e) {
            if (!e.isError(SecretServiceClient.IS_LOCKED) || l.unlocker.lockedNow()) throw e;
        }
        SecretServiceClient.Unlocked r = l.client.unlock(item);
        if (!r.objects().contains(item)) {
            if (SecretServiceClient.NO_OBJECT.equals(r.prompt())) {
                throw new AccessDeniedException("secret-service: the provider refuses access to an item of " + l.unlocker.where()
                        + " and offers no confirmation prompt; the collection is not locked: allow this application's access in the provider");
            }
            l.unlocker.completePrompt(r.prompt(), action);
        }
        return call.get();
    }

    /**
     * SearchItems. An empty answer is believed only from an unlocked collection: KeePassXC answers
     * a locked database with no items rather than IsLocked, and sends no PropertiesChanged for
     * Locked, so the Locked property is asked again (unlocking or LockedException, by the prompt
     * rule) before "absent" is reported.
     */
    private static List<String> search(ProviderLink l, Map<String, String> attributes) {
        List<String> items = l.client.search(l.collection, attributes);
        if (!items.isEmpty() || !l.unlocker.lockedNow()) return items;
        l.unlocker.requireUnlockedNow();
        return l.client.search(l.collection, attributes);
    }

    /**
     * The most recently modified item. Ties (providers count seconds): an item another tool wrote
     * beats keyring4j's own, because keyring4j's set deletes every copy it finds, so a foreign copy
     * tied with keyring4j's item came after it; then the later-created path.
     */
    private String newest(ProviderLink l, List<String> items) {
        if (items.size() == 1) return items.get(0);
        String best = null;
        long bestModified = Long.MIN_VALUE;
        Boolean bestOurs = null; // read only on a tie
        for (String item : items) {
            long modified = l.client.modified(item);
            boolean better;
            Boolean ours = null;
            if (best == null || modified > bestModified) {
                better = true;
            } else if (modified < bestModified) {
                better = false;
            } else {
                if (bestOurs == null) bestOurs = writtenByUs(l, best);
                ours = writtenByUs(l, item);
                better = ours != bestOurs ? !ours : laterPath(item, best);
            }
            if (better) {
                best = item;
                bestModified = modified;
                bestOurs = ours;
            }
        }
        return best;
    }

    private boolean writtenByUs(ProviderLink l, String item) {
        return settings.application().equals(l.client.attributes(item).get("application"));
    }

    /** gnome-keyring numbers items 1, 2, 3… in creation order; compare numerically, then as text. */
    static boolean laterPath(String a, String b) {
        String la = a.substring(a.lastIndexOf('/') + 1);
        String lb = b.substring(b.lastIndexOf('/') + 1);
        if (la.chars().allMatch(Character::isDigit) && lb.chars().allMatch(Character::isDigit) && !la.isEmpty() && !lb.isEmpty()) {
            return la.length() != lb.length() ? la.length() > lb.length() : la.compareTo(lb) > 0;
        }
        return a.compareTo(b) > 0;
    }

    private static void deleteItem(ProviderLink l, String item) {
        String prompt = l.client.delete(item);
        if (!SecretServiceClient.NO_OBJECT.equals(prompt)) l.unlocker.completePrompt(prompt, "deleting an item from");
    }

    private static String describe(String service, String account) {
        return "'" + account + "' on '" + service + "'";
    }
}
