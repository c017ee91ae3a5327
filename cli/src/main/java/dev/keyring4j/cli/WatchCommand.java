package dev.keyring4j.cli;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Subscription;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j watch SERVICE ACCOUNT}: one line per event on stdout,
 * {@code <ISO-8601 time> TAB <service> TAB <account> TAB <kind>}, until interrupted. Never the secret.
 */
@Command(name = "watch", description = {"Print one line per change of a credential (time<TAB>service<TAB>account<TAB>kind) until interrupted.",
        "Kinds: CREATED, CHANGED, DELETED, RESYNC (events may have been missed: re-read). Never prints the secret."})
final class WatchCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;
    @Parameters(index = "1", paramLabel = "ACCOUNT")
    String account;

    @Override
    public Integer call() throws InterruptedException {
        CredentialStore store = options.open();
        Subscription sub;
        try {
            sub = store.watch(service, account, this::print);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sub.close();
            store.close();
            stopped.countDown();
        }, "keyring4j-watch-stop"));
        Main.Streams.err.println("keyring4j: watching " + service + "/" + account + " in " + store.id() + "; interrupt (Ctrl-C) to stop");
        Main.Streams.err.flush();
        stopped.await();
        return Main.OK;
    }

    private void print(CredentialEvent e) {
        synchronized (Main.Streams.out) {
            Main.Streams.out.println(Instant.now() + "\t" + e.id().service() + "\t" + e.id().account() + "\t" + e.kind());
            Main.Streams.out.flush();
        }
    }
}
