package dev.keyring4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.Prerequisites;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What the kernel tests share: the prerequisite check, stores in throwaway namespaces, and running programs. */
final class KernelFixture {
    private KernelFixture() {
    }

    static void requireKeyring() {
        Prerequisites.require(KeyctlSyscalls.UNSUPPORTED == null, "keyctl syscalls on this machine: " + KeyctlSyscalls.UNSUPPORTED);
        var a = new KernelKeyringProvider().probe(BackendConfig.of("kernel", Map.of(), Map.of())).availability();
        Prerequisites.require(a.isAvailable(), "a usable kernel keyring: " + a.reason());
    }

    static KernelKeyStore open(String namespace) {
        return open(namespace, "user");
    }

    static KernelKeyStore open(String namespace, String keyring) {
        return open(BackendConfig.of("kernel", Map.of("namespace", namespace, "keyring", keyring), Map.of()));
    }

    /** The store a probe of {@code config} finds, opened as {@code Keyring} opens it. */
    static KernelKeyStore open(BackendConfig config) {
        return (KernelKeyStore) new KernelKeyringProvider().probe(config).open();
    }

    /**
     * Unlinks and invalidates the namespace keyring with everything under it, as the tree of a
     * store opened with {@code namespace} and {@code keyring} finds it now.
     */
    static void removeNamespace(String namespace, String keyring) {
        KernelTarget target = KernelTarget.parse(keyring);
        KeyringTree tree = new KeyringTree(target, namespace, new ErrnoMapper(target));
        int ns = tree.namespaceId(false);
        if (ns == 0) return;
        for (int svc : tree.children(ns)) KeyctlSyscalls.keyctl(KeyctlSyscalls.INVALIDATE, svc, 0, 0, 0);
        KeyctlSyscalls.keyctl(KeyctlSyscalls.UNLINK, ns, tree.targetId(), 0, 0);
        KeyctlSyscalls.keyctl(KeyctlSyscalls.INVALIDATE, ns, 0, 0, 0);
    }

    static void removeNamespace(String namespace) {
        removeNamespace(namespace, "user");
    }

    /** The largest secret this kernel holds: {@code big_key}'s limit when the kernel has that type, else {@code user}'s. */
    static int maxSecretBytes() {
        return EntryKind.bigKeyTypeExists() ? EntryKind.BIG_KEY_MAX : EntryKind.USER_MAX;
    }

    /** The outcome of a finished program. */
    record Result(int exit, String out, String err) {
        Result ok() {
            assertEquals(0, exit, () -> "exit status; stdout: " + out + "\nstderr: " + err);
            return this;
        }

        String trimmed() {
            return out.trim();
        }
    }

    static Result run(List<String> command) {
        return run(command, null);
    }

    /** Runs a program to the end (stdin from {@code input} when given). */
    static Result run(List<String> command, byte[] input) {
        try {
            Process p = new ProcessBuilder(command).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                if (input != null) in.write(input);
            }
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("did not finish: " + command);
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static byte[] runBytes(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            p.getOutputStream().close();
            byte[] out = drain(p.getInputStream());
            assertEquals(0, p.waitFor(), "exit status of " + command);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String keyctl() {
        return Prerequisites.requireProgram("keyctl").toString();
    }

    /** {@code keyctl <args>}; its trimmed stdout. */
    static String keyctl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(keyctl());
        cmd.addAll(List.of(args));
        return run(cmd).ok().trimmed();
    }

    /** A command line starting a JVM on this test's class path running {@link KernelChild}. */
    static List<String> childJava(String classPath, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(KernelChild.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
