package dev.keyring4j.spi;

import dev.keyring4j.Capabilities;
import java.util.List;

/**
 * A backend, as {@link java.util.ServiceLoader} discovers it. A provider only describes itself and
 * builds stores; discovery, ranking, configuration and time limits happen in one place,
 * {@link dev.keyring4j.Keyring}.
 *
 * <p>Two phases: {@link #probe} looks (cheaply, never prompting, never writing) and returns a
 * {@link Candidate} carrying the parsed settings, the availability and the capabilities; opening
 * that candidate builds the store from what the probe found, so nothing is parsed, probed or
 * connected twice. Settings are declared once, in {@link #settings()}.
 *
 * <p>Register an implementation with {@code provides dev.keyring4j.spi.CredentialStoreProvider with …}
 * in {@code module-info.java} and in {@code META-INF/services/dev.keyring4j.spi.CredentialStoreProvider}.
 * It needs a public no-argument constructor.
 */
public interface CredentialStoreProvider {

    /** The backend id, lowercase, e.g. {@code kernel}; also the prefix of its configuration keys. */
    String id();

    /** What a store of this backend can do, declared once: its candidates and stores report the same. */
    Capabilities capabilities();

    /**
     * Its priority when available (higher wins; {@code <id>.priority} overrides). Also where it
     * sits in an auto-detected chain when its probe is indeterminate.
     */
    int priority();

    /**
     * Every configuration key this backend understands, each declared once (without the
     * {@code <id>.} prefix). {@code priority}, {@code enabled} and {@code probe-timeout} are
     * understood for every backend ({@link BackendConfig#COMMON}) and are not listed. Any other
     * key in the configuration is an error that names its source.
     */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Whether this backend can be used now, at which priority, with which capabilities, and how to
     * open it. Cheap, never prompts, never writes. The caller bounds the time: call
     * {@link BackendConfig#startProbeClock()} once the backend itself is being asked (classes loaded,
     * socket connected), so that the limit measures the backend and not the JVM. Return
     * {@link Availability#unavailable} only for a reason that proves absence; a failure that proves
     * nothing is {@link Availability#indeterminate}. A throw counts as indeterminate.
     */
    Candidate probe(BackendConfig config);
}
