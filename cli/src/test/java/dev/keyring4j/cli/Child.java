package dev.keyring4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real processes for the integration tests: a private environment (HOME, XDG, git config; no
 * KEYRING4J_*, no proxies), a {@code keyring4j} wrapper on PATH that runs the built jar.
 */
final class Child {
    final Path home;
    final Path bin;
    final Map<String, String> env = new HashMap<>();

    Child(Path home) throws IOException {
        this.home = home;
        this.bin = Files.createDirectories(home.resolve("bin"));
        Path wrapper = bin.resolve("keyring4j");
        Files.writeString(wrapper, "#!/bin/sh\nexec '" + Processes.java() + "' -jar '" + System.getProperty("keyring4j.cli.jar") + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        System.getenv().forEach((k, v) -> {
            String lower = k.toLowerCase(java.util.Locale.ROOT);
            if (!k.startsWith("KEYRING4J") && !k.startsWith("GIT_") && !lower.endsWith("_proxy") && !k.startsWith("DOCKER")) env.put(k, v);
        });
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("XDG_DATA_HOME", home.resolve("data").toString());
        env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", home.resolve("gitconfig").toString());
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("no_proxy", "*");
    }

    record Result(int exit, String out, String err) {
    }

    Child with(String... kv) {
        for (int i = 0; i < kv.length; i += 2) env.put(kv[i], kv[i + 1]);
        return this;
    }

    Process start(List<String> command, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (dir != null) pb.directory(dir.toFile());
        return pb.start();
    }

    Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        return run(command, stdin, null);
    }

    Result run(List<String> command, String stdin, Path dir) throws IOException, InterruptedException {
        Process p = start(command, dir);
        return finish(p, stdin);
    }

    static Result finish(Process p, String stdin) throws IOException, InterruptedException {
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("child did not finish: " + p.info().commandLine().orElse("?"));
        }
        try {
            // a grandchild that outlived the child may hold the pipes open: do not wait for it forever
            return new Result(p.exitValue(), new String(out.get(2, TimeUnit.MINUTES), StandardCharsets.UTF_8),
                    new String(err.get(2, TimeUnit.MINUTES), StandardCharsets.UTF_8));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the output of " + p.info().commandLine().orElse("the child") + " (exit " + p.exitValue()
                    + ") did not end: a process it started still holds it open", e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    static List<String> cmd(String... args) {
        return new ArrayList<>(List.of(args));
    }

    /** Waits until a file exists (a child signals readiness this way); fails if the child dies first. */
    static void awaitFile(Path file, Process p) throws InterruptedException {
        for (int i = 0; i < 6000 && !Files.exists(file); i++) {
            if (!p.isAlive()) throw new AssertionError("the child exited (" + p.exitValue() + ") before creating " + file);
            Thread.sleep(20);
        }
        if (!Files.exists(file)) throw new AssertionError("no " + file + " after two minutes");
    }

    /** The writable backend ids `keyring4j backends` reports available here (kernel, secret-service, encrypted-file). */
    List<String> writableBackends() throws Exception {
        Result r = run(cmd(bin.resolve("keyring4j").toString(), "backends"), null);
        List<String> ids = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && List.of("kernel", "secret-service", "encrypted-file").contains(f[0]) && f[2].equals("yes")) ids.add(f[0]);
        }
        return ids;
    }

    /** The env backend's token variable for a service (its account goes in the same name + _ID). */
    static String envVar(String service) {
        return dev.keyring4j.env.EnvVariableNames.token("KEYRING4J", service);
    }
}
