package io.fanout.service;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.fanout.testsupport.ProductionCodeRules;

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

    /** Kafka's public API only, no console output, no {@code main} but the application's. */
    @ArchTest
    static final ArchTests productionCode = ArchTests.in(ProductionCodeRules.class);
}
