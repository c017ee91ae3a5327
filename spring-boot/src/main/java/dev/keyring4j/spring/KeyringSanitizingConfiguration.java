package dev.keyring4j.spring;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * With the actuator on the class path: a {@link SanitizingFunction} so {@code /actuator/env} and
 * {@code /actuator/configprops} mask every value that comes from a {@code keyring4j:} import, and
 * every other value that contains a secret one of them has handed out (a {@code ${…}} reference,
 * a copy), even with {@code management.endpoint.*.show-values=ALWAYS}. Ordered first, so another
 * function cannot rewrite such a value before it is masked.
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
class KeyringSanitizingConfiguration {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    static SanitizingFunction keyring4jSanitizingFunction(ConfigurableEnvironment environment) {
        return data -> {
            if (data.getPropertySource() instanceof KeyringPropertySource) return data.withSanitizedValue();
            Object value = data.getValue();
            if (value == null) return data;
            for (PropertySource<?> source : environment.getPropertySources()) {
                if (source instanceof KeyringPropertySource keyring && keyring.revealsSecretIn(value)) return data.withSanitizedValue();
            }
            return data;
        };
    }
}
