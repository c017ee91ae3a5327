package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every entry point of the {@code keyring4j} command against hostile input: special files where a file
 * is configured, hostile stdin, hostile names and hostile configuration values. Each case runs the real
 * jar as a real process and must end within {@link #LIMIT} with exit 2 or 3 and one line on stderr (or,
 * where the input is valid for that entry point, succeed), never print a stack trace, and never print a
 * byte of the secret material it was fed ({@link #CANARY}).
 */
class HostileInputIT {
    /** Each case's whole-process bound, JVM start included. */
    static final Duration LIMIT = Duration.ofSeconds(5);
    /** Put into every hostile file and stdin, and stored as a real credential: it must never be printed. */
    static final String CANARY = "canary-5e1f-secret";
    static final int MB = 1024 * 1024;

    static Path dir;
    static ServerSocketChannel socket;
    static final Map<String, Path> FILES = new LinkedHashMap<>();

    @BeforeAll
    static void hostileFiles() throws Exception {
        dir = Files.createTempDirectory("k4j-hostile");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        FILES.put("/dev/zero", Path.of("/dev/zero"));
        Path fifo = dir.resolve("fifo");
        run("mkfifo", fifo.toString());
        FILES.put("FIFO with no writer", fifo);
        Path sock = dir.resolve("sock");
        socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        socket.bind(UnixDomainSocketAddress.of(sock));
        FILES.put("unix socket", sock);
        Path d = Files.createDirectory(dir.resolve("a-directory"));
        FILES.put("directory", d);
        Path loopA = dir.resolve("loop-a");
        Path loopB = dir.resolve("loop-b");
        Files.createSymbolicLink(loopA, loopB);
        Files.createSymbolicLink(loopB, loopA);
        FILES.put("symlink loop", loopA);
        FILES.put("empty file", Files.createFile(dir.resolve("empty")));
        Path huge = dir.resolve("huge");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write((CANARY + "\n").getBytes(StandardCharsets.US_ASCII));
            f.setLength(100L * MB); // sparse: 100 MB without writing them
        }
        FILES.put("file of 100 MB", huge);
        FILES.put("non-UTF-8 bytes", write("non-utf8", bytes(0xff, 0xfe, 'b', 'a', 'c', 'k', 'e', 'n', 'd', '=', 0xc3, 0x28, '\n'), CANARY));
        FILES.put("NUL and newline", write("nul-newline", bytes('b', 'a', 'c', 'k', 'e', 'n', 'd', '=', 'e', 0, 'n', 'v', '\n', 'x', '\r', '\n'), CANARY));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (socket != null) socket.close();
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------ configured files

    /** A hostile file wherever a file is configured, for every kind of hostile file. */
    @TestFactory
    Stream<DynamicTest> everyConfiguredFile() {
        List<DynamicTest> tests = new ArrayList<>();
        FILES.forEach((kind, file) -> {
            String f = file.toString();
            boolean valid = kind.equals("empty file"); // an empty configuration is a valid one
            // a secret file may hold any bytes: what a _FILE or a credential file holds is the secret, not text
            boolean validSecret = valid || kind.equals("non-UTF-8 bytes") || kind.equals("NUL and newline");
            tests.add(test("KEYRING4J_CONFIG=" + kind + " backends", new Case(List.of("backends")).env("KEYRING4J_CONFIG", f).validIf(valid)));
            tests.add(test("--config " + kind + " get", new Case(List.of("--config", f, "get", "svc", "acct")).validIf(valid).notFoundOk()));
            tests.add(test("user keyring.properties = " + kind, new Case(List.of("backends")).userConfig(file).validIf(valid)));
            tests.add(test("env _FILE = " + kind, new Case(List.of("--backend", "env", "get", "z", "a")).env("KEYRING4J_Z_A_FILE", f)
                    .acceptsSuccess(validSecret)));
            tests.add(test("encrypted-file.path = " + kind, new Case(List.of("--backend", "encrypted-file", "get", "svc", "acct"))
                    .setting("encrypted-file.path", f).encryptedFileKeyfile()));
            tests.add(test("encrypted-file.keyfile = " + kind, new Case(List.of("--backend", "encrypted-file", "set", "svc", "acct"))
                    .stdin(CANARY + "\n").keyfileAt(file)));
            tests.add(test("CREDENTIALS_DIRECTORY entry = " + kind + " (get)", new Case(List.of("--backend", "systemd-creds", "get", "svc", "acct"))
                    .credential("svc.acct", file).acceptsSuccess(validSecret)));
            tests.add(test("CREDENTIALS_DIRECTORY entry = " + kind + " (list agrees)", new Case(List.of("--backend", "systemd-creds", "list"))
                    .credential("svc.acct", file).listAgreesWithGet()));
            tests.add(test("CREDENTIALS_DIRECTORY = " + kind, new Case(List.of("--backend", "systemd-creds", "list")).env("CREDENTIALS_DIRECTORY", f)
                    .validIf(false).acceptsSuccess(kind.equals("directory"))));
        });
        return tests.stream();
    }

    /** Every subcommand with a hostile configuration file: none of them may hang, crash or print a trace. */
    @TestFactory
    Stream<DynamicTest> everySubcommandWithAHostileConfiguration() {
        List<List<String>> commands = List.of(
                List.of("get", "svc", "acct"), List.of("set", "svc", "acct"), List.of("del", "svc", "acct"), List.of("list"),
                List.of("backends"), List.of("diagnose"), List.of("git-credential", "get"), List.of("exec", "--env", "X=svc/acct", "--", "true"),
                List.of("docker-credential", "get"), List.of("provision-systemd", "--out", "/nonexistent-dir/out.cred", "svc", "acct"), List.of("rotate"), List.of("env-name", "svc"),
                List.of("config-reference"));
        List<DynamicTest> tests = new ArrayList<>();
        for (String kind : List.of("/dev/zero", "FIFO with no writer", "file of 100 MB", "NUL and newline")) {
            for (List<String> cmd : commands) {
                // env-name and config-reference read no configuration: they may succeed
                boolean readsNoConfiguration = cmd.get(0).equals("env-name") || cmd.get(0).equals("config-reference");
                tests.add(test(String.join(" ", cmd) + " with KEYRING4J_CONFIG=" + kind, new Case(cmd).env("KEYRING4J_CONFIG", FILES.get(kind).toString())
                        .stdin(CANARY + "\n").acceptsSuccess(readsNoConfiguration)));
            }
        }
        return tests.stream();
    }

    // ------------------------------------------------------------------ stdin

    @TestFactory
    Stream<DynamicTest> everyStdinReader() throws IOException {
        Map<String, Path> stdins = new LinkedHashMap<>();
        stdins.put("/dev/zero", Path.of("/dev/zero"));
        stdins.put("file of 100 MB", FILES.get("file of 100 MB"));
        String big = "x".repeat(MB);
        stdins.put("1 MB host", write("1mb-host", ("protocol=https\nhost=" + big + "\npassword=" + CANARY + "\n\n").getBytes(StandardCharsets.UTF_8), null));
        stdins.put("1 MB docker server", write("1mb-docker", ("{\"ServerURL\":\"https://" + big + "\",\"Username\":\"u\",\"Secret\":\"" + CANARY + "\"}")
                .getBytes(StandardCharsets.UTF_8), null));
        stdins.put("NUL in a field", write("nul-field", ("protocol=https\nhost=a\0b\nusername=u\npassword=" + CANARY + "\n\n").getBytes(StandardCharsets.UTF_8), null));
        stdins.put("non-UTF-8 bytes", write("non-utf8-stdin", bytes('h', 'o', 's', 't', '=', 0xff, 0xc3, 0x28, '\n', '\n'), CANARY));
        List<List<String>> readers = List.of(
                List.of("set", "svc", "acct"),
                List.of("git-credential", "get"), List.of("git-credential", "store"), List.of("git-credential", "erase"),
                List.of("docker-credential", "get"), List.of("docker-credential", "store"), List.of("docker-credential", "erase"),
                List.of("provision-systemd", "--out", "OUT", "svc", "acct"));
        List<DynamicTest> tests = new ArrayList<>();
        stdins.forEach((kind, file) -> {
            for (List<String> cmd : readers) {
                List<String> full = new ArrayList<>(List.of("--backend", "encrypted-file"));
                full.addAll(cmd);
                Case c = new Case(full).stdinFrom(file).encryptedFileKeyfile();
                if (cmd.contains("OUT")) full.set(full.indexOf("OUT"), c.home().resolve("out.cred").toString());
                // set stores what stdin holds: a secret may hold any bytes, and up to the documented limit
                boolean secretBytes = cmd.get(0).equals("set") || cmd.get(0).equals("provision-systemd");
                c.acceptsSuccess(secretBytes && !kind.equals("/dev/zero") && !kind.equals("file of 100 MB"));
                tests.add(test(String.join(" ", cmd) + " < " + kind, c));
            }
        });
        return tests.stream();
    }

    // ------------------------------------------------------------------ names and values

    @TestFactory
    Stream<DynamicTest> hostileNames() {
        String nearArgMax = "n".repeat(120 * 1024); // one argv string may hold at most 128 KiB (MAX_ARG_STRLEN)
        List<DynamicTest> tests = new ArrayList<>();
        for (String backend : List.of("encrypted-file", "kernel", "env", "systemd-creds")) {
            // a store that holds a newline faithfully may store it; one that cannot must refuse it
            tests.add(test(backend + ": a name with a newline", new Case(List.of("--backend", backend, "set", "svc\nx", "acct")).stdin(CANARY + "\n")
                    .encryptedFileKeyfile().credentialDirectory().acceptsSuccess(backend.equals("encrypted-file") || backend.equals("kernel"))));
            tests.add(test(backend + ": a name of 120 KiB", new Case(List.of("--backend", backend, "get", nearArgMax, "acct"))
                    .encryptedFileKeyfile().credentialDirectory().notFoundOk()));
            tests.add(test(backend + ": non-UTF-8 bytes in a name", new Case(List.of("--backend", backend, "set", "\\377\\376svc", "acct"))
                    .rawArgs().stdin(CANARY + "\n").encryptedFileKeyfile().credentialDirectory()));
        }
        tests.add(test("git-credential: a 1 MB username", new Case(List.of("--backend", "encrypted-file", "git-credential", "store"))
                .stdin("protocol=https\nhost=example.com\nusername=" + "u".repeat(MB) + "\npassword=" + CANARY + "\n\n").encryptedFileKeyfile()));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> hostileConfigurationValues() throws IOException {
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("backend of 1 MB", ("backend = " + "k".repeat(MB) + "\n").getBytes(StandardCharsets.UTF_8));
        values.put("kernel.namespace of 1 MB", ("backend = kernel\nkernel.namespace = " + "k".repeat(MB) + "\n").getBytes(StandardCharsets.UTF_8));
        values.put("NUL in kernel.namespace", "backend = kernel\nkernel.namespace = a\\u0000b\n".getBytes(StandardCharsets.UTF_8));
        values.put("newline in env.prefix", "backend = env\nenv.prefix = A\\nB\n".getBytes(StandardCharsets.UTF_8));
        values.put("non-UTF-8 in a duration", bytes('b', 'a', 'c', 'k', 'e', 'n', 'd', '=', 's', 'e', 'c', 'r', 'e', 't', '-', 's', 'e', 'r', 'v', 'i', 'c', 'e',
                '\n', 's', 'e', 'c', 'r', 'e', 't', '-', 's', 'e', 'r', 'v', 'i', 'c', 'e', '.', 't', 'i', 'm', 'e', 'o', 'u', 't', '=', 0xff, 0xfe, '\n'));
        values.put("systemd-creds.max-size of 2^70", "backend = systemd-creds\nsystemd-creds.max-size = 1180591620717411303424\n".getBytes(StandardCharsets.UTF_8));
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, byte[]> v : values.entrySet()) {
            Path cfg = write("cfg-" + Math.abs(v.getKey().hashCode()), v.getValue(), null);
            // env.prefix maps characters outside [A-Za-z0-9] to _ (documented): a newline there is a valid, odd prefix
            tests.add(test("configuration: " + v.getKey(), new Case(List.of("get", "svc", "acct")).env("KEYRING4J_CONFIG", cfg.toString())
                    .acceptsSuccess(v.getKey().startsWith("newline in env.prefix"))));
        }
        return tests.stream();
    }

    // ------------------------------------------------------------------ the case runner

    /** One run of the command and what it may answer. */
    final class Case {
        final List<String> args;
        final Map<String, String> env = new HashMap<>();
        String stdin;
        Path stdinFile;
        boolean raw;
        boolean valid;
        boolean successAccepted;
        boolean notFoundOk;
        boolean listCheck;
        /** docker-credential answers errors on stdout with exit 1 (docker's convention). */
        boolean docker;
        Path credentials;

        Case(List<String> args) {
            this.args = args;
            this.docker = args.contains("docker-credential");
        }

        Case env(String k, String v) {
            env.put(k, v);
            return this;
        }

        Case stdin(String s) {
            stdin = s;
            return this;
        }

        Case stdinFrom(Path p) {
            stdinFile = p;
            return this;
        }

        /** The arguments hold printf escapes ({@code \377}) and are passed as raw bytes through a shell. */
        Case rawArgs() {
            raw = true;
            return this;
        }

        /** The input is valid here: the command must succeed (exit 0, or 1 for "not found"). */
        Case validIf(boolean v) {
            valid = v;
            return this;
        }

        /** Success is also an acceptable answer (the entry point does not read the hostile part). */
        Case acceptsSuccess(boolean b) {
            successAccepted |= b;
            return this;
        }

        Case notFoundOk() {
            notFoundOk = true;
            return this;
        }

        Case userConfig(Path file) {
            Path cfgDir = home().resolve("config").resolve("keyring4j");
            try {
                Files.createDirectories(cfgDir);
                Files.createSymbolicLink(cfgDir.resolve("keyring.properties"), file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Case encryptedFileKeyfile() {
            return setting("encrypted-file.protection", "keyfile");
        }

        /** Keyfile protection with the key file at {@code file}. */
        Case keyfileAt(Path file) {
            return encryptedFileKeyfile().setting("encrypted-file.keyfile", file.toString());
        }

        /** A setting, through a configuration file named by KEYRING4J_CONFIG (unless the case names its own). */
        Case setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        final Map<String, String> settings = new LinkedHashMap<>();

        Case credentialDirectory() {
            return credential("other.name", null);
        }

        Case credential(String name, Path target) {
            try {
                if (credentials == null) {
                    credentials = Files.createDirectories(home().resolve("creds"));
                    Files.writeString(credentials.resolve("real.one"), CANARY);
                    env.put("CREDENTIALS_DIRECTORY", credentials.toString());
                }
                if (target != null) Files.createSymbolicLink(credentials.resolve(name), target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** list must not list a credential that get then cannot read. */
        Case listAgreesWithGet() {
            listCheck = true;
            successAccepted = true;
            return this;
        }

        private Path home;

        Path home() {
            if (home == null) {
                try {
                    home = Files.createTempDirectory(dir, "home");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return home;
        }
    }

    private DynamicTest test(String name, Case c) {
        return DynamicTest.dynamicTest(name, () -> check(name, c));
    }

    private void check(String name, Case c) throws Exception {
        Outcome o = launch(c, c.args);
        String where = name + "\nexit " + o.exit + "\nstderr: " + clip(o.err) + "\nstdout: " + clip(o.out);
        assertFalse(o.err.contains("\tat ") || o.err.contains("Exception in thread") || o.err.contains("Caused by:"), "a stack trace: " + where);
        // stdout of a successful get is the secret itself (a _FILE or credential file is the secret)
        assertFalse(o.err.contains(CANARY) || (o.exit != 0 && o.out.contains(CANARY)), "secret material printed: " + where);
        Set<Integer> allowed = c.valid ? Set.of(0, 1) : c.successAccepted ? Set.of(0, 1, 2, 3) : c.notFoundOk ? Set.of(1, 2, 3) : Set.of(2, 3);
        if (c.docker && !c.valid && !c.successAccepted) {
            // docker's protocol: exit 1 and the message on stdout, for every failure
            assertTrue(o.exit == 1 || o.exit == 2 || o.exit == 3, "exit " + o.exit + ": " + where);
            String msg = o.exit == 1 ? o.out : o.err;
            assertEquals(1, msg.strip().lines().count(), "not one line: " + where);
            return;
        }
        assertTrue(allowed.contains(o.exit), "exit " + o.exit + " not in " + allowed + ": " + where);
        if (o.exit >= 2) assertEquals(1, o.err.strip().lines().count(), "not one line on stderr: " + where);
        if (c.listCheck && o.exit == 0) {
            for (String line : o.out.strip().lines().toList()) {
                String[] id = line.split("\t", 2);
                if (id.length < 2) continue;
                List<String> get = new ArrayList<>(c.args.subList(0, c.args.indexOf("list")));
                get.addAll(List.of("get", id[0], id[1]));
                Outcome g = launch(c, get);
                assertEquals(0, g.exit, "list lists '" + line + "' but get cannot read it: " + clip(g.err));
            }
        }
    }

    record Outcome(int exit, String out, String err) {
    }

    private Outcome launch(Case c, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(Processes.jar());
        if (c.raw) {
            // printf turns \NNN into the raw bytes; "$@" passes them on unchanged
            StringBuilder sh = new StringBuilder("exec \"$0\"");
            for (int i = 1; i < cmd.size(); i++) sh.append(" '").append(cmd.get(i)).append('\'');
            for (String a : args) {
                String quoted = "'" + a.replace("'", "'\\''") + "'";
                sh.append(a.contains("\\") ? " \"$(printf " + quoted + ")\"" : " " + quoted);
            }
            cmd = List.of("/bin/sh", "-c", sh.toString(), cmd.get(0));
        } else {
            cmd.addAll(args);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYRING4J") || k.equals("CREDENTIALS_DIRECTORY") || k.equals("DBUS_SESSION_BUS_ADDRESS"));
        Path home = c.home();
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        pb.environment().put("XDG_RUNTIME_DIR", home.toString());
        pb.environment().put("KEYRING4J_KERNEL_NAMESPACE", "k4j-hostile-" + ProcessHandle.current().pid());
        if (!c.settings.isEmpty()) {
            StringBuilder props = new StringBuilder();
            c.settings.forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
            Path cfg = Files.writeString(home.resolve("case.properties"), props);
            pb.environment().put("KEYRING4J_CONFIG", cfg.toString());
        }
        pb.environment().putAll(c.env);
        if (c.stdinFile != null) pb.redirectInput(c.stdinFile.toFile());
        else if (c.stdin == null) pb.redirectInput(new File("/dev/null"));
        long t0 = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        if (c.stdinFile == null && c.stdin != null) {
            try (var w = p.getOutputStream()) {
                w.write(c.stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException closedEarly) {
                // the command may refuse before reading all of it
            }
        }
        if (!p.waitFor(LIMIT.toMillis() - (System.nanoTime() - t0) / 1_000_000, TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("did not end within " + LIMIT.toSeconds() + " s: " + args.stream().map(HostileInputIT::clip).toList() + " stderr so far: "
                    + clip(new String(err.getNow(new byte[0]), StandardCharsets.UTF_8)));
        }
        return new Outcome(p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    /** Reads at most 1 MB of a stream (a runaway child must not take the test's memory). */
    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (b.size() < MB) b.write(buf, 0, n);
                }
            } catch (IOException e) {
                // the child died; what we have is what it printed
            }
            return b.toByteArray();
        });
    }

    private static String clip(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "…(" + s.length() + " chars)" : s;
    }

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = (byte) b[i];
        return r;
    }

    private static Path write(String name, byte[] content, String canary) {
        try {
            Path p = dir.resolve(name);
            byte[] all = content;
            if (canary != null) {
                byte[] c = ("\n" + canary + "\n").getBytes(StandardCharsets.US_ASCII);
                all = java.util.Arrays.copyOf(content, content.length + c.length);
                System.arraycopy(c, 0, all, content.length, c.length);
            }
            return Files.write(p, all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }
}
