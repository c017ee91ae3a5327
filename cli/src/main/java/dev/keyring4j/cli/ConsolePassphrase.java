package dev.keyring4j.cli;

import dev.keyring4j.KeyringConfig;
import dev.keyring4j.encryptedfile.PassphraseProvider;
import java.io.Console;
import java.util.Arrays;

/** The no-echo terminal prompt the CLI gives a passphrase-protected encrypted file store. */
final class ConsolePassphrase {
    private ConsolePassphrase() {
    }

    /** Registers the prompt when there is a terminal and the encrypted-file backend is present. */
    static void register(KeyringConfig.Builder builder) {
        if (System.console() == null) return; // without a terminal: KEYRING4J_PASSPHRASE or LockedException
        try {
            builder.component(PassphraseProvider.class, ConsolePassphrase::ask);
        } catch (NoClassDefFoundError absent) {
            // on a module path without the encrypted-file backend there is nothing to prompt for
        }
    }

    private static char[] ask(java.nio.file.Path store, PassphraseProvider.Purpose purpose) {
        Console console = System.console();
        if (console == null) return null;
        char[] first = console.readPassword("Passphrase for %s: ", store);
        if (purpose != PassphraseProvider.Purpose.CREATE || first == null) return first;
        char[] again = console.readPassword("Repeat the passphrase: ");
        boolean same = Arrays.equals(first, again);
        if (again != null) Arrays.fill(again, '\0');
        if (!same) {
            Arrays.fill(first, '\0');
            throw new IllegalArgumentException("the passphrases differ; nothing was created");
        }
        return first;
    }
}
