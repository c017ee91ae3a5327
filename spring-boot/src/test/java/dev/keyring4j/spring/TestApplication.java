package dev.keyring4j.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application the tests start: auto-configuration only (JDBC, Hikari, the actuator), no
 * component scan, no application.properties; every setting comes from the command line.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApplication {

    /** The actuator endpoints the tests call, exposed so their beans exist (no web server runs). */
    static final String EXPOSE = "--management.endpoints.web.exposure.include=env,configprops";

    static ConfigurableApplicationContext run(String... args) {
        return SpringApplication.run(TestApplication.class, args);
    }
}
