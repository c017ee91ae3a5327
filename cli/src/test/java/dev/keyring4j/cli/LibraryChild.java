package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import java.util.Optional;

/**
 * A tiny application for the process tests: its own JVM, {@code Keyring.open()} with nothing
 * configured but what the environment says, then one operation. Run on the class path with the
 * built jar (see {@link LibraryChildren}). Exit codes follow the CLI: 0 ok, 1 absent, 3 a
 * {@link KeyringException} (its message on stderr, one line), 4 anything else (a stack trace).
 *
 * <pre>
 * id                     prints Keyring.open().id()
 * set SERVICE ACCOUNT V  stores V
 * get SERVICE ACCOUNT    prints the secret
 * </pre>
 */
public final class LibraryChild {
    private LibraryChild() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (KeyringException e) {
            System.err.println("KeyringException " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
            code = 3;
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            code = 4;
        }
        System.out.flush();
        System.exit(code);
    }

    private static int run(String[] args) {
        try (CredentialStore store = Keyring.open()) {
            switch (args[0]) {
                case "id" -> {
                    System.out.println(store.id());
                    return 0;
                }
                case "set" -> {
                    store.set(args[1], args[2], Secret.of(args[3]));
                    return 0;
                }
                case "get" -> {
                    Optional<Secret> s = store.get(args[1], args[2]);
                    if (s.isEmpty()) {
                        System.err.println("no credential for " + args[1] + " / " + args[2]);
                        return 1;
                    }
                    System.out.println(s.get().asString());
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        }
    }
}
