package io.fanout.service;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** fanout-service's layering, checked on its production classes. */
@AnalyzeClasses(packages = "io.fanout.service", importOptions = ImportOption.DoNotIncludeTests.class)
class FanoutArchitectureTest {

    /** The sockets and streams only see sessions and frames: Kafka stays behind the consumer and the replay readers. */
    @ArchTest
    static final ArchRule webPackagesShouldNotUseKafka = noClasses()
            .that()
            .resideInAnyPackage("io.fanout.service.ws..", "io.fanout.service.sse..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.apache.kafka..");

    @ArchTest
    static final ArchRule shouldNotUseKafkaInternals =
            noClasses().should().dependOnClassesThat().resideInAPackage("org.apache.kafka..internals..");

    @ArchTest
    static final ArchRule shouldNotWriteToStandardStreams = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

    /** The service jar's one {@code main} is its application's: command-line tools live in tools/. */
    @ArchTest
    static final ArchRule onlyTheApplicationShouldHaveAMain =
            methods().that().haveName("main").and().areStatic().should().beDeclaredIn(FanoutApplication.class);
}
