package dev.keyring4j.kernel;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.keyring4j.support.NativeLibc;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code add_key} and {@code keyctl} system calls, made through libc's {@code syscall(2)} with JNA
 * (a {@link Function} pointer first, direct mapping once a process makes many calls), so no libkeyutils
 * is needed. Every call returns the kernel's answer, or
 * {@code -errno} on failure: errors are values here and the store decides what each one means.
 *
 * <p>Strings and payloads go through per-thread native scratch buffers (allocated once, wiped after
 * every use that carried a secret), so a call allocates nothing native.
 */
final class KeyctlSyscalls {
    // keyctl(2) operations, include/uapi/linux/keyctl.h
    static final int GET_KEYRING_ID = 0;
    static final int UPDATE = 2;
    static final int SETPERM = 5;
    static final int DESCRIBE = 6;
    static final int LINK = 8;
    static final int UNLINK = 9;
    static final int SEARCH = 10;
    static final int READ = 11;
    static final int SET_TIMEOUT = 15;
    static final int INVALIDATE = 21;
    static final int GET_PERSISTENT = 22;
    static final int MOVE = 30;
    static final int MOVE_EXCL = 1;

    // special keyring ids
    static final int THREAD_KEYRING = -1;
    static final int PROCESS_KEYRING = -2;
    static final int SESSION_KEYRING = -3;
    static final int USER_KEYRING = -4;

    // errno values; identical on x86_64 and aarch64 (asm-generic)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int EDQUOT = 122;
    static final int ENOKEY = 126;
    static final int EKEYEXPIRED = 127;
    static final int EKEYREVOKED = 128;
    static final int EKEYREJECTED = 129;

