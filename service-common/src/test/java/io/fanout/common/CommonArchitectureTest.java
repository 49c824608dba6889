package io.fanout.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** service-common's production classes: Kafka's public API only, and no console output (tools live in tools/). */
@AnalyzeClasses(packages = "io.fanout.common", importOptions = ImportOption.DoNotIncludeTests.class)
class CommonArchitectureTest {

    @ArchTest
    static final ArchRule shouldNotUseKafkaInternals =
            noClasses().should().dependOnClassesThat().resideInAPackage("org.apache.kafka..internals..");

    @ArchTest
    static final ArchRule shouldNotWriteToStandardStreams = NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

    /** A library of the service jars: no {@code main} (command-line tools live in tools/). */
    @ArchTest
    static final ArchRule shouldHaveNoMain =
            noMethods().that().areStatic().should().haveName("main");
}
