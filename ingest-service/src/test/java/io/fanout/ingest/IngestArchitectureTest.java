package io.fanout.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.fanout.testsupport.ProductionCodeRules;

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

    /** Kafka's public API only, no console output, no {@code main} but the application's. */
    @ArchTest
    static final ArchTests productionCode = ArchTests.in(ProductionCodeRules.class);
}
