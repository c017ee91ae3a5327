package dev.keyring4j;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The configuration reference, made from the settings every discovered backend declares. */
final class ConfigurationReference {
    private ConfigurationReference() {
    }

    static String markdown() {
        List<CredentialStoreProvider> providers = ServiceLoader.load(CredentialStoreProvider.class).stream()
                .map(p -> {
                    try {
                        return p.get();
                    } catch (java.util.ServiceConfigurationError e) {
                        return null; // an unloadable provider declares nothing
                    }
                })
                .filter(java.util.Objects::nonNull)
                .sorted(Comparator.comparing(CredentialStoreProvider::id))
                .toList();
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n");
        out.append("Generated from the settings each backend declares (`keyring4j config-reference` prints it;\n");
        out.append("a test fails when this file and the declarations differ). Keys go in `keyring.properties`\n");
        out.append("as `<backend>.<key> = value`, or as system properties `keyring4j.<backend>.<key>`; see the\n");
        out.append("README's \"Configuration\" for the layers and their order. A key that is not listed here is an\n");
        out.append("error naming where it was set; so is a value of the wrong type.\n\n");
        out.append("## Every backend\n\n");
        out.append("| key | type | default | what it does |\n|---|---|---|---|\n");
        out.append("| `backend` | backend id or comma list | auto-detection | the backend, or the chain of backends, to open |\n");
        for (Setting<?> s : BackendConfig.COMMON) row(out, "<backend>." + s.key(), s);
        for (CredentialStoreProvider p : providers) {
            out.append("\n## ").append(p.id()).append("\n\n");
            if (p.settings().isEmpty()) {
                out.append("No settings of its own.\n");
                continue;
            }
            out.append("| key | type | default | what it does |\n|---|---|---|---|\n");
            for (Setting<?> s : p.settings()) row(out, p.id() + "." + s.key(), s);
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String key, Setting<?> s) {
        out.append("| `").append(key).append("` | ").append(s.type().replace("|", "\\|")).append(" | ")
                .append(s.defaultText().map(d -> d.isEmpty() ? "(empty)" : "`" + d + "`").orElse("-")).append(" | ")
                .append(s.description().replace("|", "\\|")).append(" |\n");
    }
}
