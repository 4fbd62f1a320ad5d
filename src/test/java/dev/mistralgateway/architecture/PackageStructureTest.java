package dev.mistralgateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The shape of the house, held by the build: packages depend on each other without cycles, the simulator is reached
 * from production code only through the dev build's producer, and the client package knows nothing of the HTTP API.
 */
class PackageStructureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.mistralgateway");

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.mistralgateway.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void productionCodeNeverReachesTheSimulator() {
        noClasses().that().resideOutsideOfPackage("dev.mistralgateway.simulator..")
                .should().dependOnClassesThat().resideInAPackage("dev.mistralgateway.simulator..")
                .check(MAIN);
    }

    @Test
    void theMistralClientKnowsNothingOfTheGatewaysApi() {
        noClasses().that().resideInAPackage("dev.mistralgateway.mistral..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.mistralgateway.api..", "dev.mistralgateway.chat..",
                        "dev.mistralgateway.health..", "dev.mistralgateway.security..", "dev.mistralgateway.cost..")
                .check(MAIN);
    }
}
