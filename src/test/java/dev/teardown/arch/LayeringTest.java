package dev.teardown.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the code keeps, checked: the operator core never reaches into the simulators or the
 * sandbox, an adapter of one cloud never uses another cloud's adapter, and the API model depends on
 * nothing but the model and its (de)serialization.
 */
class LayeringTest {
  private static final String[] CORE = {
    "dev.teardown.api..",
    "dev.teardown.controller..",
    "dev.teardown.cloud..",
    "dev.teardown.config..",
    "dev.teardown.metrics.."
  };
  private static final String[] ADAPTERS = {
    "dev.teardown.cloud.tencent..",
    "dev.teardown.cloud.compshare..",
    "dev.teardown.cloud.volcengine.."
  };

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.teardown");
  }

  @Test
  void coreNeverImportsSimulatorsOrSandbox() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.teardown.sim..", "dev.teardown.sandbox..")
            .because(
                "the simulators and the sandbox are tools around the operator, never part of it");
    rule.check(main);
  }

  @Test
  void anAdapterNeverImportsAnotherAdapter() {
    for (String adapter : ADAPTERS) {
      String[] others =
          java.util.Arrays.stream(ADAPTERS).filter(a -> !a.equals(adapter)).toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(adapter)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .because("each cloud's adapter stands alone behind the port")
          .check(main);
    }
  }

  @Test
  void apiImportsOnlyTheModel() {
    classes()
        .that()
        .resideInAPackage("dev.teardown.api..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.teardown.api..",
            "java..",
            "io.fabric8.kubernetes.api.model..",
            "io.fabric8.kubernetes.client",
            "io.fabric8.kubernetes.model.annotation..",
            "io.fabric8.generator.annotation..",
            "io.fabric8.crd.generator.annotation..",
            "com.fasterxml.jackson.annotation..",
            "com.fasterxml.jackson..",
            "io.sundr..",
            "lombok..")
        .because(
            "the API model is data: it must not pull in the controller, the clouds or a client")
        .check(main);
  }

  @Test
  void theRulesSeeTheCode() {
    // A rule over an empty import passes vacuously; make sure the packages it speaks of are really
    // there.
    org.assertj.core.api.Assertions.assertThat(
            main.stream().map(c -> c.getPackageName()).distinct())
        .contains(
            "dev.teardown.api.v1alpha1",
            "dev.teardown.controller",
            "dev.teardown.sim",
            "dev.teardown.cloud.tencent",
            "dev.teardown.cloud.compshare",
            "dev.teardown.cloud.volcengine");
  }
}
