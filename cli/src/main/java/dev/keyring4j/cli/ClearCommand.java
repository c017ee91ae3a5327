package dev.keyring4j.cli;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import java.io.Console;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j clear SERVICE}: deletes every account of a service. It first names, on stderr, every
 * account it will delete and the store, then asks on the terminal; {@code --yes} skips the question for
 * scripts. Without a terminal and without {@code --yes} it deletes nothing and exits 2.
 */
@Command(name = "clear", description = {"Delete every account of SERVICE, after naming each one and asking (--yes: without asking).",
        "The accounts are deleted from every writable store. Without a terminal to ask on and without --yes nothing is",
        "deleted (exit 2). Exit 1 when the service has none."})
final class ClearCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;
    @Option(names = {"-y", "--yes"}, description = "Delete without asking.")
    boolean yes;

    @Override
    public Integer call() {
        try (CredentialStore store = options.open()) {
            List<CredentialId> ids = store.list(service);
            if (ids.isEmpty()) {
                Main.Streams.err.println("keyring4j: no credential for service '" + service + "' in " + store.id() + "; nothing to delete");
                return Main.NOT_FOUND;
            }
            Main.Streams.err.println("keyring4j: " + (yes ? "deleting" : "will delete") + " " + ids.size() + " credential(s) of service '"
                    + service + "' from " + store.id() + ":");
            ids.forEach(id -> Main.Streams.err.println("  " + id.account()));
            if (!yes && !confirmed()) return Main.USAGE;
            int deleted = 0;
            for (CredentialId id : ids) {
                if (store.delete(id.service(), id.account())) deleted++;
            }
            Main.Streams.err.println("keyring4j: deleted " + deleted + " credential(s) of service '" + service + "'");
            return Main.OK;
        }
    }

    /** Asks on the terminal; without one (a script, a pipe) refuses, since nobody saw the list. */
    private boolean confirmed() {
        Console console = System.console();
        if (console == null || Main.Streams.in != System.in) {
            Main.Streams.err.println("keyring4j: nothing deleted: no terminal to ask on; rerun with --yes to delete these without asking");
            return false;
        }
        String answer = console.readLine("Delete them? [y/N] ");
        if (answer != null && List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT))) return true;
        Main.Streams.err.println("keyring4j: nothing deleted");
        return false;
    }
}
