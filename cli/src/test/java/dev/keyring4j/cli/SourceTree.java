package dev.keyring4j.cli;

import dev.keyring4j.testkit.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A copy of this checkout's sources (what git tracks, plus new files it does not ignore; no build output), and
 * Maven run offline in such a copy, for the tests that build the project themselves.
 */
final class SourceTree {
    private SourceTree() {
    }

    static Path root() throws IOException {
        return Path.of(System.getProperty("keyring4j.root")).toRealPath();
    }

    /** This checkout's git directory (a worktree's own, or the clone's .git), for GIT_DIR. */
    static String gitDir() throws IOException, InterruptedException {
        Path git = Prerequisites.requireProgram("git");
        return Distributions.ok(List.of(git.toString(), "-C", root().toString(), "rev-parse", "--absolute-git-dir"), Map.of(), null).out().strip();
    }

    static Path copy(Path to) throws IOException, InterruptedException {
        Path git = Prerequisites.requireProgram("git");
        Path root = root();
        Processes.Result files = Distributions.ok(List.of(git.toString(), "-C", root.toString(), "ls-files", "-z", "--cached", "--others", "--exclude-standard"),
                Map.of(), null);
        Files.createDirectories(to);
        for (String f : files.out().split("\0")) {
            Path from = root.resolve(f);
            if (f.isEmpty() || !Files.isRegularFile(from)) continue; // deleted, not yet committed
            Path target = to.resolve(f);
            Files.createDirectories(target.getParent());
            Files.copy(from, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return to;
    }

    /** {@code mvn -B -o -q ARGS} in {@code dir}, its output in dir/build.log; returns the exit status. */
    static int mvn(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path mvn = Prerequisites.requireProgram("mvn");
        List<String> cmd = new java.util.ArrayList<>(List.of(mvn.toString(), "-B", "-o", "-q"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log(dir).toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYRING4J") || k.startsWith("MAVEN_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("mvn " + args + " in " + dir + " did not finish in 15 minutes");
        }
        return p.exitValue();
    }

    static Path log(Path dir) {
        return dir.resolve("build.log");
    }

    static String readLog(Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(log(dir))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
