package io.fanout.schemas;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** schemas is the bottom layer: every other module may use it, it uses none of them. */
@AnalyzeClasses(packages = "io.fanout.schemas", importOptions = ImportOption.DoNotIncludeTests.class)
class SchemasArchitectureTest {

    @ArchTest
    static final ArchRule shouldDependOnNothingOfOurs = noClasses()
            .should()
            .dependOnClassesThat(resideInAPackage("io.fanout..").and(not(resideInAPackage("io.fanout.schemas.."))));

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
