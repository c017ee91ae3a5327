package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyring4j_<version>_all.deb} installed on this machine with {@code dpkg -i} (the tests run as root in
 * CI), used as an operator would ({@code keyring4j --version}, {@code set}/{@code get} on the kernel keyring and
 * the env backend, {@code man keyring4j} showing every subcommand, the docker helper, completion where bash and
 * zsh look for it), then purged: afterwards no file of the package is left. One install for the whole class.
 */
class DebPackageIT {
    @TempDir
    Path home;

    @Test
    void installsWorksAndUninstallsCleanly() throws Exception {
        Prerequisites.requireProgram("dpkg");
        Prerequisites.requireProgram("dpkg-deb");
        Prerequisites.requireProgram("man");
        Prerequisites.require("0".equals(Distributions.ok(List.of("id", "-u"), Map.of(), null).out().strip()), "root, to dpkg -i the package (CI runs as root)");
        Path deb = Distributions.deb();

        Processes.Result control = Distributions.ok(List.of("dpkg-deb", "-f", deb.toString(), "Package", "Version", "Architecture", "Depends"), Map.of(), null);
        assertEquals("Package: keyring4j\nVersion: " + Distributions.debianVersion() + "\nArchitecture: all\n"
                + "Depends: java-runtime-headless (>= 17) | java17-runtime-headless\n", control.out());
        List<Path> files = new ArrayList<>();
        for (String line : Distributions.ok(List.of("dpkg-deb", "-c", deb.toString()), Map.of(), null).out().lines().toList()) {
            String path = line.substring(line.indexOf("./") + 1).replaceAll(" -> .*", "");
            if (!line.startsWith("d")) files.add(Path.of(path));
        }
        assertTrue(files.containsAll(List.of(Path.of("/usr/bin/keyring4j"), Path.of("/usr/bin/docker-credential-keyring4j"),
                Path.of("/usr/share/man/man1/keyring4j.1.gz"), Path.of("/usr/share/bash-completion/completions/keyring4j"),
                Path.of("/usr/share/zsh/vendor-completions/_keyring4j"), Path.of("/usr/share/keyring4j/lib/keyring4j.jar"),
                Path.of("/usr/share/doc/keyring4j/copyright"))), files.toString());
        for (Path f : files) assertFalse(Files.exists(f, LinkOption.NOFOLLOW_LINKS), f + " exists before the install: this test would remove it");

        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CACHE_HOME", home.resolve("cache").toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("XDG_DATA_HOME", home.resolve("data").toString());
        env.put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("JAVA_HOME", "");
        String service = "deb-it-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            // a minimal image may exclude /usr/share/man from every install (/etc/dpkg/dpkg.cfg.d path-exclude): the
            // man page is what this test checks, so it is included explicitly; an operator there gets it the same way
            Processes.Result install = Distributions.ok(List.of("dpkg", "--path-include=/usr/share/man/man1/keyring4j.1.gz", "-i", deb.toString()), env, null);
            assertTrue(Distributions.ok(List.of("dpkg-query", "-W", "-f", "${Status} ${Version}", "keyring4j"), env, null).out()
                    .equals("install ok installed " + Distributions.debianVersion()), install.out() + install.err());
            for (Path f : files) assertTrue(Files.exists(f, LinkOption.NOFOLLOW_LINKS), "installed: " + f);

            Processes.Result version = Distributions.ok(List.of("keyring4j", "--version"), env, null);
            assertTrue(version.out().startsWith("keyring4j " + Distributions.version() + "\ncommit "), version.out());

            Map<String, String> withToken = new HashMap<>(env);
            withToken.put("KEYRING4J_DEB_EXAMPLE_COM_CI", "from-env");
            assertEquals("from-env\n", Distributions.ok(List.of("keyring4j", "--backend", "env", "get", "deb.example.com", "ci"), withToken, null).out());
            if (Files.exists(Path.of("/proc/keys"))) {
                Distributions.ok(List.of("keyring4j", "--backend", "kernel", "set", service, "alice"), env, "installed-secret\n");
                assertEquals("installed-secret\n", Distributions.ok(List.of("keyring4j", "--backend", "kernel", "get", service, "alice"), env, null).out());
                Distributions.ok(List.of("keyring4j", "--backend", "kernel", "clear", "--yes", service), env, null);
            }
            assertTrue(Distributions.ok(List.of("docker-credential-keyring4j", "list"), withToken, null).out().startsWith("{"));

            Map<String, String> manEnv = new HashMap<>(env);
            manEnv.put("MANPAGER", "cat");
            manEnv.put("MANWIDTH", "100");
            Processes.Result man = Distributions.ok(List.of("man", "keyring4j"), manEnv, null);
            assertTrue(man.out().contains("KEYRING4J(1)") && man.out().contains("COMMANDS"), man.out());
            for (String sub : Distributions.subcommands()) {
                // a subsection heading of COMMANDS (man indents those by three spaces): "   clear [--yes] SERVICE"
                assertTrue(man.out().lines().anyMatch(l -> l.equals("   " + sub) || l.startsWith("   " + sub + " ")), "man keyring4j shows " + sub + "\n" + man.out());
            }
            // bash-completion loads completions/<command> on demand: the file defines the command's completion
            Processes.Result bash = Distributions.ok(List.of("bash", "-c", "source /usr/share/bash-completion/completions/keyring4j && complete -p keyring4j"), env, null);
            assertTrue(bash.out().contains("_complete_keyring4j"), bash.out());
        } finally {
            Processes.Result purge = Processes.run(List.of("dpkg", "--purge", "keyring4j"), env, null);
            assertEquals(0, purge.exit(), purge.out() + purge.err());
        }
        assertNotEquals(0, Processes.run(List.of("dpkg-query", "-W", "keyring4j"), env, null).exit(), "dpkg no longer knows the package");
        for (Path f : files) assertFalse(Files.exists(f, LinkOption.NOFOLLOW_LINKS), "left after dpkg --purge: " + f);
        assertFalse(Files.exists(Path.of("/usr/share/keyring4j")), "/usr/share/keyring4j left after dpkg --purge");
        assertFalse(Files.exists(Path.of("/usr/share/doc/keyring4j")), "/usr/share/doc/keyring4j left after dpkg --purge");
    }
}
