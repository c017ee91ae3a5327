package dev.keyring4j.kernel;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The kinds of key that hold an account's secret in its service keyring.
 *
 * <p>Guarantees: {@link #forLength} picks the one kind that holds a secret of that length on this
 * kernel, or refuses it with {@link IllegalArgumentException} naming the limit, before anything is
 * written; {@link #description} is the description a key of that kind has for an account.
 */
enum EntryKind {
    /** A {@code user} key, payload = the secret. */
    USER("user"),
    /** A {@code big_key}, for secrets above {@link #USER_MAX} on kernels that have the type. */
    BIG_KEY("big_key"),
    /** An empty keyring named after the account: an empty secret, which neither key type can hold (EINVAL). */
    EMPTY("keyring");

    /** The {@code user} key type's payload limit (include/keys/user-type.h). */
    static final int USER_MAX = 32767;
    /** The {@code big_key} type's payload limit (security/keys/big_key.c). */
    static final int BIG_KEY_MAX = 1024 * 1024;

    private static final byte[] PROBE_DESCRIPTION = "keyring4j.big_key.probe".getBytes(StandardCharsets.US_ASCII);

    /** The kernel's key type name. */
    final String type;

    EntryKind(String type) {
        this.type = type;
    }

    /** The kind that holds a secret of {@code length} bytes; {@code bigKey} is asked only when the length needs it. */
    static EntryKind forLength(int length, BooleanSupplier bigKey) {
        if (length == 0) return EMPTY;
        if (length <= USER_MAX) return USER;
        if (length <= BIG_KEY_MAX && bigKey.getAsBoolean()) return BIG_KEY;
        if (bigKey.getAsBoolean()) {
            throw new IllegalArgumentException("a secret of " + length + " bytes is too big for the kernel keyring:"
                    + " the big_key type holds at most " + BIG_KEY_MAX + " bytes");
        }
        throw new IllegalArgumentException("a secret of " + length + " bytes is too big for the kernel keyring:"
                + " the user key type holds at most " + USER_MAX + " bytes and this kernel has no big_key type");
    }

    /** The description of this kind's key for {@code account}, or null when an empty-secret keyring cannot have one. */
    byte[] description(byte[] account) {
        return this == EMPTY ? NameCodec.markerName(account) : account;
    }

    /** Whether this kernel has the {@code big_key} type; asks the kernel each time. */
    static boolean bigKeyTypeExists() {
        // add_key("big_key") with no payload: ENODEV when the type is missing; otherwise the type's
        // preparse refuses the empty payload with EINVAL before anything is created
        long r = KeyctlSyscalls.addKey("big_key", PROBE_DESCRIPTION, null, KeyctlSyscalls.THREAD_KEYRING);
        if (r > 0) KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, r, KeyctlSyscalls.THREAD_KEYRING, 0, 0);
        return r > 0 || r == -KeyctlSyscalls.EINVAL;
    }
}
