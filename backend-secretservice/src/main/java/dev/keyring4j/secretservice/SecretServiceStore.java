package dev.keyring4j.secretservice;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.types.Variant;

/**
 * A {@link CredentialStore} over the freedesktop Secret Service.
 *
 * <p>One bus connection and one session per store, opened lazily and reused; when the provider
 * goes away (restart, crash, dropped connection) the next call reconnects and retries once. Items
 * carry {@code service}, {@code username}, {@code application} and
 * {@code xdg:schema=org.freedesktop.Secret.Generic} and are looked up by {@code service} and
 * {@code username} only, so Python keyring's and {@code secret-tool}'s items are the same items.
 * When several items match one id (written by different tools), the most recently modified wins;
 * {@code set} leaves exactly one.
 */
final class SecretServiceStore implements CredentialStore {
    static final String ID = "secret-service";
    static final String SECRETS = "org.freedesktop.secrets";
    static final String SERVICE_PATH = "/org/freedesktop/secrets";
    static final String SERVICE_IFACE = "org.freedesktop.Secret.Service";
    static final String COLLECTION_IFACE = "org.freedesktop.Secret.Collection";
    static final String ITEM_IFACE = "org.freedesktop.Secret.Item";
    static final String PROMPT_IFACE = "org.freedesktop.Secret.Prompt";
    static final String COLLECTION_PREFIX = "/org/freedesktop/secrets/collection/";
    static final String GENERIC_SCHEMA = "org.freedesktop.Secret.Generic";
    private static final String IS_LOCKED = "org.freedesktop.Secret.Error.IsLocked";
    private static final System.Logger LOG = System.getLogger(SecretServiceStore.class.getName());

    static final Capabilities CAPABILITIES = new Capabilities(true, true, true, false, true);

    private final SecretServiceSettings settings;
    private final String address;
    private final Object connectLock = new Object();
    private volatile Link link;
    private volatile boolean closed;

    /**
     * What one connection holds: the bus, the provider's unique name, the session on it, the
     * collection, and whether we saw it unlocked.
     */
    static final class Link {
        final BusConnection bus;
        /** The unique name (":1.N") that owned org.freedesktop.secrets when we connected: the only sender of signals we believe. */
        final String owner;
        final SecretServiceSession session;
        final String collection;
        final String collectionName;
        volatile boolean unlocked;
        volatile boolean stale;
        /**
         * Item paths by id, so a repeated get is one call instead of two. Only used while the
         * collection's ItemCreated/ItemDeleted/ItemChanged signals are subscribed: any of them
         * clears it and bumps the generation, so a duplicate another tool creates is seen.
         */
        final Map<List<String>, String> itemPaths = new ConcurrentHashMap<>();
        final AtomicLong generation = new AtomicLong();
        volatile boolean cacheEnabled;

        Link(BusConnection bus, String owner, SecretServiceSession session, String collection, String collectionName) {
            this.bus = bus;
            this.owner = owner;
            this.session = session;
            this.collection = collection;
            this.collectionName = collectionName;
        }

        void close() {
            session.destroy();
            bus.close();
        }
    }

    SecretServiceStore(SecretServiceSettings settings, String address) {
        this.settings = settings;
        this.address = address;
    }

