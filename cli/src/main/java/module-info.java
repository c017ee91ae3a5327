/**
 * The {@code keyring4j} command. Backends are found on the module path with {@code --add-modules ALL-MODULE-PATH}.
 * picocli is compiled into this module from its sources (package {@code picocli}, not exported; see cli/pom.xml).
 */
module dev.keyring4j.cli {
    requires dev.keyring4j.support;
    requires dev.keyring4j;
    // static: backend-specific commands work when that backend is present; discovery needs none of them
    requires static dev.keyring4j.systemdcreds;
    requires static dev.keyring4j.encryptedfile;
    requires static dev.keyring4j.etcd;
    requires static dev.keyring4j.env;
    requires static com.sun.jna; // prctl(PR_SET_DUMPABLE, 0); the command still runs without it
    requires jdk.unsupported; // sun.misc.Signal: exec forwards TERM/INT/HUP to its child
}
