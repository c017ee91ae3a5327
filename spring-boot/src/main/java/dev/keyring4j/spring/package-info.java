/**
 * Spring Boot {@code spring.config.import=keyring4j:SERVICE}: every account of a keyring4j service
 * becomes a property of the same name ({@code keyring4j set myapp spring.datasource.password} gives
 * the application its {@code spring.datasource.password}).
 *
 * <p>Guarantees: values are read from the store when a property is first asked for and are never
 * logged; the actuator's {@code env} and {@code configprops} endpoints mask them whatever
 * {@code show-values} says; the plain form fails startup with keyring4j's message when the store is
 * unavailable or the service holds nothing, and {@code optional:} starts without the properties
 * instead. Location syntax and parameters: {@code docs/integrations/spring-boot.md}.
 *
 * <p>Everything here is package-private: the public contract is the location syntax. Boot finds
 * the classes through {@code META-INF/spring.factories} and the auto-configuration imports file.
 */
package dev.keyring4j.spring;
