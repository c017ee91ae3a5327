package dev.keyring4j.kernel;

import java.util.Locale;

/** The keyring the namespace keyring hangs from ({@code kernel.keyring}). */
enum KernelTarget {
    PROCESS(KeyctlSyscalls.PROCESS_KEYRING, "@p"),
    SESSION(KeyctlSyscalls.SESSION_KEYRING, "@s"),
    USER(KeyctlSyscalls.USER_KEYRING, "@u"),
    /** The user's persistent keyring, reached through {@code KEYCTL_GET_PERSISTENT} and linked into the process keyring. */
    PERSISTENT(0, "persistent");

    final int specialId;
    final String shortName;

    KernelTarget(int specialId, String shortName) {
        this.specialId = specialId;
        this.shortName = shortName;
    }

    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The target a configuration value names ({@code kernel.keyring} has already checked it is one of them). */
    static KernelTarget parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
