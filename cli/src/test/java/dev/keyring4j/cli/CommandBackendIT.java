package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command backend inside the built jar: discovered, in front of env, feeding get, git and exec. */
class CommandBackendIT {
    @TempDir
    Path home;
    Child child;
    String keyring4j;

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.requireProgram("bash");
        Path script = home.resolve("vendor-cli");
        Files.writeString(script, "#!/usr/bin/env bash\n[ \"$1 $2\" = \"auth token\" ] || { echo \"usage: vendor-cli auth token\" >&2; exit 2; }\n"
                + "echo run >> \"$HOME/runs\"\necho \"cmd-token-for-${3#--audience=}\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path cfg = Files.createDirectories(home.resolve("config/keyring4j")).resolve("keyring.properties");
        Files.writeString(cfg, "command.rule.registry.match = *.example.dev\n"
                + "command.rule.registry.run = " + script + " auth token --audience=example.dev\n"
                + "command.rule.registry.ttl = PT8H\n");
        child = new Child(home).with("KEYRING4J_OTHER__2D_SVC_ME", "from-env");
        keyring4j = child.bin.resolve("keyring4j").toString();
    }

    @Test
    void discoveredInFrontOfEnvAndAnsweringOnlyMatchingHosts() throws Exception {
        Child.Result backends = child.run(Child.cmd(keyring4j, "backends"), null);
        assertTrue(backends.out().lines().anyMatch(l -> l.startsWith("command ") && l.contains("30") && l.contains("yes")), backends.out());
        Child.Result diagnose = child.run(Child.cmd(keyring4j, "diagnose"), null);
        String order = diagnose.out().lines().filter(l -> l.contains("reads try, in order: ")).findFirst().orElseThrow();
        assertTrue(order.contains("in order: command -> "), order);
        assertTrue(order.endsWith(" -> env"), order);

        Child.Result get = child.run(Child.cmd(keyring4j, "get", "https://registry.example.dev", "ci"), null);
        assertEquals(0, get.exit(), get.err());
        assertEquals("cmd-token-for-example.dev\n", get.out());
        Child.Result other = child.run(Child.cmd(keyring4j, "get", "other-svc", "me"), null);
        assertEquals("from-env\n", other.out(), other.err());
    }

    @Test
    void gitAndExecGetTheTokenFromTheCommand() throws Exception {
        Prerequisites.requireProgram("git");
        assertEquals(0, child.run(Child.cmd("git", "config", "--global", "credential.helper", "!keyring4j git-credential"), null).exit());
        Child.Result fill = child.run(Child.cmd("git", "credential", "fill"), "protocol=https\nhost=git.example.dev\nusername=ci\n\n");
        assertEquals(0, fill.exit(), fill.err());
        assertTrue(fill.out().contains("username=ci\npassword=cmd-token-for-example.dev\n"), fill.out());

        Child.Result exec = child.run(Child.cmd(keyring4j, "exec", "-e", "TOKEN=https://api.example.dev/bot", "--", "sh", "-c", "echo \"$TOKEN\""), null);
        assertEquals(0, exec.exit(), exec.err());
        assertEquals("cmd-token-for-example.dev\n", exec.out());
    }

    @Test
    void aFailingCommandIsAStoreErrorWithItsStderr() throws Exception {
        Path cfg = home.resolve("config/keyring4j/keyring.properties");
        Files.writeString(cfg, Files.readString(cfg).replace("auth token --audience", "auth nope --audience"));
        Child.Result get = child.run(Child.cmd(keyring4j, "get", "https://registry.example.dev", "ci"), null);
        assertEquals(3, get.exit(), get.err());
        assertTrue(get.err().contains("exited with status 2") && get.err().contains("usage: vendor-cli auth token"), get.err());
    }

