package dev.keyring4j.kernel;

import static dev.keyring4j.kernel.ErrnoMapper.absent;
import static dev.keyring4j.kernel.KeyctlSyscalls.EDQUOT;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOENT;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOKEY;
import static dev.keyring4j.kernel.KeyctlSyscalls.EOPNOTSUPP;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import java.util.function.Consumer;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials in the kernel key retention service, laid out as
 * {@code <target keyring> → <namespace> (keyring) → <service> (keyring) → <account> (user key)}.
 * The keyrings are the {@link KeyringTree}'s, names go through the {@link NameCodec}, errnos
 * through the {@link ErrnoMapper}; this class reads and writes the account keys
 * ({@link EntryKind}) and retries once the tree's cache turns out stale. Every key it creates gets
 * {@link KeyringTree#PERMISSIONS} and its expiry before it becomes visible; an overwrite is atomic
 * (a reader sees the old value or the new, never none): a new key is staged and moved over the old
 * one, and a plain secret over the key this store staged last is updated in place. Thread-safe.
 */
final class KernelKeyStore implements CredentialStore {
    private final KeyringTree tree;
    private final ErrnoMapper errors;
    private final Object[] serviceLocks = new Object[64];
    private volatile Boolean bigKey;
    private volatile boolean moveSupported = true;
    /** The plain {@code user} key this store last staged per account, for {@link #updateInPlace}; a hint, checked on each use. */
    private final ConcurrentHashMap<Slot, Written> written = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final CredentialWatcher watcher;

    KernelKeyStore(KernelTarget target, String namespace, Duration watchInterval) {
        // keys carry no change notification here (see notificationPipeUnavailable): a watch polls what it watches
        this.watcher = new CredentialWatcher("kernel", CredentialWatcher.secretsOf(this), CredentialWatcher.polling(watchInterval));
        this.errors = new ErrnoMapper(target);
        this.tree = new KeyringTree(target, namespace, errors);
        for (int i = 0; i < serviceLocks.length; i++) serviceLocks[i] = new Object();
    }

    @Override
    public String id() {
        return "kernel";
    }

    @Override
    public Capabilities capabilities() {
        return KernelKeyringProvider.CAPABILITIES;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<Secret> get(String service, String account) {
        byte[] s = NameCodec.serviceName(service);
        byte[] a = NameCodec.accountName(account);
        ensureOpen();
        KeyctlSyscalls.Read r;
        int previous = 0;
        for (int attempt = 0; ; attempt++) {
            Located found = locate(service, s, a);
            if (!found.present()) return Optional.empty();
            if (found.kind() == EntryKind.EMPTY) return Optional.of(Secret.of(new byte[0]));
            r = KeyctlSyscalls.read(found.key());
            if (r.ok()) break;
            if (!absent(r.errno())) throw errors.failure("reading " + tree.where(service, account), r.errno());
            // expired, revoked or removed since the search; a write that replaced the key (a staged
            // key moved in, or a change of kind) left its successor there: search again for it
            if (found.key() == previous || attempt == 3) return Optional.empty();
            previous = found.key();
        }
        byte[] bytes = r.bytes();
        try {
            return Optional.of(Secret.of(bytes));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private record Slot(String service, String account) {
    }

    /** A key this store staged with {@link KeyringTree#PERMISSIONS} and no expiry, and the service keyring it was moved into. */
    private record Written(int service, int key) {
    }

    /** Where an account's secret is: its service keyring (0 when none), its key (0 when absent) and the key's kind. */
    private record Located(int service, int key, EntryKind kind) {
        boolean present() {
            return key != 0;
        }
    }

    /** The result of a search for an account's key: the id, or -errno; {@code kind} is the kind searched last. */
    private record Search(long result, EntryKind kind) {
    }

    /**
     * An account's key. A miss answered from the cache is checked against the current layout once,
     * so a keyring replaced by another process is found.
     */
    private Located locate(String service, byte[] s, byte[] a) {
        for (int attempt = 0; ; attempt++) {
            boolean cached = tree.cached(service);
            int svc = tree.serviceId(service, s, false);
            if (svc != 0) {
                Search k = searchAccount(svc, a);
                if (k.result() > 0) return new Located(svc, (int) k.result(), k.kind());
                int e = (int) -k.result();
                if (!absent(e)) throw errors.failure("searching " + tree.where(service, null), e);
                if (tree.stillLinked(s, svc)) return new Located(svc, 0, null);
            }
            if (!cached || attempt > 0) return new Located(svc, 0, null);
            tree.refresh(service);
        }
    }

    /**
     * The key holding an account's secret and its kind: a {@code user} key; a {@code big_key};
     * or, for an empty secret (which neither type can hold), an empty keyring named after the account.
     */
    private Search searchAccount(int svc, byte[] account) {
        long k = KeyctlSyscalls.search(svc, EntryKind.USER.type, account);
        if (k != -ENOKEY) return new Search(k, EntryKind.USER);
        if (bigKeySupported()) {
            long big = KeyctlSyscalls.search(svc, EntryKind.BIG_KEY.type, account);
            if (big != -ENOKEY) return new Search(big, EntryKind.BIG_KEY);
        }
        byte[] marker = EntryKind.EMPTY.description(account);
        if (marker == null) return new Search(k, EntryKind.USER);
        long empty = KeyctlSyscalls.search(svc, EntryKind.EMPTY.type, marker);
        return new Search(empty == -ENOKEY ? k : empty, EntryKind.EMPTY);
    }

    @Override
    public List<CredentialId> list(String service) {
        byte[] s = NameCodec.serviceName(service);
        ensureOpen();
        for (int attempt = 0; ; attempt++) {
            int svc = tree.serviceId(service, s, false);
            if (svc == 0 || !tree.stillLinked(s, svc)) {
                if (attempt > 0) return List.of();
                tree.refresh(service);
                continue;
            }
            List<CredentialId> out = accounts(service, svc);
            if (out != null) return out;
            if (attempt > 0) return List.of();
            tree.refresh(service);
        }
    }

    /** The accounts in a service keyring, or null when the keyring is gone. */
    private List<CredentialId> accounts(String service, int svc) {
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(svc);
        if (!r.ok()) {
            if (absent(r.errno())) return null;
            throw errors.failure("listing " + tree.where(service, null), r.errno());
        }
        Set<CredentialId> out = new LinkedHashSet<>();
        for (int id : KeyctlSyscalls.ids(r.bytes())) {
            KeyctlSyscalls.Described d = KeyctlSyscalls.describe(id);
            if (!d.ok()) {
                if (absent(d.errno())) continue; // expired or revoked: absent
                throw errors.failure("describing key " + id + " in " + tree.where(service, null), d.errno());
            }
            String type = d.description().type();
            if (type.equals(EntryKind.USER.type) || type.equals(EntryKind.BIG_KEY.type)) out.add(new CredentialId(service, d.description().name()));
            else if (type.equals(EntryKind.EMPTY.type)) out.add(new CredentialId(service, NameCodec.unescape(d.description().name())));
        }
        return List.copyOf(out);
    }

    @Override
    public List<CredentialId> list() {
        ensureOpen();
        int ns = tree.namespaceId(false);
        if (ns != 0 && !tree.namespaceStillLinked(ns)) {
            tree.refresh(null);
            ns = tree.namespaceId(false);
        }
        if (ns == 0) return List.of();
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(ns);
        if (!r.ok()) {
            if (absent(r.errno())) return List.of();
            throw errors.failure("listing the namespace keyring '" + tree.namespace() + "'", r.errno());
        }
        List<CredentialId> out = new ArrayList<>();
        for (int id : KeyctlSyscalls.ids(r.bytes())) {
            KeyctlSyscalls.Described d = KeyctlSyscalls.describe(id);
            if (!d.ok()) {
                if (absent(d.errno())) continue;
                throw errors.failure("describing keyring " + id + " in namespace '" + tree.namespace() + "'", d.errno());
            }
            if (!d.description().type().equals("keyring")) continue;
            List<CredentialId> accounts = accounts(NameCodec.unescape(d.description().name()), id);
            if (accounts != null) out.addAll(accounts);
        }
        return out;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void set(String service, String account, Secret secret) {
        write(service, account, secret, 0);
    }

    /**
     * Stores with a kernel expiry: the key is never dropped before {@code ttl} has passed, and at
     * most about a second after it. {@code ttl} must be positive.
     */
    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        if (ttl == null) throw new NullPointerException("ttl");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        // the kernel sets the expiry to the current whole second plus the timeout and drops the key when
        // that second starts, so a timeout of N lives N-1 to N seconds (a 1 s ttl set at x.995 s ended
        // 5 ms later): one second more than the ttl rounded up keeps the promise of "at least ttl"
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0) + 1;
        if (seconds > 0xFFFF_FFFFL) throw new IllegalArgumentException("ttl exceeds the kernel's limit of 4294967295 seconds");
        write(service, account, secret, seconds);
    }

    private void write(String service, String account, Secret secret, long timeoutSeconds) {
        byte[] s = NameCodec.serviceName(service);
        byte[] a = NameCodec.accountName(account);
        if (secret == null) throw new NullPointerException("secret");
        ensureOpen();
        byte[] payload = secret.asBytes();
        try {
            EntryKind kind = EntryKind.forLength(payload.length, this::bigKeySupported);
            if (kind == EntryKind.EMPTY) NameCodec.keyringName(a); // refuses, before anything is written, a marker name the kernel cannot hold
            Slot slot = new Slot(service, account);
            synchronized (lockFor(service)) {
                boolean plain = kind == EntryKind.USER && timeoutSeconds == 0;
                if (plain && updateInPlace(slot, service, a, payload)) return;
                written.remove(slot);
                for (int attempt = 0; attempt < 5; attempt++) {
                    int svc = tree.serviceId(service, s, true);
                    int key = stage(kind, a, payload, timeoutSeconds, service, account);
                    // the move replaces an older key of that name atomically: readers see the old value or the new, never neither
                    long m = place(key, svc);
                    if (m < 0) {
                        KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, key, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                        int e = (int) -m;
                        if (absent(e)) {
                            tree.refresh(service); // the service keyring was removed behind our back
                            continue;
                        }
                        if (e == EDQUOT) tree.removeServiceIfEmpty(service, s, svc);
                        throw errors.failure("storing " + tree.where(service, account), e);
                    }
                    removeOtherKinds(svc, kind, a);
                    if (tree.stillLinked(s, svc)) {
                        if (plain) written.put(slot, new Written(svc, key));
                        return;
                    }
                    tree.refresh(service); // another process removed or replaced the keyring while we wrote: write again
                }
                throw new KeyringException("storing " + tree.where(service, account) + " failed: its service keyring kept disappearing"
                        + " (another process is removing it concurrently)");
            }
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    /**
     * Overwrites, in place, the {@code user} key this store last wrote for the account: two system
     * calls instead of six, and no new key. {@code KEYCTL_UPDATE} swaps the payload atomically (a
     * reader sees the old value or the new; the key never leaves the keyring) and clears any expiry,
     * as a set without a ttl must; the key keeps the {@link KeyringTree#PERMISSIONS} it was staged
     * with, which only its owner (this uid) can change. The search afterwards proves the key is
     * still the one readers find: if another writer replaced it meanwhile, the update went to a key
     * nobody reads and the caller writes again by staging. False means: take the staging path.
     */
    private boolean updateInPlace(Slot slot, String service, byte[] a, byte[] payload) {
        Written w = written.get(slot);
        if (w == null || !tree.isCachedService(service, w.service())) return false;
        if (KeyctlSyscalls.update(w.key(), payload) < 0) return false; // gone, expired, refused, over quota: staging decides and reports
        return KeyctlSyscalls.search(w.service(), EntryKind.USER.type, a) == w.key();
    }

    /**
     * Puts the staged key into the service keyring: {@code KEYCTL_MOVE} without {@code MOVE_EXCL}
     * (replaces a key of that name). Kernels before 5.3 lack it ({@code EOPNOTSUPP}); there the key
     * is linked, which displaces a same-named key just as atomically, and then unlinked from the
     * thread keyring. Returns 0 or -errno.
     */
    private long place(int key, int svc) {
        if (moveSupported) {
            long m = KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, key, KeyctlSyscalls.THREAD_KEYRING, svc, 0);
            if (m != -EOPNOTSUPP) return m;
            moveSupported = false;
        }
        long l = KeyctlSyscalls.keyctl(KeyctlSyscalls.LINK, key, svc, 0, 0);
        KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, key, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
        return l;
    }

    /** Takes the link-and-unlink path of kernels without {@code KEYCTL_MOVE} from now on (tests use it on kernels that have it). */
    void withoutMove() {
        moveSupported = false;
    }

    /**
     * Creates the key in this thread's keyring, where this thread possesses it, and gives it its
     * permissions and expiry there, before anyone else can see it. Returns its id.
     */
    private int stage(EntryKind kind, byte[] a, byte[] payload, long timeoutSeconds, String service, String account) {
        long k = KeyctlSyscalls.addKey(kind.type, kind.description(a), kind == EntryKind.EMPTY ? null : payload, KeyctlSyscalls.THREAD_KEYRING);
        if (k < 0) throw errors.failure("storing " + tree.where(service, account) + " (" + payload.length + " bytes, as " + kind.type + ")", (int) -k);
        int key = (int) k;
        long p = KeyctlSyscalls.keyctl(KeyctlSyscalls.SETPERM, key, KeyringTree.PERMISSIONS, 0, 0);
        // a staged key is always new (failed attempts unlink theirs), so without a ttl there is no expiry to clear
        long t = p < 0 || timeoutSeconds == 0 ? p : KeyctlSyscalls.keyctl(KeyctlSyscalls.SET_TIMEOUT, key, timeoutSeconds, 0, 0);
        if (t < 0) {
            KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, key, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
            throw errors.failure((p < 0 ? "setting permissions on " : "setting the expiry of ") + tree.where(service, account), (int) -t);
        }
        return key;
    }

    /** A secret that changed kind (user, big_key, empty) leaves no stale key of another kind behind. */
    private void removeOtherKinds(int svc, EntryKind kind, byte[] account) {
        for (EntryKind other : EntryKind.values()) {
            if (other == kind || other == EntryKind.BIG_KEY && !bigKeySupported()) continue;
            byte[] description = other.description(account);
            if (description == null) continue;
            long k = KeyctlSyscalls.search(svc, other.type, description);
            if (k > 0) KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, k, svc, 0, 0);
        }
    }

    @Override
    public boolean delete(String service, String account) {
        byte[] s = NameCodec.serviceName(service);
        byte[] a = NameCodec.accountName(account);
        ensureOpen();
        synchronized (lockFor(service)) {
            written.remove(new Slot(service, account));
            Located found = locate(service, s, a);
            if (!found.present()) return false;
            long u = KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, found.key(), found.service(), 0, 0);
            if (u < 0) {
                int e = (int) -u;
                if (e == ENOENT || absent(e)) return false; // someone else removed it first
                throw errors.failure("deleting " + tree.where(service, account), e);
            }
            // scrub the payload now even if something else still links the key; errors only mean it is gone already
            KeyctlSyscalls.keyctl(KeyctlSyscalls.INVALIDATE, found.key(), 0, 0, 0);
            tree.removeServiceIfEmpty(service, s, found.service());
            return true;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Whether this kernel has the {@code big_key} type, asked once per store. */
    private boolean bigKeySupported() {
        Boolean b = bigKey;
        if (b != null) return b;
        b = EntryKind.bigKeyTypeExists();
        bigKey = b;
        return b;
    }

    private Object lockFor(String service) {
        return serviceLocks[(service.hashCode() & 0x7fffffff) % serviceLocks.length];
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("this kernel keyring store is closed");
    }

    /**
     * Polls the watched keys every {@code kernel.watch-interval} (5 s by default) and fires for those
     * whose value changed, whoever changed them ({@code keyctl}, another process); a change undone
     * within one interval, and an expiry or a revocation followed by a new key with the same value,
     * go unseen. One poll reads each watched key once, whatever the number of subscriptions on it.
     */
    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        NameCodec.serviceName(service);
        NameCodec.accountName(account);
        ensureOpen();
        return watcher.watch(service, account, listener);
    }

    /** {@code 5 s}, {@code 250 ms}. */
    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        watcher.close();
        closed = true;
        written.clear();
        tree.clear();
    }

    @Override
    public String toString() {
        return "KernelKeyStore[" + tree + "]";
    }
}
