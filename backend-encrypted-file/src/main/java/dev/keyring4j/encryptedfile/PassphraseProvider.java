package dev.keyring4j.encryptedfile;

import java.nio.file.Path;

/**
 * Supplies the passphrase of an encrypted file store whose protection is {@code passphrase}.
 * Register one with {@code KeyringConfig.builder().component(PassphraseProvider.class, …)}; the
 * {@code keyring4j} CLI registers a no-echo console prompt. Without one, the store reads
 * {@code KEYRING4J_PASSPHRASE} from the environment.
 *
 * <p>The store calls it at most once per unlock (it keeps the derived key, never the passphrase),
 * copies what it needs and wipes the returned array, so an implementation should return a fresh
 * array. Returning {@code null} means "no passphrase available": the store then throws
 * {@link dev.keyring4j.LockedException}.
 */
@FunctionalInterface
public interface PassphraseProvider {

    /** Why the passphrase is asked for; a prompt may ask twice for {@link #CREATE}. */
    enum Purpose {
        /** To open an existing store. */
        UNLOCK,
        /** To protect a store that is being created. */
        CREATE
    }

    /**
     * The passphrase for the store file {@code store}, or {@code null} when none is available.
     * The caller wipes the returned array.
     */
    char[] passphrase(Path store, Purpose purpose);
}
