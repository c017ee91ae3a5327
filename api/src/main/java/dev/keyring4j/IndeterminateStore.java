package dev.keyring4j;

import java.util.List;
import java.util.Optional;

/**
 * The place in an auto-detected chain of a backend whose probe gave no definite answer (it was too
 * slow, or failed without proving the backend absent). It may hold credentials, so it fails every
 * call: a chain never reads "absent" from behind it, and never writes past it.
 */
final class IndeterminateStore implements CredentialStore {
    private final String id;
    private final Capabilities capabilities;
    private final String reason;

    IndeterminateStore(String id, Capabilities capabilities, String reason) {
        this.id = id;
        this.capabilities = capabilities;
        this.reason = reason;
    }

    /** The failure of any call, saying what happened and what to do. */
    BackendUnavailableException failure(String consequence) {
        return new BackendUnavailableException(id + " gave no definite answer when the store was opened (" + reason + "); it may hold this"
                + " credential, so " + consequence + ". Retry when the machine is less busy, raise the limit the reason names ("
                + id + ".probe-timeout unless it names another),"
                + " or name the backends explicitly (backend = …); keyring4j diagnose shows each probe and its time");
    }

    /** The failure of a read: nothing is answered from behind this member. */
    BackendUnavailableException readFailure() {
        return failure("keyring4j does not answer from the backends behind it, whose copy may be older");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId.requireNames(service, account);
        throw readFailure();
    }

    @Override
    public Optional<Credential> find(String service) {
        CredentialId.requireService(service);
        throw readFailure();
    }

    @Override
    public void set(String service, String account, Secret secret) {
        CredentialId.requireNames(service, account);
        throw failure("writing elsewhere could leave an older value there that later reads would return");
    }

    @Override
    public boolean delete(String service, String account) {
        CredentialId.requireNames(service, account);
        throw failure("deleting elsewhere could leave a copy there that later reads would return");
    }

    @Override
    public List<CredentialId> list(String service) {
        CredentialId.requireService(service);
        throw failure("the listing would be incomplete");
    }

    @Override
    public List<CredentialId> list() {
        throw failure("the listing would be incomplete");
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "IndeterminateStore[" + id + "]";
    }
}