    @Test
    void theTokenGoesOnlyToHttpsOnItsPortThroughEveryHelper() throws Exception {
        Child.Result http = child.run(Child.cmd(keyring4j, "get", "http://registry.example.dev", "ci"), null);
        assertEquals(1, http.exit(), http.out() + http.err());
        Child.Result port = child.run(Child.cmd(keyring4j, "get", "https://registry.example.dev:8443", "ci"), null);
        assertEquals(1, port.exit(), port.out() + port.err());
        Child.Result git = child.run(Child.cmd(keyring4j, "git-credential", "get"), "protocol=http\nhost=git.example.dev\nusername=ci\n\n");
        assertFalse(git.out().contains("cmd-token"), git.out());
        Child.Result gitHttps = child.run(Child.cmd(keyring4j, "git-credential", "get"), "protocol=https\nhost=git.example.dev\nusername=ci\n\n");
        assertTrue(gitHttps.out().contains("password=cmd-token-for-example.dev"), gitHttps.out() + gitHttps.err());
        Child.Result docker = child.run(Child.cmd(keyring4j, "docker-credential", "get"), "http://registry.example.dev");
        assertEquals("credentials not found in native keychain\n", docker.out());
        Child.Result dockerBare = child.run(Child.cmd(keyring4j, "docker-credential", "get"), "registry.example.dev");
        assertTrue(dockerBare.out().contains("\"Secret\":\"cmd-token-for-example.dev\""), dockerBare.out());
    }

    /** A token command that prints what it sees of keyring4j's variables. */
    private Path showEnv() throws Exception {
        Path show = home.resolve("show-env");
        Files.writeString(show, "#!/bin/sh\nprintf '%s|%s|%s\\n' \"${KEYRING4J_OTHER_SVC_ME-unset}\" \"${KEYRING4J_PASSPHRASE-unset}\" \"${KEYRING4J_CONFIG-unset}\"\n");
        Files.setPosixFilePermissions(show, PosixFilePermissions.fromString("rwx------"));
        return show;
    }

    @Test
    void theTokenCommandSeesNoKeyring4jVariablesAndDiagnoseMasksItsArguments() throws Exception {
        Path show = showEnv();
        Files.writeString(home.resolve("config/keyring4j/keyring.properties"), "command.rule.a.match = a.example.dev\n"
                + "command.rule.a.run = " + show + " --client-secret=s3cr3t --audience example.dev\n"
                + "command.rule.b.match = b.example.dev\n"
                + "command.rule.b.run = " + show + "\n");
        child.with("KEYRING4J_PASSPHRASE", "pass-phr4se-3e1a");
        Child.Result a = child.run(Child.cmd(keyring4j, "get", "https://a.example.dev", "ci"), null);
        assertEquals(0, a.exit(), a.err());
        assertEquals("unset|unset|unset\n", a.out());

        Child.Result diagnose = child.run(Child.cmd(keyring4j, "diagnose"), null);
        assertEquals(0, diagnose.exit(), diagnose.err());
        assertFalse(diagnose.out().contains("s3cr3t") || diagnose.out().contains("--audience"), diagnose.out());
        assertTrue(diagnose.out().contains("command.rule.a.run = " + show + " [3 arguments masked]"), diagnose.out());
        assertTrue(diagnose.out().contains("command.rule.b.run = " + show + "   (from"), diagnose.out());
    }

    @Test
    void aVariableNamedInPassEnvReachesTheTokenCommand() throws Exception {
        Path show = showEnv();
        Files.writeString(home.resolve("config/keyring4j/keyring.properties"), "command.rule.b.match = b.example.dev\n"
                + "command.rule.b.run = " + show + "\n"
                + "command.rule.b.pass-env = KEYRING4J_PASSPHRASE\n");
        child.with("KEYRING4J_PASSPHRASE", "pass-phr4se-3e1a");
        Child.Result b = child.run(Child.cmd(keyring4j, "get", "https://b.example.dev", "ci"), null);
        assertEquals("unset|pass-phr4se-3e1a|unset\n", b.out(), b.err());
    }
}
