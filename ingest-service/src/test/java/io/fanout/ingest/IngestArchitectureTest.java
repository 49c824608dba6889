package io.fanout.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** ingest-service's layering, checked on its production classes. */
@AnalyzeClasses(packages = "io.fanout.ingest", importOptions = ImportOption.DoNotIncludeTests.class)
class IngestArchitectureTest {

    /** The HTTP side hands requests to EventPublisher (service-common) and never touches a Kafka type itself. */
    @ArchTest
    static final ArchRule publishControllersShouldNotUseKafka = noClasses()
            .that()
            .resideInAPackage("io.fanout.ingest.publish..")
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
            methods().that().haveName("main").and().areStatic().should().beDeclaredIn(IngestApplication.class);
}
