package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.testkit.CredentialStoreContract;
import java.nio.charset.StandardCharsets;
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
