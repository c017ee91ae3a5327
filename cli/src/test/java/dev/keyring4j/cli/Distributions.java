package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where {@code mvn package} put the command's distributions (cli/src/dist/build-dist.sh), and running their programs. */
final class Distributions {
    private Distributions() {
    }

    static String version() {
        return System.getProperty("keyring4j.version");
    }

    /** {@code 0.1.0-SNAPSHOT} as a Debian version: {@code 0.1.0~SNAPSHOT}, which sorts before the release. */
    static String debianVersion() {
        return version().replace('-', '~');
    }

    static Path target() {
        return Path.of(System.getProperty("keyring4j.cli.target"));
    }

    static Path tarball() {
        Path p = target().resolve("keyring4j-" + version() + ".tar.gz");
        assertTrue(Files.isRegularFile(p), "mvn package builds " + p);
        return p;
    }

    static Path deb() {
        Path p = target().resolve("keyring4j_" + debianVersion() + "_all.deb");
        assertTrue(Files.isRegularFile(p), "mvn package builds " + p);
        return p;
    }

    /** Every subcommand's name, from the annotations the command is built from. */
    static List<String> subcommands() {
        return Main.SUBCOMMANDS.stream().map(c -> c.getAnnotation(picocli.CommandLine.Command.class).name()).toList();
    }

    /** Runs a command, failing the test (with its output) unless it exits 0. */
    static Processes.Result ok(List<String> command, Map<String, String> env, String stdin) throws IOException, InterruptedException {
        Processes.Result r = Processes.run(command, env, stdin);
        if (r.exit() != 0) throw new AssertionError(command + " exited " + r.exit() + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        return r;
    }
}