    /** Opens the store and checks that the provider and collection are there (fails fast with the reason). */
    static SecretServiceStore open(SecretServiceSettings settings, String address) {
        SecretServiceStore store = new SecretServiceStore(settings, address);
        try {
            store.current();
            return store;
        } catch (BusCallException e) {
            store.close();
            throw store.translate("connecting", e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** The session algorithm in use (for diagnostics and tests); connects if needed. */
    String sessionAlgorithm() {
        return current().session.algorithm();
    }

    /** The session object path in use; connects if needed. */
    String sessionPath() {
        return current().session.path();
    }

    /** The collection object path in use; connects if needed. */
    String collectionPath() {
        return current().collection;
    }

    /** How many collection signals the item-path cache has believed on this connection (for tests); connects if needed. */
    long itemCacheGeneration() {
        return current().generation.get();
    }

    // ------------------------------------------------------------------ operations

    @Override
    public Optional<Secret> get(String service, String account) {
        checkName("service", service);
        checkName("account", account);
        List<String> key = List.of(service, account);
        return run("reading " + describe(service, account), l -> {
            if (l.cacheEnabled) {
                String cached = l.itemPaths.get(key);
                if (cached != null) {
                    long generation = l.generation.get();
                    Object[] r = getSecretIfItemExists(l, cached);
                    // no item was created, deleted or changed in the collection meanwhile: the cached path is still the answer
                    if (r != null && l.generation.get() == generation) return decode(l, r[0]);
                    if (r != null) wipe(r[0]);
                    l.itemPaths.remove(key, cached);
                }
            }
            long generation = l.generation.get();
            List<String> items = search(l, idAttributes(service, account));
            if (items.isEmpty()) return Optional.empty();
            String item = newest(l, items);
            Object[] r = l.bus.call(SECRETS, item, ITEM_IFACE, "GetSecret", "o", new DBusPath(l.session.path()));
            if (l.cacheEnabled && l.generation.get() == generation) {
                l.itemPaths.put(key, item);
                // a change signal handled between the check and the put: do not keep what it meant to clear
                if (l.generation.get() != generation) l.itemPaths.remove(key, item);
            }
            return decode(l, r[0]);
        });
    }

    private static Optional<Secret> decode(Link l, Object secretStruct) {
        byte[] plain = l.session.decode(secretStruct);
        try {
            return Optional.of(Secret.of(plain));
        } finally {
            Arrays.fill(plain, (byte) 0);
            wipe(secretStruct);
        }
    }

    /** Zeroes the value bytes of a received Secret struct (plaintext with the plain session). */
    private static void wipe(Object secretStruct) {
        try {
            Object[] s = DBusValues.struct(secretStruct);
            if (s.length > 2 && s[2] instanceof byte[] b) Arrays.fill(b, (byte) 0);
        } catch (BusCallException ignored) {
            // not a struct: nothing of ours to wipe
        }
    }

    /** GetSecret on a cached path; null when the item is gone or no longer answers as an item (then we search again). */
    private static Object[] getSecretIfItemExists(Link l, String item) {
        try {
            return l.bus.call(SECRETS, item, ITEM_IFACE, "GetSecret", "o", new DBusPath(l.session.path()));
        } catch (BusCallException e) {
            if (e.kind() == BusCallException.Kind.ERROR_REPLY && !e.isError(IS_LOCKED)) return null;
            throw e;
        }
    }

    @Override
    public void set(String service, String account, Secret secret) {
        checkName("service", service);
        checkName("account", account);
        if (secret == null) throw new NullPointerException("secret");
        byte[] plain = secret.asBytes();
        try {
            run("writing " + describe(service, account), l -> {
                l.itemPaths.remove(List.of(service, account));
                Map<String, String> attributes = new LinkedHashMap<>();
                attributes.put("service", service);
                attributes.put("username", account);
                attributes.put("application", settings.application());
                attributes.put("xdg:schema", GENERIC_SCHEMA);
                Map<String, Variant<?>> properties = new LinkedHashMap<>();
                properties.put(ITEM_IFACE + ".Label", new Variant<>("Password for '" + account + "' on '" + service + "'"));
                properties.put(ITEM_IFACE + ".Attributes", new Variant<>(attributes, "a{ss}"));
                Object[] struct = l.session.encode(plain);
                Object[] r;
                try {
                    r = l.bus.call(SECRETS, l.collection, COLLECTION_IFACE, "CreateItem", "a{sv}(oayays)b", properties, struct, true);
                } finally {
                    Arrays.fill((byte[]) struct[2], (byte) 0);
                }
                String item = DBusValues.path(r[0]);
                String prompt = DBusValues.path(r[1]);
                if (!"/".equals(prompt)) {
                    Object result = completePrompt(l, prompt, "storing an item in");
                    item = DBusValues.path(result);
                }
                // one item per id: remove the copies other tools (or an older keyring4j) left
                for (String other : search(l, idAttributes(service, account))) {
                    if (!other.equals(item)) deleteItem(l, other);
                }
                return null;
            });
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public boolean delete(String service, String account) {
        checkName("service", service);
        checkName("account", account);
        return run("deleting " + describe(service, account), l -> {
            l.itemPaths.remove(List.of(service, account));
            List<String> items = search(l, idAttributes(service, account));
            for (String item : items) deleteItem(l, item);
            return !items.isEmpty();
        });
    }

    @Override
    public List<CredentialId> list(String service) {
        checkName("service", service);
        return run("listing the accounts of service '" + service + "'", l -> {
            requireUnlockedNow(l);
            TreeSet<String> accounts = new TreeSet<>();
            for (String item : search(l, Map.of("service", service))) {
                String account = attributes(l, item).get("username");
                if (account != null && !account.isEmpty()) accounts.add(account);
            }
            List<CredentialId> out = new ArrayList<>();
            accounts.forEach(a -> out.add(new CredentialId(service, a)));
            return out;
        });
    }

    @Override
    public List<CredentialId> list() {
        return run("listing every credential", l -> {
            requireUnlockedNow(l);
            TreeSet<CredentialId> ids = new TreeSet<>(Comparator.comparing(CredentialId::service).thenComparing(CredentialId::account));
            for (String item : DBusValues.paths(l.bus.getProperty(SECRETS, l.collection, COLLECTION_IFACE, "Items"))) {
                Map<String, String> a = attributes(l, item);
                String service = a.get("service");
                String account = a.get("username");
                if (service != null && !service.isEmpty() && account != null && !account.isEmpty()) ids.add(new CredentialId(service, account));
            }
            return new ArrayList<>(ids);
        });
    }

    @Override
    public void close() {
        closed = true;
        synchronized (connectLock) {
            Link l = link;
            link = null;
            if (l != null) l.close();
        }
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

    private static List<String> search(Link l, Map<String, String> attributes) {
        Object[] r = l.bus.call(SECRETS, l.collection, COLLECTION_IFACE, "SearchItems", "a{ss}", attributes);
        return DBusValues.paths(r[0]);
    }

    private static Map<String, String> attributes(Link l, String item) {
        return DBusValues.stringMap(l.bus.getProperty(SECRETS, item, ITEM_IFACE, "Attributes"));
    }

    /** The most recently modified item; ties (the provider counts seconds) go to the later-created path. */
    private static String newest(Link l, List<String> items) {
        if (items.size() == 1) return items.get(0);
        String best = null;
        long bestModified = Long.MIN_VALUE;
        for (String item : items) {
            long modified = DBusValues.number(l.bus.getProperty(SECRETS, item, ITEM_IFACE, "Modified"));
            if (best == null || modified > bestModified || (modified == bestModified && laterPath(item, best))) {
                best = item;
                bestModified = modified;
            }
        }
        return best;
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

    private void deleteItem(Link l, String item) {
        Object[] r = l.bus.call(SECRETS, item, ITEM_IFACE, "Delete", null);
        String prompt = DBusValues.path(r[0]);
        if (!"/".equals(prompt)) completePrompt(l, prompt, "deleting an item from");
    }

    // ------------------------------------------------------------------ connection, retry, locking

    /**
     * Runs {@code body} on the current link. A provider that went away is reconnected to and the
     * body retried once; a locked collection is unlocked (or reported) and the body retried once.
     */
    private <T> T run(String what, Function<Link, T> body) {
        BusCallException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Link l;
            try {
                l = current();
            } catch (BusCallException e) {
                throw translate(what, e);
            }
            try {
                if (!l.unlocked) ensureUnlocked(l);
                return body.apply(l);
            } catch (BusCallException e) {
                last = e;
                if (e.isError(IS_LOCKED)) {
                    // locked behind our back (another client called Lock): unlock, then retry
                    l.unlocked = false;
                    continue;
                }
                if (e.providerGone() && !closed) {
                    LOG.log(System.Logger.Level.DEBUG, "secret-service: provider went away ({0}); reconnecting", e.getMessage());
                    invalidate(l);
                    continue;
                }
                throw translate(what, e);
            }
        }
        throw translate(what, last);
    }

    private Link current() {
        if (closed) throw new IllegalStateException("this secret-service store is closed");
        Link l = link;
        if (l != null && !l.stale && l.bus.isConnected()) return l;
        synchronized (connectLock) {
            if (closed) throw new IllegalStateException("this secret-service store is closed");
            l = link;
            if (l != null && !l.stale && l.bus.isConnected()) return l;
            if (l != null) l.close();
            link = null;
            link = connect();
            return link;
        }
    }

    private void invalidate(Link l) {
        synchronized (connectLock) {
            l.stale = true;
            if (link == l) {
                link = null;
                l.close();
            }
        }
    }

    private Link connect() {
        BusConnection bus = BusConnection.open(address, settings.timeout());
        try {
            requireProvider(bus, address);
            String collection = resolveCollection(bus, settings);
            SecretServiceSession session = openSession(bus, settings.sessionAlgorithm());
            // resolved after the calls above, which start an activatable provider
            String owner = bus.nameOwner(SECRETS);
            Link l = new Link(bus, owner, session, collection, collectionName(bus, collection));
            watchOwner(l);
            // a new owner between GetNameOwner and the subscription would go unseen: ask once more
            if (!owner.equals(bus.nameOwner(SECRETS))) l.stale = true;
            watchItems(l);
            return l;
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    /**
     * A new owner of org.freedesktop.secrets (a restarted provider) makes our session path and the
     * owner we believe meaningless: the next call reconnects and asks the bus who owns it now.
     * Only the bus itself announces owners.
     */
    private static void watchOwner(Link l) {
        try {
            l.bus.onSignal(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "NameOwnerChanged", args -> {
                if (args != null && args.length > 0 && SECRETS.equals(args[0])) l.stale = true;
            });
        } catch (BusCallException e) {
            // without the signal, errors from the stale session still trigger the reconnect
        }
    }

    /** Any change of the collection's items (by any client, as the provider announces it) invalidates the item-path cache. */
    private static void watchItems(Link l) {
        try {
            l.bus.onSignal(l.owner, l.collection, COLLECTION_IFACE, null, args -> {
                l.generation.incrementAndGet();
                l.itemPaths.clear();
            });
            l.cacheEnabled = true;
        } catch (BusCallException e) {
            // no subscription, no cache: every get searches
        }
    }

    static void requireProvider(BusConnection bus, String address) {
        boolean owned = DBusValues.bool(bus.call(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "NameHasOwner", "s", SECRETS)[0]);
        if (owned) return;
        List<Object> activatable = DBusValues.list(bus.call(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "ListActivatableNames", null)[0]);
        if (activatable.contains(SECRETS)) return;
        throw new BackendUnavailableException("secret-service: no Secret Service provider on the session bus " + shortAddress(address)
                + ": nothing owns " + SECRETS + " and it is not activatable (start gnome-keyring-daemon, KeePassXC with Secret Service integration, or KWallet)");
    }

    static String shortAddress(String address) {
        return address.replaceAll(",guid=[^;]*", "");
    }

    /** The configured collection (an alias, a name under /org/freedesktop/secrets/collection/, or a path), else default, login, session. */
    static String resolveCollection(BusConnection bus, SecretServiceSettings settings) {
        if (settings.collection().isPresent()) {
            String c = settings.collection().get();
            Optional<String> found = c.startsWith("/") ? existing(bus, c) : alias(bus, c).or(() -> existing(bus, COLLECTION_PREFIX + c));
            return found.orElseThrow(() -> new BackendUnavailableException("secret-service: the collection '" + c
                    + "' (from secret-service.collection) does not exist; create it (e.g. in Seahorse) or configure another"));
        }
        Optional<String> found = alias(bus, "default");
        if (found.isEmpty()) found = existing(bus, COLLECTION_PREFIX + "login");
        if (found.isEmpty()) {
            found = alias(bus, "session").or(() -> existing(bus, COLLECTION_PREFIX + "session"));
            found.ifPresent(p -> LOG.log(System.Logger.Level.WARNING,
                    "secret-service: no default or login collection; using the session collection, which does not survive a logout"));
        }
        return found.orElseThrow(() -> new BackendUnavailableException(
                "secret-service: the Secret Service has no default, login or session collection; create one (log in to the desktop once, or use Seahorse)"));
    }

    private static Optional<String> alias(BusConnection bus, String name) {
        String p = DBusValues.path(bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "ReadAlias", "s", name)[0]);
        return "/".equals(p) ? Optional.empty() : Optional.of(p);
    }

    private static Optional<String> existing(BusConnection bus, String path) {
        try {
            bus.getProperty(SECRETS, path, COLLECTION_IFACE, "Locked");
            return Optional.of(path);
        } catch (BusCallException e) {
            if (e.kind() == BusCallException.Kind.ERROR_REPLY && !e.providerGone()) return Optional.empty();
            if (e.isError("org.freedesktop.DBus.Error.UnknownObject") || e.isError("org.freedesktop.DBus.Error.UnknownMethod")
                    || e.isError("org.freedesktop.Secret.Error.NoSuchObject")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static String collectionName(BusConnection bus, String path) {
        try {
            String label = String.valueOf(bus.getProperty(SECRETS, path, COLLECTION_IFACE, "Label"));
            return label.isEmpty() ? path : label;
        } catch (BusCallException e) {
            return path;
        }
    }

    static SecretServiceSession openSession(BusConnection bus, String algorithm) {
        if (SecretServiceSettings.PLAIN_ALGORITHM.equals(algorithm)) {
            Object[] r = bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "OpenSession", "sv", algorithm, new Variant<>(""));
            return new PlainSession(DBusValues.path(r[1]));
        }
        DhIetf1024Session.Exchange exchange = new DhIetf1024Session.Exchange();
        Object[] r;
        try {
            r = bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "OpenSession", "sv", algorithm, new Variant<>(exchange.publicValue(), "ay"));
        } catch (BusCallException e) {
            if (e.isError("org.freedesktop.DBus.Error.NotSupported")) {
                throw new BackendUnavailableException("secret-service: the provider does not support the encrypted session " + algorithm
                        + "; keyring4j does not fall back to plain by itself (set secret-service.session=plain to accept unencrypted transfer on the bus)");
            }
            throw e;
        }
        return exchange.complete(DBusValues.path(r[1]), DBusValues.bytes(r[0]));
    }

    private void ensureUnlocked(Link l) {
        if (!DBusValues.bool(l.bus.getProperty(SECRETS, l.collection, COLLECTION_IFACE, "Locked"))) {
            l.unlocked = true;
            return;
        }
        unlock(l);
    }

    /** list() reads attributes, which a locked gnome-keyring collection only shows hashed: check every time. */
    private void requireUnlockedNow(Link l) {
        l.unlocked = false;
        ensureUnlocked(l);
    }

    private void unlock(Link l) {
        Object[] r = l.bus.call(SECRETS, SERVICE_PATH, SERVICE_IFACE, "Unlock", "ao", List.of(new DBusPath(l.collection)));
        List<String> unlocked = DBusValues.paths(r[0]);
        String prompt = DBusValues.path(r[1]);
        if (!unlocked.contains(l.collection)) {
            if ("/".equals(prompt)) {
                throw new LockedException("secret-service: the collection '" + l.collectionName + "' (" + l.collection
                        + ") is locked and the provider refused to unlock it; unlock it in your desktop's keyring tool (e.g. Seahorse)");
            }
            completePrompt(l, prompt, "unlocking");
        }
        if (DBusValues.bool(l.bus.getProperty(SECRETS, l.collection, COLLECTION_IFACE, "Locked"))) {
            throw new LockedException("secret-service: the collection '" + l.collectionName + "' (" + l.collection + ") is still locked after the unlock prompt");
        }
        l.unlocked = true;
    }

    /**
     * Completes a prompt if prompts are allowed, else dismisses it and throws {@link LockedException}.
     * The Completed handler is registered before Prompt is called, believes only the provider's
     * own signal, the wait is bounded, and a prompt nobody answers in time is dismissed.
     */
    private Object completePrompt(Link l, String prompt, String action) {
        String where = "the collection '" + l.collectionName + "' (" + l.collection + ")";
        if (!settings.promptAllowed()) {
            dismiss(l, prompt);
            throw new LockedException("secret-service: " + action + " " + where + " needs a prompt (it is locked), and prompts are not allowed;"
                    + " unlock it first (log in to the desktop session, open Seahorse, or run `secret-tool lookup …` in the session),"
                    + " or set secret-service.prompt=allow to let keyring4j show the unlock prompt");
        }
        CompletableFuture<Object[]> done = new CompletableFuture<>();
        AutoCloseable subscription = l.bus.onSignal(l.owner, prompt, PROMPT_IFACE, "Completed", args -> done.complete(args == null ? new Object[0] : args));
        try {
            l.bus.call(SECRETS, prompt, PROMPT_IFACE, "Prompt", "s", "");
            Object[] completed = done.get(settings.promptTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (completed.length < 2 || DBusValues.bool(completed[0])) {
                throw new LockedException("secret-service: the prompt for " + action + " " + where + " was dismissed; unlock the collection and retry");
            }
            return DBusValues.unwrap(completed[1]);
        } catch (TimeoutException e) {
            dismiss(l, prompt);
            throw new LockedException("secret-service: nobody answered the prompt for " + action + " " + where + " within "
                    + settings.promptTimeout().toSeconds() + " s (secret-service.prompt-timeout); it was dismissed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dismiss(l, prompt);
            throw new LockedException("secret-service: interrupted while waiting for the prompt for " + action + " " + where, e);
        } catch (ExecutionException e) {
            throw new KeyringException("secret-service: the prompt for " + action + " " + where + " failed", e.getCause());
        } finally {
            try {
                subscription.close();
            } catch (Exception ignored) {
                // the connection may be gone; the rule goes with it
            }
        }
    }

    private static void dismiss(Link l, String prompt) {
        try {
            l.bus.call(SECRETS, prompt, PROMPT_IFACE, "Dismiss", null);
        } catch (BusCallException ignored) {
            // best effort: an unanswered prompt is dropped by the provider with our connection
        }
    }

    // ------------------------------------------------------------------ errors and names

    KeyringException translate(String what, BusCallException e) {
        String where = " on the session bus " + shortAddress(address);
        return switch (e.kind()) {
            case TIMEOUT -> new KeyringException("secret-service: the Secret Service did not answer while " + what + where + " within "
                    + settings.timeout().toMillis() + " ms (secret-service.timeout); the provider may be hung: restart it (e.g. gnome-keyring-daemon --replace)"
                    + (what.startsWith("reading") || what.startsWith("listing") ? "" : "; the request was sent, so it may still take effect if the provider resumes"), e);
            case DISCONNECTED -> new BackendUnavailableException("secret-service: lost the session bus while " + what + where + ": " + e.getMessage(), e);
            case ERROR_REPLY -> {
                String name = e.errorName() == null ? "" : e.errorName();
                if (name.equals(IS_LOCKED)) {
                    yield new LockedException("secret-service: the collection is locked (" + what + "); unlock it (log in to the desktop session or open Seahorse), or set secret-service.prompt=allow", e);
                }
                if (name.equals("org.freedesktop.DBus.Error.ServiceUnknown") || name.equals("org.freedesktop.DBus.Error.NameHasNoOwner")) {
                    yield new BackendUnavailableException("secret-service: no Secret Service provider answers" + where + " (" + what + "): " + e.getMessage(), e);
                }
                if (name.equals("org.freedesktop.DBus.Error.AccessDenied")) {
                    yield new AccessDeniedException("secret-service: the Secret Service refused " + what + ": " + e.getMessage(), e);
                }
                yield new KeyringException("secret-service: " + what + " failed: " + e.getMessage(), e);
            }
        };
    }

    /**
     * Names travel as D-Bus strings, which must be valid UTF-8 without NUL: a name with NUL or an
     * unpaired surrogate cannot be stored faithfully and is refused before anything is written.
     */
    static void checkName(String what, String name) {
        if (name == null) throw new NullPointerException(what);
        if (name.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\0') throw new IllegalArgumentException(what + " must not contain NUL (D-Bus strings cannot hold it)");
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException(what + " contains an unpaired surrogate, which UTF-8 (and so D-Bus) cannot hold");
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired surrogate, which UTF-8 (and so D-Bus) cannot hold");
            }
        }
    }

    private static String describe(String service, String account) {
        return "'" + account + "' on '" + service + "'";
    }
}