    /** System call numbers for this machine, or null with {@link #UNSUPPORTED} saying why. */
    private static final long[] NUMBERS;
    /** Why the syscalls cannot be used here, or null when they can. */
    static final String UNSUPPORTED;
    /** libc's {@code syscall}, or null with {@link #UNSUPPORTED} saying why. */
    private static final Function SYSCALL;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        long[] numbers = null;
        String why = null;
        if (!Platform.isLinux()) {
            why = "the kernel keyring exists only on Linux (this is " + System.getProperty("os.name") + ")";
        } else if (arch.equals("amd64") || arch.equals("x86_64")) {
            numbers = new long[] {248, 250}; // add_key, keyctl (arch/x86/entry/syscalls/syscall_64.tbl)
        } else if (arch.equals("aarch64") || arch.equals("arm64")) {
            numbers = new long[] {217, 219}; // add_key, keyctl (include/uapi/asm-generic/unistd.h)
        } else {
            why = "no keyctl syscall numbers for architecture " + arch + " (supported: x86_64, aarch64)";
        }
        Function syscall = null;
        if (numbers != null) {
            try {
                // a function pointer, not yet Native.register (see DIRECT_AFTER)
                syscall = NativeLibc.bind(() -> NativeLibrary.getInstance(NativeLibc.SONAME).getFunction("syscall", Function.THROW_LAST_ERROR));
            } catch (LinkageError e) {
                numbers = null;
                why = "cannot bind syscall(2) in libc through JNA: " + e.getMessage();
            }
        }
        NUMBERS = numbers;
        UNSUPPORTED = why;
        SYSCALL = syscall;
    }

    private static final long ADD_KEY_NR = NUMBERS == null ? -1 : NUMBERS[0];
    private static final long KEYCTL_NR = NUMBERS == null ? -1 : NUMBERS[1];
    /** pipe2 and close: x86_64 293 and 3; aarch64 (asm-generic) 59 and 57. */
    private static final boolean X86_64 = NUMBERS != null && NUMBERS[0] == 248;
    private static final long PIPE2_NR = X86_64 ? 293 : 59;
    private static final long CLOSE_NR = X86_64 ? 3 : 57;
    /** O_NOTIFICATION_PIPE is O_EXCL (include/uapi/linux/watch_queue.h): 0200 on x86_64 and aarch64. */
    static final int O_NOTIFICATION_PIPE = 0200;
    static final int ENOPKG = 65;

    /**
     * Whether this kernel has key notifications (CONFIG_WATCH_QUEUE, needed for KEYCTL_WATCH_KEY):
     * null when {@code pipe2(O_NOTIFICATION_PIPE)} works (the probe's pipe is closed at once), else why not,
     * e.g. {@code ENOPKG} on a kernel built without it.
     */
    static String notificationPipeUnavailable() {
        if (NUMBERS == null) return UNSUPPORTED;
        try (Memory fds = new Memory(8)) {
            long r = call(PIPE2_NR, Pointer.nativeValue(fds), O_NOTIFICATION_PIPE, 0, 0, 0);
            if (r < 0) {
                int errno = (int) -r;
                return "pipe2(O_NOTIFICATION_PIPE) failed with " + (errno == ENOPKG ? "ENOPKG: the kernel was built without CONFIG_WATCH_QUEUE"
                        : errnoName(errno));
            }
            call(CLOSE_NR, fds.getInt(0), 0, 0, 0, 0);
            call(CLOSE_NR, fds.getInt(4), 0, 0, 0, 0);
            return null;
        }
    }

    private KeyctlSyscalls() {
    }

    // Two ways to the same function. The Function pointer costs ~1 ms to bind and a few microseconds a call
    // (boxed arguments, unboxed again through JNI); direct mapping costs ~15 ms to bind (reflection) and a
    // fraction of a microsecond a call. A short-lived process (the command, a build reading one password)
    // makes a handful of calls, so it starts on the pointer; the DIRECT_AFTER-th call registers the native
    // method, and every call after it uses that.
    private static final int DIRECT_AFTER = 64;
    private static final AtomicInteger CALLS = new AtomicInteger();
    private static volatile boolean direct;

    // libc's syscall() is variadic, but on x86_64 and aarch64 Linux the variadic and the fixed
    // calling conventions agree for integer arguments, so a fixed 6-argument prototype is exact.
    private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5) throws LastErrorException;

    private static long call(long nr, long a1, long a2, long a3, long a4, long a5) {
        if (NUMBERS == null) return -ENOSYS;
        if (!direct) {
            if (CALLS.get() < DIRECT_AFTER && CALLS.incrementAndGet() == DIRECT_AFTER) registerDirect();
            return viaPointer(nr, a1, a2, a3, a4, a5);
        }
        try {
            return syscall(nr, a1, a2, a3, a4, a5);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    private static long viaPointer(long nr, long a1, long a2, long a3, long a4, long a5) {
        try {
            return SYSCALL.invokeLong(new Object[] {nr, a1, a2, a3, a4, a5});
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /** {@link #keyctl} through the function pointer whichever way calls go now (tests compare the two). */
    static long keyctlViaPointer(int op, long a2, long a3, long a4, long a5) {
        return NUMBERS == null ? -ENOSYS : viaPointer(KEYCTL_NR, op, a2, a3, a4, a5);
    }

    /** Whether calls now go through direct mapping (tests). */
    static boolean direct() {
        return direct;
    }

    /** Binds {@link #syscall} by direct mapping; on failure every call stays on the function pointer. */
    private static void registerDirect() {
        try {
            Native.register(KeyctlSyscalls.class, NativeLibrary.getInstance(NativeLibc.SONAME));
            direct = true;
        } catch (LinkageError | RuntimeException e) {
            // the pointer works; it is only slower
        }
    }

    /** Native memory one thread reuses: two C strings and a growable data area. */
    private static final class Scratch {
        static final int TYPE_SIZE = 32;
        static final int NAME_SIZE = 4096 + 1;
        final Memory strings = new Memory(TYPE_SIZE + NAME_SIZE);
        Memory data = new Memory(4096);

        Memory data(int size) {
            if (data.size() < size) {
                data.clear();
                data = new Memory(Math.max(size, (int) Math.min(Integer.MAX_VALUE, data.size() * 2)));
            }
            return data;
        }

        long type(String type) {
            switch (type) { // the common ones live in shared constant memory
                case "user": return USER_TYPE;
                case "keyring": return KEYRING_TYPE;
                case "big_key": return BIG_KEY_TYPE;
                default:
                    byte[] b = type.getBytes(StandardCharsets.US_ASCII);
                    strings.write(0, b, 0, b.length);
                    strings.setByte(b.length, (byte) 0);
                    return Pointer.nativeValue(strings);
            }
        }

        long name(byte[] name) {
            strings.write(TYPE_SIZE, name, 0, name.length);
            strings.setByte(TYPE_SIZE + name.length, (byte) 0);
            return Pointer.nativeValue(strings) + TYPE_SIZE;
        }
    }

    // only touched once the syscalls are bound (Memory needs JNA's native part)
    private static final Memory TYPE_NAMES = NUMBERS == null ? null : cStrings("user", "keyring", "big_key");
    private static final long USER_TYPE = TYPE_NAMES == null ? 0 : Pointer.nativeValue(TYPE_NAMES);
    private static final long KEYRING_TYPE = USER_TYPE + 5;
    private static final long BIG_KEY_TYPE = KEYRING_TYPE + 8;

    private static Memory cStrings(String... values) {
        Memory m = new Memory(64);
        long offset = 0;
        for (String v : values) {
            m.setString(offset, v, "US-ASCII");
            offset += v.length() + 1;
        }
        return m;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** {@code add_key(type, description, payload, plen, keyring)}: the key id, or -errno. {@code payload} null means none. */
    static long addKey(String type, byte[] description, byte[] payload, int keyring) {
        if (NUMBERS == null) return -ENOSYS;
        Scratch s = SCRATCH.get();
        long t = s.type(type);
        long d = s.name(description);
        if (payload == null) return call(ADD_KEY_NR, t, d, 0, 0, keyring);
        return withPayload(s, payload, address -> call(ADD_KEY_NR, t, d, address, payload.length, keyring));
    }

    /** {@code KEYCTL_UPDATE(key, payload, plen)}: 0, or -errno. The payload is wiped from native memory afterwards. */
    static long update(int key, byte[] payload) {
        if (NUMBERS == null) return -ENOSYS;
        return withPayload(SCRATCH.get(), payload, address -> call(KEYCTL_NR, UPDATE, key, address, payload.length, 0));
    }

    /** Runs {@code call} with the payload's address in this thread's native scratch memory, then wipes that copy. */
    private static long withPayload(Scratch s, byte[] payload, java.util.function.LongUnaryOperator call) {
        Memory m = s.data(Math.max(1, payload.length));
        m.write(0, payload, 0, payload.length);
        try {
            return call.applyAsLong(Pointer.nativeValue(m));
        } finally {
            m.clear(payload.length); // the secret does not linger in native memory
        }
    }

    /** {@code keyctl(op, a2, a3, a4, a5)} with integer arguments: the result, or -errno. */
    static long keyctl(int op, long a2, long a3, long a4, long a5) {
        return call(KEYCTL_NR, op, a2, a3, a4, a5);
    }

    /**
     * {@code KEYCTL_SEARCH}: the id of a key of {@code type} described {@code description} under
     * {@code keyring}, never {@code keyring} itself, or -errno. The kernel's search also matches the
     * keyring it starts from, so a service named like its namespace (or an empty secret's marker
     * named like its service) would find the parent: then the direct children are looked through.
     */
    static long search(int keyring, String type, byte[] description) {
        long r = rawSearch(keyring, type, description);
        if (r != keyring) return r;
        Read children = readKeyring(keyring);
        if (!children.ok()) return -children.errno();
        for (int c : ids(children.bytes())) {
            Described d = describe(c);
            if (d.ok() && d.description().type().equals(type) && Arrays.equals(d.description().description(), description)) return c;
        }
        return -ENOKEY;
    }

    private static long rawSearch(int keyring, String type, byte[] description) {
        if (NUMBERS == null) return -ENOSYS;
        Scratch s = SCRATCH.get();
        return call(KEYCTL_NR, SEARCH, keyring, s.type(type), s.name(description), 0);
    }

    /** The result of a read: the bytes, or an errno. */
    record Read(byte[] bytes, int errno) {
        boolean ok() {
            return errno == 0;
        }
    }

    /** {@code KEYCTL_READ}: the payload of a key, or the ids in a keyring (native-endian ints). */
    static Read read(int key) {
        if (NUMBERS == null) return new Read(null, ENOSYS);
        Scratch s = SCRATCH.get();
        int size = (int) Math.min(s.data.size(), Integer.MAX_VALUE);
        while (true) {
            Memory m = s.data(size);
            long n = call(KEYCTL_NR, READ, key, Pointer.nativeValue(m), m.size(), 0);
            if (n < 0) return new Read(null, (int) -n);
            if (n <= m.size()) {
                byte[] out = m.getByteArray(0, (int) n);
                m.clear(n);
                return new Read(out, 0);
            }
            m.clear(); // partial copy of a payload that grew: wipe, enlarge, read again
            size = (int) n;
        }
    }

    /** {@code KEYCTL_READ} of a keyring: its ids as native-endian ints (decode with {@link #ids}), or the errno. */
    static Read readKeyring(int keyring) {
        return read(keyring);
    }

    static int[] ids(byte[] keyringPayload) {
        int[] ids = new int[keyringPayload.length / 4];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(keyringPayload).order(java.nio.ByteOrder.nativeOrder());
        for (int i = 0; i < ids.length; i++) ids[i] = b.getInt();
        return ids;
    }

    /** A key's description as the kernel gives it: {@code type;uid;gid;perm;description}. */
    record Description(String type, int uid, int gid, int perm, byte[] description) {
        String name() {
            return new String(description, StandardCharsets.UTF_8);
        }
    }

    /** The result of a describe: the description, or an errno. */
    record Described(Description description, int errno) {
        boolean ok() {
            return errno == 0;
        }
    }

    /** {@code KEYCTL_DESCRIBE}: the parsed description, or the errno ({@code EINVAL} when the kernel's answer has too few fields). */
    static Described describe(int key) {
        Read r = read0(DESCRIBE, key);
        if (!r.ok()) return new Described(null, r.errno());
        byte[] b = r.bytes();
        int len = b.length > 0 && b[b.length - 1] == 0 ? b.length - 1 : b.length;
        // the description itself may contain ';', so split off exactly four fields
        int[] semis = new int[4];
        int found = 0;
        for (int i = 0; i < len && found < 4; i++) if (b[i] == ';') semis[found++] = i;
        if (found < 4) return new Described(null, EINVAL);
        String type = new String(b, 0, semis[0], StandardCharsets.UTF_8);
        int uid = (int) Long.parseLong(new String(b, semis[0] + 1, semis[1] - semis[0] - 1, StandardCharsets.US_ASCII));
        int gid = (int) Long.parseLong(new String(b, semis[1] + 1, semis[2] - semis[1] - 1, StandardCharsets.US_ASCII));
        int perm = (int) Long.parseLong(new String(b, semis[2] + 1, semis[3] - semis[2] - 1, StandardCharsets.US_ASCII), 16);
        return new Described(new Description(type, uid, gid, perm, Arrays.copyOfRange(b, semis[3] + 1, len)), 0);
    }

    private static Read read0(int op, int key) {
        if (NUMBERS == null) return new Read(null, ENOSYS);
        Scratch s = SCRATCH.get();
        int size = 256 + 4096;
        while (true) {
            Memory m = s.data(size);
            long n = call(KEYCTL_NR, op, key, Pointer.nativeValue(m), m.size(), 0);
            if (n < 0) return new Read(null, (int) -n);
            if (n <= m.size()) return new Read(m.getByteArray(0, (int) n), 0);
            size = (int) n;
        }
    }

    /** A short name for an errno, for messages. */
    static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOPKG -> "ENOPKG";
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG";
            case EACCES -> "EACCES";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case EINVAL -> "EINVAL";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EDQUOT -> "EDQUOT";
            case ENOKEY -> "ENOKEY";
            case EKEYEXPIRED -> "EKEYEXPIRED";
            case EKEYREVOKED -> "EKEYREVOKED";
            case EKEYREJECTED -> "EKEYREJECTED";
            default -> "errno " + errno;
        };
    }
}
