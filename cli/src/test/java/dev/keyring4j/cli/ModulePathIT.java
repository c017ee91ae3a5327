package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery on the module path: a child JVM runs the CLI module with the api, the env backend and
 * a deliberately broken provider module (compiled here) as named modules. The broken provider is
 * reported, the others still work.
 */
class ModulePathIT {
    @TempDir
    Path dir;

    /** The class path entries that are keyring4j or picocli jars/dirs: they become the module path. */
    private static List<String> moduleEntries() {
        List<String> out = new ArrayList<>();
        out.add(System.getProperty("keyring4j.cli.classes"));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).toString();
            boolean ours = (name.contains("keyring4j-api") || name.contains("/api/target/classes")
                    || name.contains("keyring4j-backend-env") || name.contains("/backend-env/target/classes")
                    || name.contains("keyring4j-backend-support") || name.contains("/backend-support/target/classes"))
                    && !name.contains("test-classes");
            if (ours || name.contains("picocli")) out.add(e);
        }
        return out;
    }

    private Path compileBrokenProvider() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("broken/provider"));
        Files.writeString(src.resolve("module-info.java"),
                "module broken.provider { requires dev.keyring4j; "
                        + "provides dev.keyring4j.spi.CredentialStoreProvider with broken.provider.BrokenProvider; }");
        Files.writeString(src.resolve("broken/provider/BrokenProvider.java"), """
                package broken.provider;
                import dev.keyring4j.*;
                import dev.keyring4j.spi.*;
                public final class BrokenProvider implements CredentialStoreProvider {
                    public String id() { return "broken"; }
                    public Capabilities capabilities() { return Capabilities.of(Capabilities.Flag.LISTABLE); }
                    public int priority() { return 0; } // below env: its indeterminate place in the chain is behind env
                    public Candidate probe(BackendConfig c) { throw new IllegalStateException("broken on purpose"); }
                }
                """);
        Path out = dir.resolve("broken-module");
        String modulePath = moduleEntries().stream().collect(Collectors.joining(File.pathSeparator));
        Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
        Processes.Result rc = Processes.run(List.of(javac.toString(), "-d", out.toString(), "--module-path", modulePath,
                src.resolve("module-info.java").toString(), src.resolve("broken/provider/BrokenProvider.java").toString()), Map.of(), null);
        assertEquals(0, rc.exit(), "compiling the broken provider module: " + rc.err());
        return out;
    }

    @Test
    void providersAreDiscoveredOnTheModulePathAndABrokenOneIsReported() throws Exception {
        Path broken = compileBrokenProvider();
        String modulePath = String.join(File.pathSeparator, moduleEntries()) + File.pathSeparator + broken;
        List<String> base = List.of(Processes.java().toString(), "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
                "-m", "dev.keyring4j.cli/dev.keyring4j.cli.Main");
        Map<String, String> env = Map.of("HOME", dir.toString(), "XDG_CONFIG_HOME", dir.resolve("cfg").toString(),
                "KEYRING4J_MOD_ALICE", "from-module-path");

        List<String> backends = new ArrayList<>(base);
        backends.add("backends");
        Processes.Result r = Processes.run(backends, env, null);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("env ") && l.contains("yes")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("broken ") && l.contains("broken on purpose")), r.out());

        List<String> get = new ArrayList<>(base);
        get.addAll(List.of("get", "mod", "alice"));
        r = Processes.run(get, env, null);
        assertEquals(0, r.exit(), r.err());
        assertEquals("from-module-path\n", r.out());

        // the same child really ran on the module path: the api is a named module there
        List<String> describe = List.of(Processes.java().toString(), "--module-path", modulePath, "--describe-module", "dev.keyring4j");
        assertTrue(Processes.run(describe, env, null).out().contains("uses dev.keyring4j.spi.CredentialStoreProvider"));
    }
}
