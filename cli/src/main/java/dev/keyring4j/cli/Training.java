package dev.keyring4j.cli;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The training run an AppCDS archive is dumped from ({@code -XX:ArchiveClassesAtExit}, see the
 * {@code keyring4j} launcher): runs the command's common paths once in this process, output discarded,
 * so that their classes (picocli, discovery, every backend's probe and read path) are in the archive.
 *
 * <p>Changes nothing and asks nobody: it reads an id nobody stores, lists, probes (probes never prompt
 * or write) and prints help, with the Secret Service's prompts denied and the command and etcd backends off
 * (a rule matching every host would otherwise run its token command), whatever the user's
 * configuration says. It is never part of a user's command.
 */
public final class Training {
    private Training() {
    }

    /** Runs the training commands; ignores their outcomes (a machine without a backend trains less). */
    public static void main(String[] args) {
        // system properties rank above the environment and the files: no unlock dialog, no token command
        System.setProperty("keyring4j.secret-service.prompt", "deny");
        System.setProperty("keyring4j.command.enabled", "false");
        // a configured etcd cluster would win auto-detection, and its first read creates the keyset there and a key file here
        System.setProperty("keyring4j.etcd.enabled", "false");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        String[][] runs = {
            {"--backend", "env", "get", "keyring4j-training", "none"},
            {"--backend", "env", "list", "keyring4j-training"},
            {"--backend", "env", "find", "keyring4j-training"},
            {"get", "keyring4j-training", "none"},
            {"backends"},
            {"--help"},
            {"git-credential", "get"},
            {"docker-credential", "list"},
        };
        byte[] gitRequest = "protocol=https\nhost=keyring4j-training.invalid\n\n".getBytes(StandardCharsets.UTF_8);
        for (String[] run : runs) {
            // Main.main's step before Main.run: its classes too come from the archive, so the jar is never searched
            Main.run(Arguments.recover(run), new ByteArrayInputStream(gitRequest), discard, discard);
        }
    }
}
