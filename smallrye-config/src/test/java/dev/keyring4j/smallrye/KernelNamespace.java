package dev.keyring4j.smallrye;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A kernel-keyring namespace of its own under the user keyring for one test class: the store the
 * test writes with, and the cleanup that leaves nothing behind (every credential deleted, then the
 * namespace keyring unlinked with {@code keyctl} where that program exists).
 */
final class KernelNamespace implements AutoCloseable {
    final String name;
    final CredentialStore store;

    KernelNamespace(String name) {
        this.name = name;
        this.store = Keyring.open(KeyringConfig.builder().backend("kernel").set("kernel.namespace", name).build());
        deleteAll(); // a run that was killed may have left some
    }

    private void deleteAll() {
        for (CredentialId id : store.list()) store.delete(id.service(), id.account());
    }

    @Override
    public void close() throws Exception {
        deleteAll();
        store.close();
        Path keyctl = Path.of("/usr/bin/keyctl");
        if (!Files.isExecutable(keyctl)) return;
        Process search = new ProcessBuilder(keyctl.toString(), "search", "@u", "keyring", name).redirectErrorStream(true).start();
        String id = new String(search.getInputStream().readAllBytes()).trim();
        if (search.waitFor(30, TimeUnit.SECONDS) && search.exitValue() == 0) {
            Process unlink = new ProcessBuilder(keyctl.toString(), "unlink", id, "@u").redirectErrorStream(true).start();
            unlink.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!unlink.waitFor(30, TimeUnit.SECONDS) || unlink.exitValue() != 0) throw new IOException("keyctl unlink " + id + " @u failed");
        }
    }
}
