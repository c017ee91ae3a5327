package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Gen;
import dev.keyring4j.testkit.Gens;
import dev.keyring4j.testkit.Prerequisites;
import dev.keyring4j.testkit.PropertyCheck;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@link PlainCall} takes only calls that picocli, the reference, parses to the very same values; the rest goes to picocli. */
class PlainCallTest {
    private static final String[] OPTIONS = {"-b", "env", "--backend", "kernel", "--backend=secret-service", "--backend=", "-c", "/tmp/k.properties",
        "--config=/tmp/x.properties", "--config", "--debug", "-n", "--no-newline", "--", "-h", "--help", "-V", "-x", "-benv", "-b=env",
        "-nb", "@args", "-", "--debug=true", "--backend=get", "--config=--debug", "--backend=-n", "--backend=--", "--config=git-credential"};
    private static final String[] NAMES = {"svc", "acct", "get", "git-credential", "store", "erase", "", "a b", "ü=x", "env", "list", "@x"};

    /** What picocli makes of {@code args}, in PlainCall's terms, or null when it refuses them or names another command. */
    private static PlainCall picocli(String[] args) {
        Main main = new Main();
        CommandLine cl = Main.commandLine(main, Main.subcommandName(args));
        cl.setExpandAtFiles(false);
        CommandLine.ParseResult parsed;
        try {
            parsed = cl.parseArgs(args);
        } catch (CommandLine.ParameterException refused) {
            return null;
        }
        if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested() || !parsed.hasSubcommand()) return null;
        CommandLine.ParseResult sub = parsed.subcommand();
        if (sub.isUsageHelpRequested() || sub.isVersionHelpRequested()) return null;
        Object command = sub.commandSpec().userObject();
        if (command instanceof Main.Get get) {
            return new PlainCall(PlainCall.GET, main.backend, main.config, main.debug, get.noNewline, List.of(get.service, get.account));
        }
        if (command instanceof GitCredentialCommand git) {
            return new PlainCall(PlainCall.GIT_CREDENTIAL, main.backend, main.config, main.debug, false, List.of(git.action));
        }
        return null;
    }

    @Test
    void thePlainFormsAreMatched() {
        assertEquals(new PlainCall("get", null, null, false, false, List.of("svc", "acct")), PlainCall.match(new String[] {"get", "svc", "acct"}));
        assertEquals(new PlainCall("get", "env", Path.of("/tmp/k"), true, true, List.of("svc", "acct")),
                PlainCall.match(new String[] {"--debug", "-b", "env", "get", "svc", "-n", "acct", "--config=/tmp/k"}));
        assertEquals(new PlainCall("get", "kernel", null, false, false, List.of("svc", "acct")),
                PlainCall.match(new String[] {"get", "--backend", "kernel", "svc", "acct"}), "an inherited option after the subcommand");
        assertEquals(new PlainCall("git-credential", null, null, false, false, List.of("get")), PlainCall.match(new String[] {"git-credential", "get"}));
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (String[] args : List.of(new String[] {"get", "svc"}, new String[] {"get", "svc", "acct", "more"}, new String[] {"get", "-h"},
                new String[] {"get", "--", "svc", "acct"}, new String[] {"get", "-svc", "acct"}, new String[] {"-b", "env", "-b", "kernel", "get", "s", "a"},
                new String[] {"-n", "get", "s", "a"}, new String[] {"-benv", "get", "s", "a"}, new String[] {"set", "s", "a"}, new String[] {"--version"},
                new String[] {"get", "s", "a", "-b"}, new String[] {"git-credential", "get", "-n"}, new String[0],
                new String[] {"-b", "get", "get", "s", "a"}, new String[] {"--config=get", "get", "s", "a"}, new String[] {"--backend=--debug", "get", "s", "a"},
                new String[] {"--backend=-n", "get", "s", "a"}, new String[] {"--backend=--", "get", "s", "a"})) {
            assertNull(PlainCall.match(args), String.join(" ", args));
        }
    }

    /** Calls built around a subcommand, so that many are plain: a command, about the right number of names, options anywhere. */
    private static final Gen<List<String>> CALLS = r -> {
        List<String> call = new ArrayList<>();
        call.add(r.nextInt(10) == 0 ? NAMES[r.nextInt(NAMES.length)] : r.nextBoolean() ? "get" : "git-credential");
        int names = (call.get(0).equals("get") ? 2 : 1) + (r.nextInt(6) == 0 ? r.nextInt(3) - 1 : 0);
        for (int i = 0; i < names; i++) call.add(NAMES[r.nextInt(NAMES.length)]);
        int options = r.nextInt(5);
        for (int i = 0; i < options; i++) {
            int at = r.nextInt(call.size() + 1);
            String option = OPTIONS[r.nextInt(OPTIONS.length)];
            call.add(at, option);
            if ((option.equals("-b") || option.equals("--backend") || option.equals("-c") || option.equals("--config")) && r.nextInt(8) != 0) {
                call.add(at + 1, r.nextInt(6) == 0 ? (r.nextBoolean() ? "get" : "git-credential") : r.nextBoolean() ? "env" : "/tmp/c.properties");
            }
        }
        return call;
    };

    @Test
    void picocliParsesEveryMatchedCallToTheSameValues() {
        AtomicInteger matched = new AtomicInteger();
        AtomicInteger left = new AtomicInteger();
        PropertyCheck.forAll("plain calls parse as picocli parses them", 3000, CALLS, call -> check(call, matched, left));
        PropertyCheck.forAll("any arguments", 3000, Gens.lists(Gens.oneOf(concat(OPTIONS, NAMES)), 7), call -> check(call, matched, left));
        assertTrue(matched.get() > 500 && left.get() > 500, "both kinds were tried: " + matched + " matched, " + left + " left to picocli");
    }

    private static void check(List<String> call, AtomicInteger matched, AtomicInteger left) {
        String[] args = call.toArray(String[]::new);
        PlainCall plain = PlainCall.match(args);
        if (plain == null) {
            left.incrementAndGet();
            return;
        }
        matched.incrementAndGet();
        PlainCall reference = picocli(args);
        assertNotNull(reference, "picocli refuses a call PlainCall matched: " + call);
        assertEquals(reference, plain, "for " + call);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String[] args, String stdin, boolean plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayInputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = plain ? Main.run(args, in, o, e) : Main.runParsed(args, in, o, e, false, Main.debugRequested(args));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Call(String[] args, String stdin) {
    }

    private static void assertSameBothWays(Call c) {
        assertNotNull(PlainCall.match(c.args()), "a plain call: " + String.join(" ", c.args()));
        assertEquals(run(c.args(), c.stdin(), false), run(c.args(), c.stdin(), true), String.join(" ", c.args()));
    }

    @Test
    void aMatchedCallRunsAsPicocliWouldRunIt() {
        // a not-found get, as a literal: the line and exit code users see
        Outcome none = run(new String[] {"--backend", "env", "get", "plaincall.example", "nobody"}, "", true);
        assertEquals(new Outcome(Main.NOT_FOUND, "", "keyring4j: no credential for service 'plaincall.example' account 'nobody' in env\n"), none);
        // the calls that need no kernel keyring: env, and the configuration errors
        for (Call c : List.of(new Call(new String[] {"--backend", "env", "get", "plaincall.example", "nobody"}, ""),
                new Call(new String[] {"--backend", "no-such-backend", "get", "plaincall.example", "alice"}, ""),
                new Call(new String[] {"-c", "/nonexistent/keyring4j.properties", "get", "plaincall.example", "alice"}, ""),
                new Call(new String[] {"--backend=env", "git-credential", "bogus"}, "protocol=https\nhost=plaincall.example\n\n"))) {
            assertSameBothWays(c);
        }
        assertTrue(run(new String[] {"--backend", "no-such-backend", "get", "plaincall.example", "alice"}, "", true).err().contains("no-such-backend"));

        CredentialStore kernel;
        try {
            kernel = Keyring.open("kernel");
        } catch (RuntimeException e) {
            Prerequisites.require(false, "the kernel keyring: " + e.getMessage());
            throw e;
        }
        String service = "plaincall-" + UUID.randomUUID();
        String secret = "s3cr3t-" + UUID.randomUUID();
        try (CredentialStore store = kernel) {
            store.set(service, "alice", Secret.of(secret));
            store.set("git:https://" + service + ".example", "bob", Secret.of(secret));
            try {
                String git = "protocol=https\nhost=" + service + ".example\nusername=bob\n\n";
                List<Call> calls = List.of(new Call(new String[] {"--backend", "kernel", "get", service, "alice"}, ""),
                        new Call(new String[] {"get", "-n", service, "alice", "--backend=kernel"}, ""),
                        new Call(new String[] {"-b", "kernel", "--debug", "get", service, "nobody"}, ""),
                        new Call(new String[] {"--backend", "kernel", "git-credential", "get"}, git),
                        new Call(new String[] {"--backend", "kernel", "git-credential", "get"}, "protocol=https\nhost=nobody.invalid\n\n"),
                        new Call(new String[] {"--backend", "kernel", "git-credential", "bogus"}, git));
                calls.forEach(PlainCallTest::assertSameBothWays);
                assertEquals(new Outcome(0, secret + "\n", ""), run(calls.get(0).args(), "", true));
                assertEquals(secret, run(calls.get(1).args(), "", true).out());
                assertTrue(run(calls.get(3).args(), git, true).out().contains("password=" + secret + "\n"));
                assertEquals(Main.NOT_FOUND, run(calls.get(2).args(), "", true).code());
            } finally {
                store.delete(service, "alice");
                store.delete("git:https://" + service + ".example", "bob");
            }
        }
    }
}
