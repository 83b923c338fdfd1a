package io.kloop.platform;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;

/**
 * The boundaries the design relies on, checked on the compiled main code of every module (docs/architecture.md,
 * "Boundaries, checked"). The classes come from the reactor's jars or class directories, whichever Maven puts on
 * the test class path; test class directories and test-support are left out, so that tests may cross the lines.
 */
class ArchitectureTest {

  private static final String[] SERVICES = {"ingest", "training", "registry", "inference", "monitor"};

  /**
   * The shared modules: schemas and the Avro events, service-support, model-support, the embedded broker, and the
   * demo producer (which publishes as any outside producer would).
   */
  private static final String[] SHARED = {
      "io.kloop.schemas..", "io.kloop.events..", "io.kloop.service..", "io.kloop.model..", "io.kloop.kafka..",
      "io.kloop.producer.."};

  /**
   * The packages that hold only domain rules, calculations and value types. Other domain classes live beside
   * their edges in a feature package (a spec's rules beside its controller); {@link #domainClassesDoNotDependOnEdges}
   * covers those.
   */
  private static final String[] DOMAIN_PACKAGES = {
      "io.kloop.ingest.validation..", "io.kloop.training.state..", "io.kloop.registry.policy..", "io.kloop.monitor.drift..",
      "io.kloop.model.."};

  /** What the domain packages are written without: HTTP (Spring Web, Reactor) and Kafka (Streams, listeners, clients). */
  private static final String[] HTTP_AND_KAFKA = {
      "org.springframework.web..", "org.springframework.http..", "reactor..", "org.apache.kafka.streams..",
      "org.springframework.kafka..", "org.apache.kafka.clients.."};

  /**
   * What makes a class an inbound edge: the web API, or Kafka Streams (topologies, processors, their stores and
   * readers). Publishing an event (a producer, a {@code KafkaTemplate}) is not: services announce from their domain.
   */
  private static final PackageMatchers EDGE_TECHNOLOGY = PackageMatchers.of(
      "org.springframework.web..", "org.springframework.http..", "reactor..", "org.apache.kafka.streams..");

  /** The packages that are HTTP edges as a whole: each service's API, and ingest's intake of records over HTTP. */
  private static final PackageMatchers HTTP_EDGE_PACKAGES = PackageMatchers.of("io.kloop.*.api..", "io.kloop.ingest.intake..");

  /** Whether a class is an edge, by name: the rules ask it of every dependency, and the answer needs its own. */
  private static final Map<String, Boolean> EDGES = new ConcurrentHashMap<>();

  private static final int MAX_COLLABORATORS = 6;

  private static JavaClasses main;

  @BeforeAll
  static void importMainCode() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // test-support's helpers are test code, whatever their module calls them.
        .withImportOption(location -> !location.contains("/io/kloop/test/"))
        .importPackages("io.kloop");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ingest", "training", "registry", "inference", "monitor"})
  void servicesDoNotDependOnEachOther(String service) {
    String[] others = Arrays.stream(SERVICES).filter(s -> !s.equals(service)).map(s -> "io.kloop." + s + "..")
        .toArray(String[]::new);
    noClasses().that().resideInAPackage("io.kloop." + service + "..")
        .should().dependOnClassesThat().resideInAnyPackage(others)
        .because("services talk only through Avro events on Kafka, so that each can be deployed, scaled and "
            + "replaced alone")
        .check(main);
  }

  @Test
  void sharedModulesDoNotDependOnServices() {
    noClasses().that().resideInAnyPackage(SHARED)
        .should().dependOnClassesThat().resideInAnyPackage(
            Arrays.stream(SERVICES).map(s -> "io.kloop." + s + "..").toArray(String[]::new))
        .because("the shared modules are what every service builds on, and a service's logic in them would couple "
            + "the services again")
        .check(main);
  }

  @Test
  void domainPackagesAreWrittenWithoutHttpOrKafka() {
    noClasses().that().resideInAnyPackage(DOMAIN_PACKAGES)
        .should().dependOnClassesThat().resideInAnyPackage(HTTP_AND_KAFKA)
        .because("domain rules are plain classes, unit-tested in milliseconds without a server, a broker or a "
            + "topology")
        .check(main);
  }

