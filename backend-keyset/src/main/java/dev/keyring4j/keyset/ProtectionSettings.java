package dev.keyring4j.keyset;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a {@link KeysetProtection} needs from the backend whose keyset it protects: where the store
 * is (for messages), the passphrase, the Argon2id cost, the systemd-creds time limit and where key
 * files are. Each encrypting backend implements it from its own configuration keys, so the
 * protections themselves are the same code for all of them.
 */
public interface ProtectionSettings {

    /** The store, as messages name it ("encrypted file store /path", "etcd store under /keyring4j/ at …"). */
    String where();

    /** The environment the backend was given (not necessarily the process's). */
    Map<String, String> env();

    /** The user's home: the directory checks above a key file stop there. */
    Path home();

    /** The Argon2id cost of new passphrase-protected keysets. */
    Argon2Params argon2();

    /** How long systemd-creds may take to seal or unseal. */
    Duration unsealTimeout();

    /** The configuration key of {@link #unsealTimeout()}, for messages. */
    String unsealTimeoutKey();

    /** The key file of the keyset whose header is {@code h}. */
    Path keyfile(Header h);

    /** Where key files are, for messages. */
    String keyfileDescription();

    /** The configuration key that names the key file, for messages. */
    String keyfileKey();

    /** The passphrase (the caller wipes it), or null when none is available. */
    char[] passphrase(boolean create);

    /** Where the passphrase would come from, for messages and diagnose(); null when nowhere. */
    String passphraseSource();

    /** What to do when there is no passphrase, for the message that says so. */
    String passphraseHint();
}
