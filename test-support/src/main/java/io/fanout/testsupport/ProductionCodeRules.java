package io.fanout.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The ArchUnit rules every service's production code keeps. A service's architecture test includes them with
 * {@code @ArchTest static final ArchTests productionCode = ArchTests.in(ProductionCodeRules.class);}, and they are
 * checked against the classes that test analyzes.
 */
public final class ProductionCodeRules {

    /** Kafka's public API only: its {@code internals} packages change without notice. */
    @ArchTest
    public static final ArchRule shouldNotUseKafkaInternals =
            noClasses().should().dependOnClassesThat().resideInAPackage("org.apache.kafka..internals..");

    /** Logs, never the console: command-line tools live in tools/. */
    @ArchTest
    public static final ArchRule shouldNotWriteToStandardStreams = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

    /** A service jar's one {@code main} is its application's: command-line tools live in tools/. */
    @ArchTest
    public static final ArchRule onlyTheApplicationShouldHaveAMain = methods()
            .that()
            .haveName("main")
            .and()
            .areStatic()
            .should()
            .beDeclaredInClassesThat()
            .areAnnotatedWith("org.springframework.boot.autoconfigure.SpringBootApplication");

    private ProductionCodeRules() {}
}
