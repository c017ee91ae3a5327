package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.CredentialStoreContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The read-only half of the contract, over an injected environment (the process's is never touched). */
class EnvStoreContractTest extends CredentialStoreContract {
    private static final EnvProvider PROVIDER = new EnvProvider();

    @Override
    protected CredentialStore openStore() {
        return PROVIDER.probe(BackendConfig.of("env", Map.of(), Map.of("PATH", "/usr/bin"))).open();
    }

    @Override
    protected CredentialStore openStoreHolding(Map<CredentialId, byte[]> credentials) {
        Map<String, String> env = new HashMap<>();
        EnvNames names = new EnvNames("KEYRING4J");
        credentials.forEach((id, v) -> env.put(names.variable(id).toLowerCase(Locale.ROOT), new String(v, StandardCharsets.UTF_8)));
        return PROVIDER.probe(BackendConfig.of("env", Map.of(), env)).open();
    }

    @TempDir
    Path files;

    /** {@code _FILE} variables naming /dev/zero, a FIFO with no writer, a directory, a missing file, a 2 MiB file; and a value set twice. */
    @Override
    protected Optional<CredentialStore> openStoreWithUnreadableEntries(Map<CredentialId, byte[]> credentials) throws Exception {
        Map<String, String> env = new HashMap<>();
        EnvNames names = new EnvNames("KEYRING4J");
        credentials.forEach((id, v) -> env.put(names.variable(id).toLowerCase(Locale.ROOT), new String(v, StandardCharsets.UTF_8)));
        Path fifo = files.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        if (mkfifo.waitFor() != 0) throw new AssertionError("mkfifo failed");
        Path big = Files.write(files.resolve("big"), new byte[2 << 20]);
        Path twice = Files.writeString(files.resolve("twice"), "x");
        env.put("KEYRING4J_BAD_ZERO_FILE", "/dev/zero");
        env.put("KEYRING4J_BAD_FIFO_FILE", fifo.toString());
        env.put("KEYRING4J_BAD_DIR_FILE", files.toString());
        env.put("KEYRING4J_BAD_MISSING_FILE", files.resolve("missing").toString());
        env.put("KEYRING4J_BAD_BIG_FILE", big.toString());
        env.put("KEYRING4J_BAD_TWICE", "y");
        env.put("KEYRING4J_BAD_TWICE_FILE", twice.toString());
        env.put("KEYRING4J_BADTOKEN_FILE", "/dev/zero"); // a token without a dot in its service: list names it badtoken/default
        return Optional.of(PROVIDER.probe(BackendConfig.of("env", Map.of(), env)).open());
    }

    /** Accounts {@code id} and {@code file} are a token's companions, not credentials. */
    @Override
    protected boolean accepts(CredentialId id) {
        return EnvNames.holds(id);
    }

    /** Variable names fold ASCII case; otherwise the encoding is injective. */
    @Override
    protected boolean distinguishes(CredentialId a, CredentialId b) {
        EnvNames names = new EnvNames("KEYRING4J");
        return !names.variable(a).equalsIgnoreCase(names.variable(b));
    }

    /** Environment values are text: valid UTF-8 without NUL. */
    @Override
    protected boolean holds(byte[] secret) {
        return isTextWithoutNul(secret);
    }
}
