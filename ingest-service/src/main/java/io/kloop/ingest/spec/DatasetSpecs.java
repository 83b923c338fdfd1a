package io.kloop.ingest.spec;

import io.kloop.events.DatasetSpecDeclared;
import io.kloop.ingest.IngestServiceApplication;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.Topics;
import io.kloop.service.kafka.Acknowledgements;
import io.kloop.service.kafka.TopicReplica;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Every dataset's spec versions, kept in Kafka: declarations are {@link DatasetSpecDeclared} events on the
 * compacted topic {@code mlops.ingest.dataset-spec-declared}, and every instance reads the whole topic
 * (no consumer group) into memory at start-up, before it takes traffic, then follows it.
 *
 * <p>Rules for a declaration: the first is version 1; the same contract again changes nothing; a compatible
 * change becomes the next version by itself; an incompatible one (see {@link SpecEvolution}) must name the
 * next version explicitly, so nobody breaks producers by accident.
 */
@Component
public class DatasetSpecs implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(DatasetSpecs.class);

  private final Map<String, NavigableMap<Integer, DatasetSpec>> versions = new ConcurrentHashMap<>();
  private final ConsumerFactory<?, ?> consumerFactory;
  private final KafkaTemplate<String, Object> template;
  private final Clock clock;
  private TopicReplica replica;

  DatasetSpecs(ConsumerFactory<?, ?> consumerFactory, KafkaTemplate<String, Object> template, Clock clock) {
    this.consumerFactory = consumerFactory;
    this.template = template;
    this.clock = clock;
  }

  /** The current (highest) version of a dataset's spec. */
  public Optional<DatasetSpec> current(String dataset) {
    NavigableMap<Integer, DatasetSpec> known = versions.get(dataset);
    return known == null || known.isEmpty() ? Optional.empty() : Optional.of(known.lastEntry().getValue());
  }

  /** A specific version, while the compacted topic still holds it (the current one always). */
  public Optional<DatasetSpec> version(String dataset, int version) {
    NavigableMap<Integer, DatasetSpec> known = versions.get(dataset);
    return known == null ? Optional.empty() : Optional.ofNullable(known.get(version));
  }

  /** Known version numbers of a dataset, ascending. */
  public List<Integer> versions(String dataset) {
    NavigableMap<Integer, DatasetSpec> known = versions.get(dataset);
    return known == null ? List.of() : List.copyOf(known.keySet());
  }

  /** The current spec of every dataset, by name. */
  public List<DatasetSpec> all() {
    List<DatasetSpec> all = new ArrayList<>();
    versions.keySet().stream().sorted().forEach(name -> current(name).ifPresent(all::add));
    return all;
  }

  /** What a declaration did. */
  public enum Outcome { CREATED, NEW_VERSION, UNCHANGED }

  public record Declared(Outcome outcome, DatasetSpec spec) {}

  /**
   * Declares a dataset's spec. {@code explicitVersion} may be null (let the rules pick) or the version the
   * caller means to create.
   *
   * @throws InvalidSpecException when the spec itself is wrong
   * @throws SpecConflictException when the change is incompatible without an explicit new version, or the
   *     version is not the next one
   */
  public synchronized Declared declare(DatasetSpec proposed, Integer explicitVersion, String actor) {
    List<String> problems = proposed.problems();
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    Optional<DatasetSpec> current = current(proposed.dataset());
    int next = current.map(c -> c.version() + 1).orElse(1);
    if (current.isPresent() && current.get().sameContractAs(proposed)
        && (explicitVersion == null || explicitVersion == current.get().version())) {
      return new Declared(Outcome.UNCHANGED, current.get());
    }
    if (explicitVersion != null && explicitVersion != next) {
      throw new SpecConflictException("dataset " + proposed.dataset() + " is at version "
          + current.map(DatasetSpec::version).orElse(0) + "; a new declaration can only be version " + next, List.of());
    }
    if (current.isPresent() && explicitVersion == null) {
      List<String> incompatible = SpecEvolution.incompatibilities(current.get(), proposed);
      if (!incompatible.isEmpty()) {
        throw new SpecConflictException("incompatible change to dataset " + proposed.dataset() + " v" + current.get().version()
            + ": records valid today could be refused. Declare it as \"version\": " + next + " if that is intended", incompatible);
      }
    }
    DatasetSpec spec = proposed.withVersion(next);
    publish(spec, actor);
    apply(spec);
    log.info("Dataset {} spec v{} declared by {}", spec.dataset(), spec.version(), actor);
    return new Declared(current.isEmpty() ? Outcome.CREATED : Outcome.NEW_VERSION, spec);
  }

  private void publish(DatasetSpec spec, String actor) {
    DatasetSpecDeclared event = EventMetadata.fresh(clock.instant(), IngestServiceApplication.NAME).build(DatasetSpecDeclared.newBuilder()
        .setDataset(spec.dataset())
        .setVersion(spec.version())
        .setIdField(spec.idField())
        .setFeatures(spec.features())
        .setLabel(spec.label())
        .setDeclaredBy(actor));
    Acknowledgements.await(template.send(Topics.DATASET_SPEC_DECLARED.name(), spec.dataset(), event), "store the spec of " + spec.dataset());
  }

  private void apply(DatasetSpec spec) {
    versions.computeIfAbsent(spec.dataset(), d -> Collections.synchronizedNavigableMap(new TreeMap<>()))
        .put(spec.version(), spec);
  }

  /** Reads the whole topic before the service takes traffic, then follows it on a thread of its own. */
  @Override
  public void start() {
    replica = new TopicReplica(IngestServiceApplication.NAME + "-dataset-specs", consumerFactory.getConfigurationProperties(),
        List.of(Topics.DATASET_SPEC_DECLARED), (topic, record, event) -> apply(DatasetSpec.of((DatasetSpecDeclared) event)), getPhase());
    replica.start();
    log.info("Loaded {} dataset spec(s)", versions.size());
  }

  @Override
  public void stop() {
    if (replica != null) {
      replica.stop();
    }
  }

  @Override
  public boolean isRunning() {
    return replica != null && replica.isRunning();
  }

  /** Before the record pipeline and the web server: both need the specs. */
  @Override
  public int getPhase() {
    return 0;
  }
}
