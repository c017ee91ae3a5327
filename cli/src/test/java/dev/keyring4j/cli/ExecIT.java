package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `keyring4j exec` (the built jar) with real child processes. */
class ExecIT {
    private static final String SECRET = "exec-s3cret-5a7d";
    @TempDir
    Path home;
    Child child;
    String keyring4j;

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.requireProgram("sh");
        Prerequisites.require(Files.isDirectory(Path.of("/proc/self")), "/proc");
        child = new Child(home).with("KEYRING4J_BACKEND", "env", "KEYRING4J_DB_APP", SECRET, "KEYRING4J_API_BOT", "second-value");
        keyring4j = child.bin.resolve("keyring4j").toString();
    }

    @Test
    void theChildSeesTheVariablesAndItsExitStatusIsReturned() throws Exception {
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "--env", "DB_PASSWORD=db/app", "-e", "API_TOKEN=api/bot", "--",
                "sh", "-c", "printf '%s|%s' \"$DB_PASSWORD\" \"$API_TOKEN\"; read line; printf '|%s' \"$line\"; exit 42"), "from-stdin\n");
        assertEquals(42, r.exit(), r.err());
        assertEquals(SECRET + "|second-value|from-stdin", r.out());
        assertFalse(r.err().contains(SECRET), r.err());
    }

    @Test
    void theChildDoesNotInheritKeyring4jsOwnVariables() throws Exception {
        child.with("KEYRING4J_PASSPHRASE", "pass-phr4se-9c1e", "KEYRING4J_FOO_BAR", "foo-s3cret-77b2", "keyring4j_lower_one", "lower-s3cret-1d0f",
                "UNRELATED", "kept-value");
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "--env", "DB_PASSWORD=db/app", "--", "/usr/bin/env"), null);
        assertEquals(0, r.exit(), r.err());
        for (String leaked : List.of("pass-phr4se-9c1e", "foo-s3cret-77b2", "lower-s3cret-1d0f", "second-value", "KEYRING4J_PASSPHRASE",
                "KEYRING4J_FOO_BAR", "KEYRING4J_DB_APP", "KEYRING4J_API_BOT", "KEYRING4J_BACKEND", "keyring4j_lower_one")) {
            assertFalse(r.out().contains(leaked), leaked + " reached the child:\n" + r.out());
        }
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("DB_PASSWORD=" + SECRET), "injected with --env: " + r.out());
        assertTrue(lines.contains("UNRELATED=kept-value"), r.out());

        Child.Result sh = child.run(Child.cmd(keyring4j, "exec", "-e", "T=db/app", "--", "sh", "-c",
                "printf '%s|%s|%s' \"${KEYRING4J_PASSPHRASE-unset}\" \"${KEYRING4J_FOO_BAR-unset}\" \"${#T}\""), null);
        assertEquals(0, sh.exit(), sh.err());
        assertEquals("unset|unset|" + SECRET.length(), sh.out());
    }

    @Test
    void aVariablePassedByNameReachesTheChild() throws Exception {
        child.with("KEYRING4J_PASSPHRASE", "pass-phr4se-9c1e");
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "--env", "DB_PASSWORD=db/app", "--pass-env", "KEYRING4J_API_BOT",
                "--pass-env", "KEYRING4J_BACKEND", "--", "/usr/bin/env"), null);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("DB_PASSWORD=" + SECRET), r.out());
        assertTrue(lines.contains("KEYRING4J_API_BOT=second-value") && lines.contains("KEYRING4J_BACKEND=env"), "passed by name: " + r.out());
        assertFalse(r.out().contains("pass-phr4se-9c1e") || r.out().contains("KEYRING4J_DB_APP"), r.out());
    }

    @Test
    void withAnotherEnvPrefixItsVariablesAreScrubbedToo() throws Exception {
        child.with("KEYRING4J_BACKEND", "env", "MYAPP_DB_APP", "myapp-s3cret-5e1a", "MYAPP_OTHER_ONE", "other-s3cret-0b7c", "MYAPPX", "not-under-the-prefix");
        Path cfg = home.resolve("keyring.properties");
        Files.writeString(cfg, "env.prefix = myapp\n");
        Child.Result r = child.run(Child.cmd(keyring4j, "--config", cfg.toString(), "exec", "--env", "DB_PASSWORD=db/app", "--", "/usr/bin/env"), null);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("DB_PASSWORD=myapp-s3cret-5e1a"), r.out());
        assertFalse(r.out().contains("MYAPP_DB_APP") || r.out().contains("other-s3cret-0b7c"), r.out());
        assertTrue(lines.contains("MYAPPX=not-under-the-prefix"), r.out());
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() throws Exception {
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "-e", "T=db/app", "sh", "-c", "echo \"$1 ${#T}\"", "sh", "--env"), null);
        assertEquals(0, r.exit(), r.err());
        assertEquals("--env " + SECRET.length() + "\n", r.out());
    }

    @Test
    void theSecretIsNeverOnACommandLine() throws Exception {
        Path ready = home.resolve("ready");
        Path go = home.resolve("go");
        Process p = child.start(Child.cmd(keyring4j, "exec", "--env", "DB_PASSWORD=db/app", "--", "sh", "-c",
                "echo $$ > '" + ready + ".tmp'; mv '" + ready + ".tmp' '" + ready + "'; while [ ! -e '" + go + "' ]; do sleep 0.05; done; echo ${#DB_PASSWORD}"), null);
        Child.awaitFile(ready, p);
        long childPid = Long.parseLong(Files.readString(ready).trim());
        String childCmdline = new String(Files.readAllBytes(Path.of("/proc/" + childPid + "/cmdline")), StandardCharsets.UTF_8);
        assertTrue(childCmdline.contains("DB_PASSWORD"), "we are looking at the right process: " + childCmdline);
        assertFalse(childCmdline.contains(SECRET), childCmdline);
        // every process of this user, as ps shows them: the java parent, the wrapper, the child
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            Path cmdline = Path.of("/proc/" + h.pid() + "/cmdline");
            try {
                assertFalse(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains(SECRET), "in " + cmdline);
            } catch (java.io.IOException gone) {
                // exited meanwhile or not ours to read
            }
        }
        Child.Result ps = new Child(home.resolve("ps")).run(Child.cmd("ps", "-eo", "pid,args"), null);
        assertTrue(ps.out().contains(Long.toString(childPid)), ps.out());
        assertFalse(ps.out().contains(SECRET));
        Files.writeString(go, "");
        Child.Result r = Child.finish(p, null);
        assertEquals(0, r.exit(), r.err());
        assertEquals(SECRET.length() + "\n", r.out());
    }

    @Test
    void aMissingCredentialFailsBeforeTheChildStarts() throws Exception {
        Path marker = home.resolve("started");
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "-e", "OK=db/app", "-e", "MISSING=nope/nobody", "--",
                "sh", "-c", "touch '" + marker + "'"), null);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("MISSING") && r.err().contains("was not started"), r.err());
        assertFalse(Files.exists(marker), "the child must not run");
        assertFalse(r.err().contains(SECRET));
    }

    @Test
    void termAndIntSentToKeyring4jAreForwardedToTheChild() throws Exception {
        for (String signal : List.of("TERM", "INT", "HUP")) {
            Path ready = home.resolve("ready-" + signal);
            Path got = home.resolve("got-" + signal);
            // env resets the three to their default first: a signal ignored when a process starts (as under nohup, which
            // the CI rehearsal used) stays ignored by the JVM and by exec's child, rightly, and would never be forwarded
            Process p = child.start(Child.cmd("env", "--default-signal=TERM,INT,HUP", keyring4j, "exec", "-e", "T=db/app", "--", "sh", "-c",
                    "trap 'echo caught > \"" + got + "\"; exit 42' " + signal + "; echo $$ > '" + ready + ".tmp'; mv '" + ready + ".tmp' '"
                            + ready + "'; while :; do sleep 0.05; done"), null);
            Child.awaitFile(ready, p);
            long childPid = Long.parseLong(Files.readString(ready).trim());
            try {
                // env and the wrapper script exec'd java, so p is the JVM running keyring4j
                Child.Result kill = new Child(home.resolve("k-" + signal)).run(Child.cmd("kill", "-" + signal, Long.toString(p.pid())), null);
                assertEquals(0, kill.exit(), kill.err());
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    // a forwarding that never happens: say which signal, where it got to, and what the JVM was doing
                    Child.Result threads = new Child(home.resolve("j-" + signal)).run(Child.cmd(Processes.java().resolveSibling("jcmd").toString(), Long.toString(p.pid()), "Thread.print"), null);
                    p.destroyForcibly();
                    fail("SIG" + signal + " sent to keyring4j exec: it had not exited after 60 s; the child " + (ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)
                            ? "is still alive" : "is gone") + ", its trap " + (Files.exists(got) ? "ran" : "did not run") + "; keyring4j's threads:\n" + threads.out() + threads.err());
                }
                Child.Result r = Child.finish(p, null);
                assertEquals(42, r.exit(), signal + ": " + r.err());
                assertTrue(Files.exists(got), signal + " reached the child");
            } finally {
                // never leave the child behind, whatever happened
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aChildKilledBySignalGivesOneHundredTwentyEightPlusTheSignal() throws Exception {
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "-e", "T=db/app", "--", "sh", "-c", "kill -KILL $$"), null);
        assertEquals(128 + 9, r.exit(), r.err());
        r = child.run(Child.cmd(keyring4j, "exec", "-e", "T=db/app", "--", "sh", "-c", "kill -TERM $$"), null);
        assertEquals(128 + 15, r.exit(), r.err());
    }

    @Test
    void aCommandThatCannotStartExits127() throws Exception {
        Child.Result r = child.run(Child.cmd(keyring4j, "exec", "-e", "T=db/app", "--", home.resolve("no-such-program").toString()), null);
        assertEquals(127, r.exit());
        assertFalse(r.err().contains(SECRET));
    }
}