  @Test
  void domainClassesDoNotDependOnEdges() {
    noClasses().that().resideInAnyPackage(servicePackages())
        .and(DescribedPredicate.not(EDGE)).and(DescribedPredicate.not(WIRING))
        .should().dependOnClassesThat(EDGE)
        .because("the HTTP and Kafka edges depend on the domain and not the reverse, so that an edge can change "
            + "(a route, a topology) without touching a rule")
        .check(main);
  }

  @Test
  void noClassTakesMoreThanSixCollaborators() {
    classes().that().resideInAPackage("io.kloop..")
        .and().resideOutsideOfPackage("io.kloop.events..")
        .and(DescribedPredicate.not(RECORD))
        .and(DescribedPredicate.not(LOCAL_OR_ANONYMOUS))
        .and().areNotAnnotatedWith(ConfigurationProperties.class)
        .should(haveAtMostCollaborators(MAX_COLLABORATORS))
        .because("a class that needs more collaborators does more than one thing; group settings into a record "
            + "or split the class")
        .check(main);
  }

  private static String[] servicePackages() {
    return Arrays.stream(SERVICES).map(s -> "io.kloop." + s + "..").toArray(String[]::new);
  }

  /**
   * An HTTP edge (in an API package, a controller, an error advice, anything written with the web API) or a Kafka
   * edge (a listener, or anything written with Kafka Streams: a topology, a processor, a store, a store's reader).
   * A nested class is an edge when its outermost class is.
   */
  static final DescribedPredicate<JavaClass> EDGE = DescribedPredicate.describe(
      "an HTTP or Kafka edge", ArchitectureTest::isEdge);

  /** Spring configuration: it wires edges to the domain, so it may know both. */
  static final DescribedPredicate<JavaClass> WIRING = DescribedPredicate.describe(
      "Spring configuration", c -> c.isMetaAnnotatedWith(Configuration.class) || c.isAnnotatedWith(Configuration.class));

  static final DescribedPredicate<JavaClass> RECORD = DescribedPredicate.describe("records", JavaClass::isRecord);

  /** Local and anonymous classes take what they capture, not collaborators. */
  static final DescribedPredicate<JavaClass> LOCAL_OR_ANONYMOUS = DescribedPredicate.describe(
      "local or anonymous classes", c -> c.isLocalClass() || c.isAnonymousClass());

  private static boolean isEdge(JavaClass c) {
    return EDGES.computeIfAbsent(outermost(c).getName(), name -> isEdgeItself(outermost(c)));
  }

  private static boolean isEdgeItself(JavaClass top) {
    return HTTP_EDGE_PACKAGES.test(top.getPackageName())
        || top.isAnnotatedWith(Controller.class) || top.isMetaAnnotatedWith(Controller.class)
        || top.isAnnotatedWith(ControllerAdvice.class) || top.isMetaAnnotatedWith(ControllerAdvice.class)
        || top.getMethods().stream().anyMatch(m -> m.isAnnotatedWith(KafkaListener.class))
        || top.getDirectDependenciesFromSelf().stream().anyMatch(d -> usesEdgeTechnology(d.getTargetClass()));
  }

  private static JavaClass outermost(JavaClass c) {
    JavaClass top = c;
    while (top.getEnclosingClass().isPresent()) {
      top = top.getEnclosingClass().get();
    }
    return top;
  }

  private static boolean usesEdgeTechnology(JavaClass target) {
    return EDGE_TECHNOLOGY.test(target.getPackageName());
  }

  private static ArchCondition<JavaClass> haveAtMostCollaborators(int max) {
    return new ArchCondition<>("take at most " + max + " collaborators (constructor parameters)") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        c.getConstructors().stream().max(Comparator.comparingInt(ArchitectureTest::collaborators)).ifPresent(widest -> {
          int count = collaborators(widest);
          boolean ok = count <= max;
          events.add(new SimpleConditionEvent(c, ok, c.getName() + " takes " + count + " collaborators in "
              + widest.getDescription()));
        });
      }
    };
  }

  /**
   * The parameters a constructor declares, without those the compiler adds (an enum constant's name and ordinal,
   * an inner class's outer instance).
   */
  private static int collaborators(JavaConstructor constructor) {
    JavaClass owner = constructor.getOwner();
    int count = constructor.getRawParameterTypes().size();
    if (owner.isEnum()) {
      count -= 2;
    } else if (owner.isInnerClass()) {
      count--;
    }
    return count;
  }
}
