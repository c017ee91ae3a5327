package dev.keyring4j.keyset;

import java.util.Locale;

/** How the keyset of a store is protected; the name is what the file and the configuration say. */
public enum ProtectionKind {
    /** Argon2id of a passphrase. */
    PASSPHRASE("passphrase", "anyone who gets the store file (and its backup) but not the passphrase;"
            + " not against code running as you while the store is unlocked"),
    /** A random key sealed by systemd-creds. */
    SYSTEMD_CREDS("systemd-creds", "copies of the store file taken off this machine (the key is sealed to this"
            + " host's credential secret or TPM2); not against root or code running as you on this machine"),
    /** A random key in a separate 0600 file. */
    KEYFILE("keyfile", "a leak of the store file alone (a backup, a copied file); not against anyone who can"
            + " also read the key file, such as code running as you");

    private final String id;
    private final String protectsAgainst;

    ProtectionKind(String id, String protectsAgainst) {
        this.id = id;
        this.protectsAgainst = protectsAgainst;
    }

    /** The name in files and configuration. */
    public String id() {
        return id;
    }

    /** One honest sentence on what this protection protects against, for diagnose(). */
    public String protectsAgainst() {
        return protectsAgainst;
    }

    /** The kind named {@code s} (case-insensitive, trimmed), or null. */
    public static ProtectionKind parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (ProtectionKind k : values()) {
            if (k.id.equals(t)) return k;
        }
        return null;
    }
}
