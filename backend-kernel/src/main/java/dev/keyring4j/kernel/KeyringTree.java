package dev.keyring4j.kernel;

import static dev.keyring4j.kernel.ErrnoMapper.absent;
import static dev.keyring4j.kernel.KeyctlSyscalls.EEXIST;
import static dev.keyring4j.kernel.KeyctlSyscalls.EINVAL;
import static dev.keyring4j.kernel.KeyctlSyscalls.EOPNOTSUPP;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keyrings above the keys: {@code <target keyring> → <namespace> (keyring) → <service> (keyring)}.
 *
 * <p>Guarantees: every keyring it creates gets {@link #PERMISSIONS}, is staged where no other
 * process sees it and never displaces one that another process created meanwhile; a namespace or
 * service keyring owned by another uid is refused with {@link AccessDeniedException}, never used;
 * one found with {@link #LEGACY_PERMISSIONS} is tightened to {@link #PERMISSIONS}. Keyring ids are
 * cached; {@link #refresh} forgets them so that a caller that found a cached keyring gone (removed
 * behind its back) looks the chain up again. An empty service keyring is removed without losing a
 * key another process wrote meanwhile. Thread-safe.
 */
final class KeyringTree {
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

    /** Keyring creation is serialized in the process: it stages keyrings in the thread keyring and moves them. */
    private static final Object CREATION = new Object();

    private final KernelTarget target;
    private final String namespace;
    private final byte[] namespaceName;
    private final ErrnoMapper errors;
    private final ConcurrentHashMap<String, Integer> services = new ConcurrentHashMap<>();
    private volatile int targetId;
    private volatile int namespaceId;

    KeyringTree(KernelTarget target, String namespace, ErrnoMapper errors) {
        this.target = target;
        this.namespace = namespace;
        this.namespaceName = NameCodec.namespaceName(namespace);
        this.errors = errors;
    }

    String namespace() {
        return namespace;
    }

    /** Where an account (or, with {@code account} null, a service) lives, for messages. */
    String where(String service, String account) {
        String path = target.shortName + " -> " + namespace + " -> " + service;
        return account == null ? "service '" + service + "' (" + path + ")" : "'" + account + "' of service '" + service + "' (" + path + ")";
    }

    /**
     * The target keyring as this thread may use it. Session and process keyrings are per-thread
     * credentials in Linux, so their ids are resolved once and cached; the user keyring is used
     * through its special id (always possessed); the persistent keyring is fetched again and
     * linked into this thread's keyring, which gives this thread possession of it.
     */
    int targetId() {
        if (target == KernelTarget.USER) return KeyctlSyscalls.USER_KEYRING;
        if (target == KernelTarget.PERSISTENT) {
            long r = KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_PERSISTENT, -1, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
            if (r < 0) throw errors.failure("finding the persistent keyring", (int) -r);
            return (int) r;
        }
        int t = targetId;
        if (t != 0) return t;
        // create=0 for the session keyring: creating one would join this thread to a new, empty session
        long r = KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, target.specialId, target == KernelTarget.PROCESS ? 1 : 0, 0, 0);
        if (r < 0) throw errors.failure("finding the " + target.configName() + " keyring", (int) -r);
        targetId = (int) r;
        return (int) r;
    }

    /** The namespace keyring's id, created when {@code create}; 0 when it does not exist. */
    int namespaceId(boolean create) {
        int n = namespaceId;
        if (n != 0) return n;
        int parent = targetId();
        n = findChild(parent, namespaceName);
        if (n == 0 && create) n = createChild(parent, namespaceName, "namespace keyring '" + namespace + "'");
        namespaceId = n;
        return n;
    }

    /** The keyring of {@code service} ({@code s} = {@link NameCodec#serviceName}), created when {@code create}; 0 when it does not exist. */
    int serviceId(String service, byte[] s, boolean create) {
        Integer cached = services.get(service);
        if (cached != null) return cached;
        int ns = namespaceId(create);
        if (ns == 0) return 0;
        int id = findChild(ns, s);
        if (id == 0 && create) id = createChild(ns, s, where(service, null));
        if (id != 0) services.put(service, id);
        return id;
    }

    /** Whether {@code svc} is the cached id of {@code service}'s keyring (no system call). */
    boolean isCachedService(String service, int svc) {
        Integer cached = services.get(service);
        return cached != null && cached == svc;
    }

    /** Whether a lookup of {@code service} would be answered (at least partly) from the cache. */
    boolean cached(String service) {
        return services.containsKey(service) || namespaceId != 0;
    }

    /** Forgets cached ids on the way to {@code service} (all services when null), so the next use looks them up. */
    void refresh(String service) {
        if (service == null) services.clear();
        else services.remove(service);
        namespaceId = 0;
    }

    /** Forgets every cached id. */
    void clear() {
        services.clear();
    }

    /** Whether {@code svc} is still the service keyring of that name in the namespace. */
    boolean stillLinked(byte[] s, int svc) {
        int ns = namespaceId;
        return ns != 0 && KeyctlSyscalls.search(ns, "keyring", s) == svc;
    }

    /** Whether {@code ns} is still the namespace keyring in the target keyring. */
    boolean namespaceStillLinked(int ns) {
        return KeyctlSyscalls.search(targetId(), "keyring", namespaceName) == ns;
    }

    /** The keyring called {@code name} linked directly in {@code parent}, or 0; refused when another user owns it. */
    private int findChild(int parent, byte[] name) {
        long r = KeyctlSyscalls.search(parent, "keyring", name);
        if (r < 0) {
            int e = (int) -r;
            if (absent(e)) return 0;
            throw errors.failure("searching keyring " + parent + " for the keyring '" + new String(name, StandardCharsets.UTF_8) + "'", e);
        }
        int[] children = children(parent);
        for (int c : children) {
            if (c != r) continue;
            KeyctlSyscalls.Described d = KeyctlSyscalls.describe(c);
            if (!d.ok()) {
                if (absent(d.errno())) return 0;
                throw errors.failure("describing keyring " + c, d.errno());
            }
            return owned(c, d.description(), parent);
        }
        // the search matched a deeper keyring of that name; look among the direct children only
        for (int c : children) {
            KeyctlSyscalls.Described d = KeyctlSyscalls.describe(c);
            if (d.ok() && d.description().type().equals("keyring") && Arrays.equals(d.description().description(), name)) {
                return owned(c, d.description(), parent);
            }
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
            if (p < 0 && !absent((int) -p)) throw errors.failure("tightening the permissions of the keyring '" + d.name() + "' (id " + keyring + ")", (int) -p);
        }
        return keyring;
    }

    /** The ids linked in {@code keyring}; none when it is gone. */
    int[] children(int keyring) {
        KeyctlSyscalls.Read r = KeyctlSyscalls.readKeyring(keyring);
        if (!r.ok()) {
            if (absent(r.errno())) return new int[0];
            throw errors.failure("reading keyring " + keyring, r.errno());
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
                if (k < 0) throw errors.failure("creating the " + what, (int) -k);
                int staged = (int) k;
                long p = KeyctlSyscalls.keyctl(KeyctlSyscalls.SETPERM, staged, PERMISSIONS, 0, 0);
                if (p < 0) {
                    KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, staged, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                    throw errors.failure("setting permissions on the " + what, (int) -p);
                }
                long m = KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, staged, KeyctlSyscalls.THREAD_KEYRING, parent, KeyctlSyscalls.MOVE_EXCL);
                if (m == 0) return staged;
                int e = (int) -m;
                if (e == EOPNOTSUPP || e == EINVAL && attempt == 0 && !moveSupported()) {
                    // kernel before 5.3: link directly (a racing process may displace it; see docs)
                    long l = KeyctlSyscalls.keyctl(KeyctlSyscalls.LINK, staged, parent, 0, 0);
                    KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, staged, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                    if (l < 0) throw errors.failure("linking the " + what, (int) -l);
                    return staged;
                }
                KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, staged, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
                if (e != EEXIST) throw errors.failure("creating the " + what, e);
                // another process created it first: use theirs (loop finds it)
            }
            throw new KeyringException("creating the " + what + " failed: it kept appearing and disappearing");
        }
    }

    private static boolean moveSupported() {
        return KeyctlSyscalls.keyctl(KeyctlSyscalls.MOVE, 0, 0, 0, 0) != -EOPNOTSUPP;
    }

    /**
     * Removes an empty service keyring. It is first moved out to the thread keyring (kept alive),
     * then checked again: a key another process wrote in between is put back, never lost.
     */
    void removeServiceIfEmpty(String service, byte[] s, int svc) {
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
                    for (int id : KeyctlSyscalls.ids(again.bytes())) {
                        KeyctlSyscalls.Described d = KeyctlSyscalls.describe(id);
                        if (d.ok() && KeyctlSyscalls.search(current, d.description().type(), d.description().description()) < 0) {
                            KeyctlSyscalls.keyctl(KeyctlSyscalls.LINK, id, current, 0, 0);
                        }
                    }
                }
            }
            KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, svc, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
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

    @Override
    public String toString() {
        return target.configName() + " keyring, namespace " + namespace;
    }
}
