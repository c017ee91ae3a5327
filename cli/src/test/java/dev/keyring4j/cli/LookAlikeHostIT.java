package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, finding 1: a host chosen by the remote side (a submodule, a redirect, a registry name)
 * never receives the token of a host whose name merely folds to the same variable. Real git, the
 * real helpers, the env backend, as a CI job would set it up.
 */
class LookAlikeHostIT {
    @TempDir
    Path home;
    Child child;

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.requireProgram("git");
        child = new Child(home).with("KEYRING4J_BACKEND", "env");
        assertEquals(0, child.run(Child.cmd("git", "config", "--global", "credential.helper", "!keyring4j git-credential"), null).exit());
    }

    private String keyring4j() {
        return child.bin.resolve("keyring4j").toString();
    }

    @Test
    void theReviewsVariablesAreOfferedToNoHost() throws Exception {
        // exactly the review's reproduction: these variables used to answer host=git-example.com
        child.with("KEYRING4J_GIT_HTTPS___GIT_EXAMPLE_COM", "ci-token", "KEYRING4J_GIT_HTTPS___GIT_EXAMPLE_COM_ID", "ci");
        for (String host : new String[] {"git-example.com", "git.example.com", "git"}) {
            Child.Result r = child.run(Child.cmd(keyring4j(), "git-credential", "get"), "protocol=https\nhost=" + host + "\n\n");
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.out(), host);
        }
    }

    @Test
    void gitFillGivesTheTokenToItsHostOnly() throws Exception {
        String token = Child.envVar("git:https://git.example.com");
        assertEquals("KEYRING4J_GIT__3A_HTTPS__3A___2F___2F_GIT_EXAMPLE_COM", token);
        Child.Result printed = child.run(Child.cmd(keyring4j(), "env-name", "git:https://git.example.com"), null);
        assertEquals(token + "\n" + token + "_ID\n", printed.out(), printed.err());
        child.with(token, "ci-token", token + "_ID", "ci",
                Child.envVar("git:https://git.example.com") + "_ALICE", "alice-pw");

        Child.Result ok = child.run(Child.cmd("git", "credential", "fill"), "protocol=https\nhost=git.example.com\n\n");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("username=ci\n") && ok.out().contains("password=ci-token\n"), ok.out());

        for (String host : new String[] {"git-example.com", "git_example.com", "git", "git.example", "git.example.com.evil.test"}) {
            Child.Result r = child.run(Child.cmd("git", "credential", "fill"), "protocol=https\nhost=" + host + "\n\n");
            // git cannot prompt (GIT_TERMINAL_PROMPT=0), so a helper that answers nothing makes fill fail
            assertFalse(r.out().contains("ci-token") || r.out().contains("alice-pw"), host + ": " + r.out());
            assertTrue(r.exit() != 0, host + ": " + r.out());
        }
        // a user name the remote side chose, on a shorter host, must not select the token's variable
        Child.Result pair = child.run(Child.cmd(keyring4j(), "git-credential", "get"), "protocol=https\nhost=git.example\nusername=com\n\n");
        assertEquals("", pair.out());
        // plain http is another service: the https token never travels in clear text
        Child.Result http = child.run(Child.cmd(keyring4j(), "git-credential", "get"), "protocol=http\nhost=git.example.com\n\n");
        assertEquals("", http.out());
    }

    @Test
    void dockerGivesTheTokenToItsRegistryOnly() throws Exception {
        Path root = Path.of(System.getProperty("keyring4j.cli.jar")).toAbsolutePath().getParent().getParent().getParent();
        Files.createSymbolicLink(child.bin.resolve("docker-credential-keyring4j"), root.resolve("docker-credential-keyring4j"));
        child.with("KEYRING4J_JAR", System.getProperty("keyring4j.cli.jar"));
        String var = Child.envVar("docker:registry.example.com");
        child.with(var, "reg-token", var + "_ID", "robot");
        Child.Result ok = child.run(Child.cmd(child.bin.resolve("docker-credential-keyring4j").toString(), "get"), "registry.example.com");
        assertEquals(0, ok.exit(), ok.out());
        assertEquals("{\"ServerURL\":\"registry.example.com\",\"Username\":\"robot\",\"Secret\":\"reg-token\"}\n", ok.out());
        for (String server : new String[] {"registry-example.com", "registry_example.com", "registry.example", "registry.example.com.evil.test"}) {
            Child.Result r = child.run(Child.cmd(child.bin.resolve("docker-credential-keyring4j").toString(), "get"), server);
            assertEquals(1, r.exit(), server);
            assertEquals("credentials not found in native keychain\n", r.out(), server);
        }
    }
}
