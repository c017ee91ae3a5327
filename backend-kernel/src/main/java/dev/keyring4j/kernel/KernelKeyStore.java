package dev.keyring4j.kernel;

import static dev.keyring4j.kernel.KeyctlSyscalls.EACCES;
import static dev.keyring4j.kernel.KeyctlSyscalls.EDQUOT;
import static dev.keyring4j.kernel.KeyctlSyscalls.EEXIST;
import static dev.keyring4j.kernel.KeyctlSyscalls.EINVAL;
import static dev.keyring4j.kernel.KeyctlSyscalls.EKEYEXPIRED;
import static dev.keyring4j.kernel.KeyctlSyscalls.EKEYREVOKED;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOENT;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOKEY;
import static dev.keyring4j.kernel.KeyctlSyscalls.ENOSYS;
import static dev.keyring4j.kernel.KeyctlSyscalls.EOPNOTSUPP;
import static dev.keyring4j.kernel.KeyctlSyscalls.EPERM;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.QuotaExceededException;
import dev.keyring4j.Secret;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Every key and keyring it creates gets {@link #PERMISSIONS}. Keyring ids are cached; an
 * operation that finds a cached keyring gone (removed behind its back) looks the chain up again
 * and retries. Thread-safe.
 */
final class KernelKeyStore implements CredentialStore {
    /** The {@code user} key type's payload limit (include/keys/user-type.h). */
    static final int USER_MAX = 32767;
    /** The {@code big_key} type's payload limit (security/keys/big_key.c). */
    static final int BIG_KEY_MAX = 1024 * 1024;
    /** A key description is copied with a 4096-byte limit including its NUL. */
    static final int NAME_MAX = 4095;
    /**
     * Owning user: view, read, write, search, link, setattr, so the user's other processes read
     * without possessing. Possessor, group and other: nothing. Possessor rights are added to those
     * of the caller's uid whatever that uid is, and a process of another user can possess these
     * keys (a session keyring that links this user's {@code @u} survives a setuid), so they would
     * reach across users; the creating process is the owner, so the user rights cover all it does.
     */
    static final int PERMISSIONS = 0x003f0000;
    /** The mask earlier versions gave; a namespace or service keyring found with it is tightened to {@link #PERMISSIONS}. */
    static final int LEGACY_PERMISSIONS = 0x3f3f0000;

    /** Kinds of account entry, indexes into {@link #TYPES}. */
    static final int USER = 0;
    static final int BIG = 1;
    static final int EMPTY = 2;
    static final String[] TYPES = {"user", "big_key", "keyring"};

    private static final Capabilities CAPABILITIES = new Capabilities(true, false, false, true, true);
    /** Keyring creation is serialized in the process: it stages keyrings in the thread keyring and moves them. */
    private static final Object CREATION = new Object();
    private static final byte[] PROBE_DESCRIPTION = "keyring4j.big_key.probe".getBytes(StandardCharsets.US_ASCII);

    private final KernelTarget target;
    private final String namespace;
    private final byte[] namespaceName;
    private final ConcurrentHashMap<String, Integer> services = new ConcurrentHashMap<>();
    private final Object[] serviceLocks = new Object[64];
    private volatile int targetId;
    private volatile int namespaceId;
    private volatile Boolean bigKey;
    private volatile boolean closed;

    KernelKeyStore(KernelTarget target, String namespace) {
        this.target = target;
        this.namespace = namespace;
        this.namespaceName = keyringName(name("namespace", namespace));
        for (int i = 0; i < serviceLocks.length; i++) serviceLocks[i] = new Object();
    }

    @Override
    public String id() {
        return "kernel";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** The largest secret this kernel holds: {@code big_key}'s limit when the kernel has that type, else {@code user}'s. */
    int maxSecretBytes() {
        return bigKeySupported() ? BIG_KEY_MAX : USER_MAX;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<Secret> get(String service, String account) {
        byte[] s = serviceName(service);
        byte[] a = name("account", account);
        ensureOpen();
        int[] found = locate(service, s, a);
        int key = found[1];
        if (key == 0) return Optional.empty();
        if (found[2] == EMPTY) return Optional.of(Secret.of(new byte[0]));
        KeyctlSyscalls.Read r = KeyctlSyscalls.read(key);
        if (!r.ok()) {
            if (absent(r.errno())) return Optional.empty(); // expired, revoked or removed since the search
            throw failure("reading " + where(service, account), r.errno());
        }
        byte[] bytes = r.bytes();
        try {
            return Optional.of(Secret.of(bytes));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * {service keyring, key, kind} for an account, {x, 0, x} when absent. A miss answered from the cache is
     * checked against the current layout once, so a keyring replaced by another process is found.
     */
    private int[] locate(String service, byte[] s, byte[] a) {
        for (int attempt = 0; ; attempt++) {
            boolean cached = services.containsKey(service) || namespaceId != 0;
            int svc = serviceId(service, s, false);
            if (svc != 0) {
                int[] kind = new int[1];
                long k = searchAccount(svc, a, kind);
                if (k > 0) return new int[] {svc, (int) k, kind[0]};
                int e = (int) -k;
                if (!absent(e)) throw failure("searching " + where(service, null), e);
                if (stillLinked(s, svc)) return new int[] {svc, 0, 0};
            }
            if (!cached || attempt > 0) return new int[] {svc, 0, 0};
            refresh(service);
        }
    }

    /**
     * The key holding an account's secret and its kind: a {@code user} key; a {@code big_key};
     * or, for an empty secret (which neither type can hold), an empty keyring named after the account.
     */
    private long searchAccount(int svc, byte[] account, int[] kind) {
        long k = KeyctlSyscalls.search(svc, "user", account);
        kind[0] = USER;
        if (k != -ENOKEY) return k;
        if (bigKeySupported()) {
            long big = KeyctlSyscalls.search(svc, "big_key", account);
            kind[0] = BIG;
            if (big != -ENOKEY) return big;
        }
        byte[] marker = markerName(account);
        if (marker == null) return k;
        long empty = KeyctlSyscalls.search(svc, "keyring", marker);
        kind[0] = EMPTY;
        return empty == -ENOKEY ? k : empty;
    }

    @Override
    public List<CredentialId> list(String service) {
        byte[] s = serviceName(service);
        ensureOpen();
        for (int attempt = 0; ; attempt++) {
            int svc = serviceId(service, s, false);
            if (svc == 0 || !stillLinked(s, svc)) {
                if (attempt > 0) return List.of();
                refresh(service);
                continue;
            }
            List<CredentialId> out = accounts(service, svc);
            if (out != null) return out;
            if (attempt > 0) return List.of();
            refresh(service);
        }
    }

    /** The accounts in a service keyring, or null when the keyring is gone. */
    private List<CredentialId> accounts(String service, int svc) {
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(svc);
        if (!r.ok()) {
            if (absent(r.errno())) return null;
            throw failure("listing " + where(service, null), r.errno());
        }
        Set<CredentialId> out = new LinkedHashSet<>();
        int[] errno = new int[1];
        for (int id : KeyctlSyscalls.ids(r.bytes())) {
            KeyctlSyscalls.Description d = KeyctlSyscalls.describe(id, errno);
            if (d == null) {
                if (absent(errno[0])) continue; // expired or revoked: absent
                throw failure("describing key " + id + " in " + where(service, null), errno[0]);
            }
            if (d.type().equals("user") || d.type().equals("big_key")) out.add(new CredentialId(service, d.name()));
            else if (d.type().equals("keyring")) out.add(new CredentialId(service, unescape(d.name())));
        }
        return List.copyOf(out);
    }

    @Override
    public List<CredentialId> list() {
        ensureOpen();
        int ns = namespaceId(false);
        if (ns != 0 && !linked(targetId(), namespaceName, ns)) {
            refresh(null);
            ns = namespaceId(false);
        }
        if (ns == 0) return List.of();
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(ns);
        if (!r.ok()) {
            if (absent(r.errno())) return List.of();
            throw failure("listing the namespace keyring '" + namespace + "'", r.errno());
        }
        List<CredentialId> out = new ArrayList<>();
        int[] errno = new int[1];
        for (int id : KeyctlSyscalls.ids(r.bytes())) {
            KeyctlSyscalls.Description d = KeyctlSyscalls.describe(id, errno);
            if (d == null) {
                if (absent(errno[0])) continue;
                throw failure("describing keyring " + id + " in namespace '" + namespace + "'", errno[0]);
            }
            if (!d.type().equals("keyring")) continue;
            List<CredentialId> accounts = accounts(unescape(d.name()), id);
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
     * Stores with a kernel expiry. The kernel counts whole seconds, so {@code ttl} is rounded up
     * to the next second; it must be positive.
     */
    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        if (ttl == null) throw new NullPointerException("ttl");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        if (seconds > 0xFFFF_FFFFL) throw new IllegalArgumentException("ttl exceeds the kernel's limit of 4294967295 seconds");
        write(service, account, secret, seconds);
    }

    private void write(String service, String account, Secret secret, long timeoutSeconds) {
        byte[] s = serviceName(service);
        byte[] a = name("account", account);
        if (secret == null) throw new NullPointerException("secret");
        ensureOpen();
        byte[] payload = secret.asBytes();
        try {
            int kind = kindFor(payload.length);
            if (kind == EMPTY) keyringName(a); // refuses, before anything is written, a marker name the kernel cannot hold
            synchronized (lockFor(service)) {
                for (int attempt = 0; attempt < 5; attempt++) {
                    int svc = serviceId(service, s, true);
                    int key = stage(kind, a, payload, timeoutSeconds, service, account);
                    // the move replaces an older key of that name atomically: readers see the old value or the new, never neither
                    long m = KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, key, KeyctlSyscalls.THREAD_KEYRING, svc, 0);
                    if (m < 0) {
                        KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, key, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                        int e = (int) -m;
                        if (absent(e)) {
                            refresh(service); // the service keyring was removed behind our back
                            continue;
                        }
                        if (e == EDQUOT) removeServiceIfEmpty(service, s, svc);
                        throw failure("storing " + where(service, account), e);
                    }
                    removeOtherKinds(svc, kind, a);
                    if (stillLinked(s, svc)) return;
                    refresh(service); // another process removed or replaced the keyring while we wrote: write again
                }
                throw new KeyringException("storing " + where(service, account) + " failed: its service keyring kept disappearing"
                        + " (another process is removing it concurrently)");
            }
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    private int kindFor(int length) {
        if (length == 0) return EMPTY;
        if (length <= USER_MAX) return USER;
        if (length <= BIG_KEY_MAX && bigKeySupported()) return BIG;
        if (bigKeySupported()) {
            throw new IllegalArgumentException("a secret of " + length + " bytes is too big for the kernel keyring:"
                    + " the big_key type holds at most " + BIG_KEY_MAX + " bytes");
        }
        throw new IllegalArgumentException("a secret of " + length + " bytes is too big for the kernel keyring:"
                + " the user key type holds at most " + USER_MAX + " bytes and this kernel has no big_key type");
    }

    /**
     * Creates the key in this thread's keyring, where this thread possesses it, and gives it its
     * permissions and expiry there, before anyone else can see it. Returns its id.
     */
    private int stage(int kind, byte[] a, byte[] payload, long timeoutSeconds, String service, String account) {
        long k = kind == EMPTY
                ? KeyctlSyscalls.addKey("keyring", keyringName(a), null, KeyctlSyscalls.THREAD_KEYRING)
                : KeyctlSyscalls.addKey(TYPES[kind], a, payload, KeyctlSyscalls.THREAD_KEYRING);
        if (k < 0) throw failure("storing " + where(service, account) + " (" + payload.length + " bytes, as " + TYPES[kind] + ")", (int) -k);
        int key = (int) k;
        long p = KeyctlSyscalls.keyctl(KeyctlSyscalls.SETPERM, key, PERMISSIONS, 0, 0);
        // a staged key is always new (failed attempts unlink theirs), so without a ttl there is no expiry to clear
        long t = p < 0 || timeoutSeconds == 0 ? p : KeyctlSyscalls.keyctl(KeyctlSyscalls.SET_TIMEOUT, key, timeoutSeconds, 0, 0);
        if (t < 0) {
            KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, key, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
            throw failure((p < 0 ? "setting permissions on " : "setting the expiry of ") + where(service, account), (int) -t);
        }
        return key;
    }

    /** A secret that changed kind (user, big_key, empty) leaves no stale key of another kind behind. */
    private void removeOtherKinds(int svc, int kind, byte[] account) {
        for (int other = 0; other < TYPES.length; other++) {
            if (other == kind || other == BIG && !bigKeySupported()) continue;
            byte[] description = other == EMPTY ? markerName(account) : account;
            if (description == null) continue;
            long k = KeyctlSyscalls.search(svc, TYPES[other], description);
            if (k > 0) KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, k, svc, 0, 0);
        }
    }

    @Override
    public boolean delete(String service, String account) {
        byte[] s = serviceName(service);
        byte[] a = name("account", account);
        ensureOpen();
        synchronized (lockFor(service)) {
            int[] found = locate(service, s, a);
            int svc = found[0];
            int key = found[1];
            if (key == 0) return false;
            long u = KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, key, svc, 0, 0);
            if (u < 0) {
                int e = (int) -u;
                if (e == ENOENT || absent(e)) return false; // someone else removed it first
                throw failure("deleting " + where(service, account), e);
            }
            // scrub the payload now even if something else still links the key; errors only mean it is gone already
            KeyctlSyscalls.keyctl(KeyctlSyscalls.INVALIDATE, key, 0, 0, 0);
            removeServiceIfEmpty(service, s, svc);
            return true;
        }
    }

    /**
     * Removes an empty service keyring. It is first moved out to the thread keyring (kept alive),
     * then checked again: a key another process wrote in between is put back, never lost.
     */
    private void removeServiceIfEmpty(String service, byte[] s, int svc) {
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(svc);
        if (!r.ok() || r.bytes().length > 0) return;
        int ns = namespaceId;
        if (ns == 0) return;
        synchronized (CREATION) {
            long m = KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, svc, ns, KeyctlSyscalls.THREAD_KEYRING, 0);
            services.remove(service, svc);
            if (m == -EOPNOTSUPP) { // kernel before 5.3: no KEYCTL_MOVE
                KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, svc, ns, 0, 0);
                return;
            }
            if (m < 0) return;
            KeyctlSyscalls.Read again = KeyctlSyscalls.readKeyring(svc);
            if (again.ok() && again.bytes().length > 0) {
                long back = KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, svc, KeyctlSyscalls.THREAD_KEYRING, ns, KeyctlSyscalls.MOVE_EXCL);
                if (back == 0) return;
                // a new keyring of that name appeared meanwhile: hand over what it lacks
                int current = findChild(ns, s);
                if (current != 0) {
                    int[] errno = new int[1];
                    for (int id : KeyctlSyscalls.ids(again.bytes())) {
                        KeyctlSyscalls.Description d = KeyctlSyscalls.describe(id, errno);
                        if (d != null && KeyctlSyscalls.search(current, d.type(), d.description()) < 0) {
                            KeyctlSyscalls.keyctl(KeyctlSyscalls.LINK, id, current, 0, 0);
                        }
                    }
                }
            }
            KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, svc, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
        }
    }

    // ------------------------------------------------------------------ keyring ids

    /**
     * The target keyring as this thread may use it. Session and process keyrings are per-thread
     * credentials in Linux, so their ids are resolved once and cached; the user keyring is used
     * through its special id (always possessed); the persistent keyring is fetched again and
     * linked into this thread's keyring, which gives this thread possession of it.
     */
    private int targetId() {
        if (target == KernelTarget.USER) return KeyctlSyscalls.USER_KEYRING;
        if (target == KernelTarget.PERSISTENT) {
            long r = KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_PERSISTENT, -1, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
            if (r < 0) throw failure("finding the persistent keyring", (int) -r);
            return (int) r;
        }
        int t = targetId;
        if (t != 0) return t;
        // create=0 for the session keyring: creating one would join this thread to a new, empty session
        long r = KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, target.specialId, target == KernelTarget.PROCESS ? 1 : 0, 0, 0);
        if (r < 0) throw failure("finding the " + target.configName() + " keyring", (int) -r);
        targetId = (int) r;
        return (int) r;
    }

    private int namespaceId(boolean create) {
        int n = namespaceId;
        if (n != 0) return n;
        int parent = targetId();
        n = findChild(parent, namespaceName);
        if (n == 0 && create) n = createChild(parent, namespaceName, "namespace keyring '" + namespace + "'");
        namespaceId = n;
        return n;
    }

    private int serviceId(String service, byte[] s, boolean create) {
        Integer cached = services.get(service);
        if (cached != null) return cached;
        int ns = namespaceId(create);
        if (ns == 0) return 0;
        int id = findChild(ns, s);
        if (id == 0 && create) id = createChild(ns, s, where(service, null));
        if (id != 0) services.put(service, id);
        return id;
    }

    /** Forgets cached ids on the way to {@code service} (all services when null), so the next use looks them up. */
    private void refresh(String service) {
        if (service == null) services.clear();
        else services.remove(service);
        namespaceId = 0;
    }

    /** Whether {@code svc} is still the service keyring of that name in the namespace. */
    private boolean stillLinked(byte[] s, int svc) {
        int ns = namespaceId;
        return ns != 0 && KeyctlSyscalls.search(ns, "keyring", s) == svc;
    }

    private static boolean linked(int parent, byte[] name, int child) {
        return KeyctlSyscalls.search(parent, "keyring", name) == child;
    }

    /** The keyring called {@code name} linked directly in {@code parent}, or 0; refused when another user owns it. */
    private int findChild(int parent, byte[] name) {
        long r = KeyctlSyscalls.search(parent, "keyring", name);
        if (r < 0) {
            int e = (int) -r;
            if (absent(e)) return 0;
            throw failure("searching keyring " + parent + " for the keyring '" + new String(name, StandardCharsets.UTF_8) + "'", e);
        }
        int[] children = children(parent);
        int[] errno = new int[1];
        for (int c : children) {
            if (c != r) continue;
            KeyctlSyscalls.Description d = KeyctlSyscalls.describe(c, errno);
            if (d == null) {
                if (absent(errno[0])) return 0;
                throw failure("describing keyring " + c, errno[0]);
            }
            return owned(c, d, parent);
        }
        // the search matched a deeper keyring of that name; look among the direct children only
        for (int c : children) {
            KeyctlSyscalls.Description d = KeyctlSyscalls.describe(c, errno);
            if (d != null && d.type().equals("keyring") && Arrays.equals(d.description(), name)) return owned(c, d, parent);
        }
        return 0;
    }

    /**
     * {@code keyring}, once it is known to belong to this process's user. A process of another user
     * that possesses the parent (the user keyring, through a session keyring that links it) may
     * write to it and so replace a namespace or service keyring with its own; keys stored there
     * would be the other user's to remove and to plant. A keyring left with {@link #LEGACY_PERMISSIONS}
     * is tightened, which also puts the keys below it out of reach of possessors of another uid.
     */
    private int owned(int keyring, KeyctlSyscalls.Description d, int parent) {
        long uid = currentFsuid();
        if (uid >= 0 && Integer.toUnsignedLong(d.uid()) != uid) {
            throw new AccessDeniedException("the keyring '" + d.name() + "' (id " + keyring + ") in keyring " + parent + " on the way to "
                    + target.shortName + " -> " + namespace + " belongs to uid " + Integer.toUnsignedLong(d.uid()) + ", not to this process's uid "
                    + uid + "; another user put it there, so keyring4j neither reads from it nor writes to it. Inspect it with `keyctl show "
                    + target.shortName + "` and remove it with `keyctl unlink " + keyring + " " + parent + "`; keep other users' processes"
                    + " from possessing your keyrings (do not link your user keyring into a session you hand to another uid)");
        }
        if (d.perm() == LEGACY_PERMISSIONS) {
            long p = KeyctlSyscalls.keyctl(KeyctlSyscalls.SETPERM, keyring, PERMISSIONS, 0, 0);
            if (p < 0 && !absent((int) -p)) throw failure("tightening the permissions of the keyring '" + d.name() + "' (id " + keyring + ")", (int) -p);
        }
        return keyring;
    }

    private int[] children(int keyring) {
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(keyring);
        if (!r.ok()) {
            if (absent(r.errno())) return new int[0];
            throw failure("reading keyring " + keyring, r.errno());
        }
        return KeyctlSyscalls.ids(r.bytes());
    }

    /**
     * Creates a keyring without ever displacing one that another process created meanwhile
     * ({@code add_key} of a keyring would replace it): staged in the thread keyring, then moved
     * with {@code KEYCTL_MOVE_EXCL}; if one exists by then, that one is used.
     */
    private int createChild(int parent, byte[] name, String what) {
        synchronized (CREATION) {
            for (int attempt = 0; attempt < 10; attempt++) {
                int existing = findChild(parent, name);
                if (existing != 0) return existing;
                long k = KeyctlSyscalls.addKey("keyring", name, null, KeyctlSyscalls.THREAD_KEYRING);
                if (k < 0) throw failure("creating the " + what, (int) -k);
                int staged = (int) k;
                long p = KeyctlSyscalls.keyctl(KeyctlSyscalls.SETPERM, staged, PERMISSIONS, 0, 0);
                if (p < 0) {
                    KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, staged, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                    throw failure("setting permissions on the " + what, (int) -p);
                }
                long m = KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, staged, KeyctlSyscalls.THREAD_KEYRING, parent, KeyctlSyscalls.MOVE_EXCL);
                if (m == 0) return staged;
                int e = (int) -m;
                if (e == EOPNOTSUPP || e == EINVAL && attempt == 0 && !moveSupported()) {
                    // kernel before 5.3: link directly (a racing process may displace it; see docs)
                    long l = KeyctlSyscalls.keyctl(KeyctlSyscalls.LINK, staged, parent, 0, 0);
                    KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, staged, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                    if (l < 0) throw failure("linking the " + what, (int) -l);
                    return staged;
                }
                KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, staged, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                if (e != EEXIST) throw failure("creating the " + what, e);
                // another process created it first: use theirs (loop finds it)
            }
            throw new KeyringException("creating the " + what + " failed: it kept appearing and disappearing");
        }
    }

    private static boolean moveSupported() {
        return KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, 0, 0, 0, 0) != -EOPNOTSUPP;
    }

    private boolean bigKeySupported() {
        Boolean b = bigKey;
        if (b != null) return b;
        // add_key("big_key") with no payload: ENODEV when the type is missing; otherwise the type's
        // preparse refuses the empty payload with EINVAL before anything is created
        long r = KeyctlSyscalls.addKey("big_key", PROBE_DESCRIPTION, null, KeyctlSyscalls.THREAD_KEYRING);
        if (r > 0) KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, r, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
        b = r > 0 || r == -EINVAL;
        bigKey = b;
        return b;
    }

    // ------------------------------------------------------------------ helpers

    private Object lockFor(String service) {
        return serviceLocks[(service.hashCode() & 0x7fffffff) % serviceLocks.length];
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("this kernel keyring store is closed");
    }

    /** ENOKEY, EKEYEXPIRED, EKEYREVOKED: the key is not there (any more). */
    static boolean absent(int errno) {
        return errno == ENOKEY || errno == EKEYEXPIRED || errno == EKEYREVOKED;
    }

    private String where(String service, String account) {
        String path = target.shortName + " -> " + namespace + " -> " + service;
        return account == null ? "service '" + service + "' (" + path + ")" : "'" + account + "' of service '" + service + "' (" + path + ")";
    }

    /** The exception for an errno; the message names the operation and never a secret. */
    KeyringException failure(String what, int errno) {
        return failure(what, errno, target);
    }

    static KeyringException failure(String what, int errno, KernelTarget target) {
        String name = KeyctlSyscalls.errnoName(errno);
        return switch (errno) {
            case EACCES, EPERM -> new AccessDeniedException(what + " was refused by the kernel (" + name + "): the key or keyring"
                    + " belongs to another user or lacks the permission; inspect it with `keyctl show " + target.shortName
                    + "` or `keyctl describe <id>`");
            case EDQUOT -> new QuotaExceededException(what + " failed: the kernel key quota is exhausted (EDQUOT). " + quotaReport()
                    + ". Delete unused keys (keyctl show) or raise the quota, e.g. sysctl kernel.keys.maxbytes=…");
            case ENOSYS, EOPNOTSUPP -> new BackendUnavailableException(what + " failed: the kernel refused the keyctl system call ("
                    + name + "); keyring syscalls are disabled or filtered here (a seccomp profile, e.g. a container's default)");
            default -> new KeyringException(what + " failed: " + name);
        };
    }

    /** The quota files with their current values and this user's usage from /proc/key-users. */
    static String quotaReport() {
        StringBuilder b = new StringBuilder();
        long uid = currentUid();
        String prefix = uid == 0 ? "root_" : "";
        for (String f : new String[] {"maxkeys", "maxbytes"}) {
            Path p = Path.of("/proc/sys/kernel/keys", prefix + f);
            if (b.length() > 0) b.append(", ");
            b.append(p).append(" = ").append(readTrimmed(p));
        }
        if (uid == 0) b.append(" (root's quota; other users: /proc/sys/kernel/keys/maxkeys = ")
                .append(readTrimmed(Path.of("/proc/sys/kernel/keys/maxkeys"))).append(", /proc/sys/kernel/keys/maxbytes = ")
                .append(readTrimmed(Path.of("/proc/sys/kernel/keys/maxbytes"))).append(")");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/key-users"))) {
                String t = line.trim();
                if (t.startsWith(uid + ":")) b.append("; usage of uid ").append(uid).append(" in /proc/key-users: ").append(t);
            }
        } catch (IOException | RuntimeException e) {
            // the report is a courtesy; the files may be hidden in a container
        }
        return b.toString();
    }

    private static String readTrimmed(Path p) {
        try {
            try (var in = Files.newInputStream(p)) { // procfs reports size 0: read to the end, not by the size
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    /**
     * The fsuid of the calling thread, which the kernel makes the owner of new keys and compares
     * with a key's owner; -1 when /proc cannot tell (then ownership is not checked).
     */
    static long currentFsuid() {
        for (String status : new String[] {"/proc/thread-self/status", "/proc/self/status"}) {
            try {
                for (String line : Files.readAllLines(Path.of(status), StandardCharsets.US_ASCII)) {
                    if (!line.startsWith("Uid:")) continue;
                    String[] ids = line.substring(4).trim().split("\\s+"); // real, effective, saved, filesystem
                    if (ids.length == 4) return Long.parseLong(ids[3]);
                }
            } catch (IOException | RuntimeException e) {
                // try the next; /proc may be hidden
            }
        }
        return -1;
    }

    static long currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A name as the kernel will hold it: UTF-8, no NUL, at most 4095 bytes; refused otherwise. */
    static byte[] name(String what, String value) {
        if (value == null) throw new NullPointerException(what);
        if (value.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL character, which a kernel key description cannot hold");
        }
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (an unpaired surrogate) and cannot be stored faithfully");
        }
        if (encoded.remaining() > NAME_MAX) {
            throw new IllegalArgumentException(what + " is " + encoded.remaining() + " bytes in UTF-8; a kernel key description holds at most "
                    + NAME_MAX + " bytes");
        }
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        return out;
    }

    /** A service name as its keyring's description: {@link #keyringName}. */
    static byte[] serviceName(String service) {
        return keyringName(name("service", service));
    }

    /**
     * The description of a keyring this store names: {@code add_key} refuses keyring descriptions
     * starting with {@code .} (reserved for the kernel), so a name starting with {@code .} or with
     * the escape {@code \} gets a {@code \} in front. Injective; {@link #unescape} undoes it.
     */
    static byte[] keyringName(byte[] name) {
        if (name.length == 0 || name[0] != '.' && name[0] != '\\') return name;
        if (name.length + 1 > NAME_MAX) {
            throw new IllegalArgumentException("a name starting with '.' or '\\' is stored with a '\\' in front, which makes this one "
                    + (name.length + 1) + " bytes; a kernel key description holds at most " + NAME_MAX + " bytes");
        }
        byte[] out = new byte[name.length + 1];
        out[0] = '\\';
        System.arraycopy(name, 0, out, 1, name.length);
        return out;
    }

    /** The empty-secret keyring's description for an account, or null when the account is too long to have one. */
    private static byte[] markerName(byte[] account) {
        return account.length >= NAME_MAX && (account[0] == '.' || account[0] == '\\') ? null : keyringName(account);
    }

    static String unescape(String description) {
        return description.startsWith("\\") ? description.substring(1) : description;
    }

    /** Test support: unlinks and invalidates the namespace keyring with everything under it. */
    void removeNamespace() {
        int ns = namespaceId(false);
        if (ns == 0) return;
        for (int svc : children(ns)) KeyctlSyscalls.keyctl(KeyctlSyscalls.INVALIDATE, svc, 0, 0, 0);
        KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, ns, targetId(), 0, 0);
        KeyctlSyscalls.keyctl(KeyctlSyscalls.INVALIDATE, ns, 0, 0, 0);
        refresh(null);
    }

    /** The id of the namespace keyring, 0 when it does not exist (for tests and diagnostics). */
    int namespaceKeyringId() {
        return namespaceId(false);
    }

    /** The id of a service keyring, 0 when it does not exist (for tests). */
    int serviceKeyringId(String service) {
        return serviceId(service, serviceName(service), false);
    }

    @Override
    public void close() {
        closed = true;
        services.clear();
    }

    @Override
    public String toString() {
        return "KernelKeyStore[" + target.configName() + " keyring, namespace " + namespace + "]";
    }
}
