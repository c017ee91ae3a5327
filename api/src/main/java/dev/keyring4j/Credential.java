package dev.keyring4j;

import java.util.Objects;

/** A credential found in a store: its names and its secret. {@code toString()} never shows the secret. */
public record Credential(String service, String account, Secret secret) {
    public Credential {
        CredentialId.requireNames(service, account);
        Objects.requireNonNull(secret, "secret");
    }

    /** The names of this credential. */
    public CredentialId id() {
        return new CredentialId(service, account);
    }
}
