package dev.keyring4j.spring;

import dev.keyring4j.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a failed {@code keyring4j:} import into Boot's "APPLICATION FAILED TO START" report: keyring4j's message and what to do. */
final class KeyringImportFailureAnalyzer extends AbstractFailureAnalyzer<KeyringImportException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KeyringImportException cause) {
        String action = cause.getCause() instanceof ConfigurationException
                ? "Correct the location in spring.config.import or the keyring4j configuration it names"
                        + " (optional: does not excuse a configuration mistake)."
                : "Fix what the message says, or write optional:" + cause.location().replaceFirst("^optional:", "")
                        + " in spring.config.import to start without these properties when the store or the service is missing"
                        + " (keyring4j diagnose shows what the store sees).";
        return new FailureAnalysis(cause.getMessage(), action, cause);
    }
}
