package dev.keyring4j.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a failed {@code keyring4j:} import into Boot's "APPLICATION FAILED TO START" report: keyring4j's message and what to do. */
final class KeyringImportFailureAnalyzer extends AbstractFailureAnalyzer<KeyringImportException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KeyringImportException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix what the message says, or write optional:" + cause.location().replaceFirst("^optional:", "")
                        + " in spring.config.import to start without these properties when the store or the service is missing"
                        + " (keyring4j diagnose shows what the store sees).",
                cause);
    }
}
