package dev.keyring4j;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a store can do. Build one from named flags, {@code Capabilities.of(WRITABLE, PERSISTENT)},
 * rather than from positional booleans.
 *
 * @param writable        {@code set} and {@code delete} work (read-only stores throw {@link ReadOnlyStoreException})
 * @param persistent      what is written survives a reboot
 * @param encryptedAtRest what is persisted is encrypted
 * @param expiry          {@code set(…, ttl)} is honoured natively
 * @param listable        {@code list} enumerates what the store holds
 * @param watchable       {@link CredentialStore#watch} reports changes (otherwise it throws
 *                        {@link UnsupportedOperationException}); how, and with which latency, is in
 *                        {@code Keyring.diagnose()} and {@code docs/watch.md}
 */
public record Capabilities(boolean writable, boolean persistent, boolean encryptedAtRest, boolean expiry, boolean listable,
                           boolean watchable) {

    /**
     * The capabilities before {@code watchable} existed: not watchable. Kept so that code built
     * against the five-component record still compiles and runs.
     */
    public Capabilities(boolean writable, boolean persistent, boolean encryptedAtRest, boolean expiry, boolean listable) {
        this(writable, persistent, encryptedAtRest, expiry, listable, false);
    }

    /** One thing a store can do. */
    public enum Flag { WRITABLE, PERSISTENT, ENCRYPTED_AT_REST, EXPIRY, LISTABLE, WATCHABLE }

    /** Nothing at all (a backend that failed to load). */
    public static final Capabilities NONE = of();

    /** The capabilities named, and no others. */
    public static Capabilities of(Flag... flags) {
        Set<Flag> f = flags.length == 0 ? EnumSet.noneOf(Flag.class) : EnumSet.of(flags[0], flags);
        return new Capabilities(f.contains(Flag.WRITABLE), f.contains(Flag.PERSISTENT), f.contains(Flag.ENCRYPTED_AT_REST),
                f.contains(Flag.EXPIRY), f.contains(Flag.LISTABLE), f.contains(Flag.WATCHABLE));
    }

    /** The flags set, in declaration order. */
    public Set<Flag> flags() {
        Set<Flag> f = EnumSet.noneOf(Flag.class);
        if (writable) f.add(Flag.WRITABLE);
        if (persistent) f.add(Flag.PERSISTENT);
        if (encryptedAtRest) f.add(Flag.ENCRYPTED_AT_REST);
        if (expiry) f.add(Flag.EXPIRY);
        if (listable) f.add(Flag.LISTABLE);
        if (watchable) f.add(Flag.WATCHABLE);
        return f;
    }

    /** These capabilities with {@code watchable} set as given. */
    public Capabilities withWatchable(boolean watchable) {
        return new Capabilities(writable, persistent, encryptedAtRest, expiry, listable, watchable);
    }

    /** A compact human-readable form, e.g. {@code writable persistent encrypted listable watchable}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(writable ? "writable" : "read-only");
        b.append(persistent ? " persistent" : " not-persistent");
        if (encryptedAtRest) b.append(" encrypted");
        if (expiry) b.append(" expiry");
        if (listable) b.append(" listable");
        if (watchable) b.append(" watchable");
        return b.toString();
    }
}
