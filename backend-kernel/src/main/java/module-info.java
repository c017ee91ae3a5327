/** keyring4j backend for the Linux kernel key retention service ({@code kernel}). */
module dev.keyring4j.kernel {
    requires dev.keyring4j.support;
    requires dev.keyring4j;
    requires com.sun.jna;
    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.kernel.KernelKeyringProvider;
}
