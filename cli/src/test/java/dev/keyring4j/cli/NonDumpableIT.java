package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command is non-dumpable: run as an unprivileged user (setpriv to uid/gid 65534), a
 * {@code keyring4j set} waiting on stdin has its {@code /proc/<pid>/mem} unreadable by another
 * process of that user, while a plain JVM waiting on stdin and the child of {@code keyring4j exec},
 * started and read the same way, are readable: prctl is what makes the difference.
 *
 * <p>The reader is the target's parent (a shell of the same user), so Yama's ptrace_scope 1, which
 * lets a process read only its descendants, does not change the outcome of the controls.
 */
class NonDumpableIT {
    private static final String USER = "65534";
    /**
     * Starts "$@" with the script's stdin (kept open by the test), prints its pid, or with PICK=NAME
     * the pid of its child called NAME once there is one (by name: exec's command backend runs a
     * short-lived child of its own first), waits for the file $GO, then tries to read 16 bytes of
     * that process's memory at its first mapping.
     */
    private static final String PEEK = """
            exec 3<&0
            "$@" <&3 &
            pid=$!
            if [ "$PICK" != self ]; then
              t=0; c=""
              while [ -z "$c" ] && [ $t -lt 600 ]; do c=$(pgrep -x -P "$pid" "$PICK" | head -n1); sleep 0.1; t=$((t+1)); done
              pid=$c
            fi
            echo "pid $pid"
            while [ ! -e "$GO" ]; do sleep 0.1; done
            addr=$(head -n1 "/proc/$pid/maps" 2>/dev/null | cut -d- -f1)
            if out=$(dd if="/proc/$pid/mem" bs=16 count=1 iflag=skip_bytes skip=$((0x${addr:-0})) 2>&1 >/dev/null); then
              echo "readable"
            else
              echo "unreadable: $out" | tr '\\n' ' '; echo
            fi
            """;

    private static Path dir;

    private static Path dir() throws Exception {
        if (dir == null) {
            // readable by the unprivileged user; its HOME (JNA unpacks its native part there) is its own
            dir = Files.createTempDirectory("k4j-nondumpable", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Path home = Files.createDirectories(dir.resolve("home"));
            assertEquals(0, new ProcessBuilder("chown", USER + ":" + USER, home.toString()).inheritIO().start().waitFor());
            Files.writeString(dir.resolve("peek.sh"), PEEK);
            Files.writeString(dir.resolve("Wait.java"),
                    "public class Wait { public static void main(String[] a) throws Exception { System.out.println(\"ready\"); System.in.read(); } }");
        }
        return dir;
    }

    private static void requireSetprivAsRoot() throws Exception {
        Prerequisites.requireProgram("setpriv");
        Prerequisites.requireProgram("pgrep");
        String status = Files.readString(Path.of("/proc/self/status"));
        Prerequisites.require(status.lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "running as root, to start processes as the unprivileged uid " + USER + " with setpriv");
        Path yama = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        if (Files.exists(yama)) {
            int scope = Integer.parseInt(Files.readString(yama).strip());
            Prerequisites.require(scope <= 1, "Yama ptrace_scope 0 or 1 (is " + scope + "): above, no process may read another's memory");
        }
    }

    /**
     * What the reader found for the process {@code command} started as the user (or, unless
     * {@code pick} is "self", for its child of that name), once {@code ready} says it is waiting.
     */
    private String peek(String pick, Readiness ready, String... command) throws Exception {
        Path go = dir().resolve("go-" + System.nanoTime());
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups", "--",
                "sh", dir().resolve("peek.sh").toString()));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.toUpperCase(java.util.Locale.ROOT).startsWith("KEYRING4J"));
        pb.environment().put("HOME", dir().resolve("home").toString());
        pb.environment().put("PICK", pick);
        pb.environment().put("GO", go.toString());
        pb.environment().put("KEYRING4J_SVC_ACCT", "exec-value");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertTrue(line != null && line.startsWith("pid "), "the reader's first line: " + line);
            long pid = Long.parseLong(line.substring(4).strip());
            ready.await(pid, r);
            Files.writeString(go, "");
            String verdict;
            do {
                verdict = r.readLine();
            } while (verdict != null && !verdict.startsWith("readable") && !verdict.startsWith("unreadable"));
            return verdict;
        } finally {
            // stdin closed: keyring4j set and the control end; the exec child is ended by its pid
            p.getOutputStream().close();
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    interface Readiness {
        void await(long pid, BufferedReader output) throws Exception;
    }

    /** keyring4j is waiting once /proc/<pid> belongs to root: the kernel's sign that it is no longer dumpable. */
    private static Readiness notDumpable() {
        return (pid, out) -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                Path mem = Path.of("/proc/" + pid + "/mem");
                if (Files.exists(mem) && Files.getOwner(mem).getName().equals("root")) return;
                Thread.sleep(100);
            }
            // not made non-dumpable: let the reader show it
        };
    }

    private String keyring4j() {
        return System.getProperty("keyring4j.cli.jar");
    }

    @Test
    void aWaitingSetCannotBeReadByAnotherProcessOfItsUser() throws Exception {
        requireSetprivAsRoot();
        String verdict = peek("self", notDumpable(), Processes.java().toString(), "-XX:-UsePerfData", "-jar", keyring4j(), "set", "svc", "acct");
        assertTrue(verdict != null && verdict.startsWith("unreadable") && verdict.contains("Permission denied"), "keyring4j set: " + verdict);
    }

    @Test
    void controlAPlainJvmOfTheSameUserStartedTheSameWayIsReadable() throws Exception {
        requireSetprivAsRoot();
        String verdict = peek("self", (pid, out) -> {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // the JVM compiles Wait.java first
            }
        }, Processes.java().toString(), "-XX:-UsePerfData", dir().resolve("Wait.java").toString());
        assertEquals("readable", verdict, "a JVM without prctl");
    }

    /**
     * exec through the command backend (a secret enters from a process, not from this process's own
     * environment, so keyring4j protects itself) keeps itself unreadable while its child is readable.
     */
    @Test
    void execsChildIsDumpableAgainWhileKeyring4jIsNot() throws Exception {
        requireSetprivAsRoot();
        Path config = dir().resolve("command.properties");
        Files.writeString(config, "command.rule.t.match = svc.example.dev\ncommand.rule.t.run = echo exec-value\n");
        String[] exec = {Processes.java().toString(), "-XX:-UsePerfData", "-jar", keyring4j(), "--config", config.toString(),
                "--backend", "command", "exec", "--env", "X=svc.example.dev/acct", "--", "sleep", "60"};
        String child = peek("sleep", (pid, out) -> Thread.sleep(500), exec);
        assertEquals("readable", child, "execve makes exec's child dumpable");
        String parent = peek("self", notDumpable(), exec);
        assertTrue(parent != null && parent.startsWith("unreadable"), "keyring4j exec itself: " + parent);
    }

    /**
     * The env backend's secrets are in the process's environment before it starts (and in its
     * parent's, or in a file its user reads): keyring4j leaves itself dumpable there, which keeps
     * {@code --backend env} free of native code (ColdStartIT), and says so with --debug.
     */
    @Test
    void theEnvBackendIsLeftDumpableAndSaysSo() throws Exception {
        Processes.Result r = Processes.run(Processes.jar("--debug", "--backend", "env", "get", "svc", "acct"),
                java.util.Map.of("KEYRING4J_SVC_ACCT", "v"), null);
        assertEquals(0, r.exit(), r.err());
        assertEquals("v\n", r.out());
        assertTrue(r.err().contains("not marked non-dumpable: the env backend's secrets are in its environment already"), r.err());
    }
}
