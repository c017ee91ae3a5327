package dev.keyring4j.kernel;

import dev.keyring4j.support.Names;
import java.nio.charset.StandardCharsets;

/**
 * How names become kernel key descriptions, and back.
 *
 * <p>Guarantees: {@link #name} accepts exactly the names the kernel holds faithfully (non-empty,
 * valid Unicode, no NUL, at most {@link #NAME_MAX} bytes of UTF-8) and refuses every other one
 * with {@link IllegalArgumentException} before anything is written; {@link #keyringName} is
 * injective and {@link #unescape} undoes it; an account's user or {@code big_key} description is
 * its name verbatim.
 */
final class NameCodec {
    /** A key description is copied with a 4096-byte limit including its NUL. */
    static final int NAME_MAX = 4095;

    private NameCodec() {
    }

    /** A name as the kernel will hold it: UTF-8, no NUL, at most 4095 bytes; refused otherwise. */
    static byte[] name(String what, String value) {
        Names.requireFaithful(what, value, NAME_MAX, "a kernel key description cannot hold it");
        return value.getBytes(StandardCharsets.UTF_8); // valid Unicode by now, so the encoding is exact
    }

    /** An account name as its key's description: {@link #name}, verbatim. */
    static byte[] accountName(String account) {
        return name("account", account);
    }

    /** A service name as its keyring's description: {@link #keyringName}. */
    static byte[] serviceName(String service) {
        return keyringName(name("service", service));
    }

    /** The namespace as its keyring's description: {@link #keyringName}. */
    static byte[] namespaceName(String namespace) {
        return keyringName(name("namespace", namespace));
    }

    /**
     * The description of a keyring this store names: {@code add_key} refuses keyring descriptions
     * starting with {@code .} (reserved for the kernel), so a name starting with {@code .} or with
     * the escape {@code \} gets a {@code \} in front. Injective; {@link #unescape} undoes it.
     */
    static byte[] keyringName(byte[] name) {
        if (name.length == 0 || name[0] != '.' && name[0] != '\\') return name;
        if (name.length + 1 > NAME_MAX) {
            throw new IllegalArgumentException("a name starting with '.' or '\\' is stored with a '\\' in front, which makes this one "
                    + (name.length + 1) + " bytes; a kernel key description holds at most " + NAME_MAX + " bytes");
        }
        byte[] out = new byte[name.length + 1];
        out[0] = '\\';
        System.arraycopy(name, 0, out, 1, name.length);
        return out;
    }

    /** The empty-secret keyring's description for an account, or null when the account is too long to have one. */
    static byte[] markerName(byte[] account) {
        return account.length >= NAME_MAX && (account[0] == '.' || account[0] == '\\') ? null : keyringName(account);
    }

    /** The name a keyring description stands for: {@link #keyringName} undone. */
    static String unescape(String description) {
        return description.startsWith("\\") ? description.substring(1) : description;
    }
}
