package io.kloop.schemas;

import io.kloop.events.DataRecord;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.DriftDetected;
import io.kloop.events.DriftReported;
import io.kloop.events.GroundTruthReported;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelDecisionRequested;
import io.kloop.events.ModelRejected;
import io.kloop.events.ModelRolledBack;
import io.kloop.events.ModelSpecDeclared;
import io.kloop.events.ModelTrained;
import io.kloop.events.PerformanceReported;
import io.kloop.events.PredictionLogged;
import io.kloop.events.RetrainingRequested;
import io.kloop.events.TrainingFailed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Every event of the platform's contract, with its current schema and every released (frozen) version.
 *
 * <p>Frozen versions live on the classpath at {@code io/kloop/schemas/frozen/<Event>/v<N>.avsc}, each a
 * self-contained copy of the schema exactly as it was released. Together they are the schema store that
 * decoders resolve single-object fingerprints against.
 */
public final class EventCatalog {

  /** Every event type, in the order of the loop. */
  public static final List<Class<? extends SpecificRecord>> EVENT_TYPES =
      List.of(
          DatasetSpecDeclared.class,
          DataRecord.class,
          DatasetBatchCommitted.class,
          ModelSpecDeclared.class,
          RetrainingRequested.class,
          ModelTrained.class,
          TrainingFailed.class,
          ModelDecisionRequested.class,
          ModelApproved.class,
          ModelRejected.class,
          ModelRolledBack.class,
          PredictionLogged.class,
          DriftReported.class,
          DriftDetected.class,
          GroundTruthReported.class,
          PerformanceReported.class);

  static final String FROZEN_ROOT = "io/kloop/schemas/frozen/";

  private static final Map<Class<? extends SpecificRecord>, List<Schema>> FROZEN = new LinkedHashMap<>();

  static {
    trustEventPackage();
    for (Class<? extends SpecificRecord> type : EVENT_TYPES) {
      FROZEN.put(type, Collections.unmodifiableList(loadFrozen(type)));
    }
  }

  private EventCatalog() {}

  /**
   * Makes sure Avro trusts the platform's event classes in this JVM (the class's initialisation does it;
   * calling this twice does nothing more). Decoding an event does this on its own; code that builds a record
   * with a builder before any event was decoded needs it, since a field left at a default of a record or
   * enum type is decoded from the schema's default.
   */
  public static void trustEventClasses() {
    // the static initialiser above has run by the time this body does
  }

  /**
   * Avro 1.12 only instantiates classes it trusts; add the generated event package to whatever the JVM
   * already trusts, so no system property is needed to decode our own events.
   */
  private static void trustEventPackage() {
    String eventPackage = DataRecord.class.getPackageName() + ".";
    ClassSecurityValidator.ClassSecurityPredicate existing = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(existing, type -> type.getName().startsWith(eventPackage)));
  }

  /** The schema this build writes for the given event type. */
  public static Schema currentSchema(Class<? extends SpecificRecord> type) {
    return SpecificData.get().getSchema(type);
  }

  /** Released versions of the event's schema, oldest (v1) first. */
  public static List<Schema> frozenVersions(Class<? extends SpecificRecord> type) {
    List<Schema> versions = FROZEN.get(type);
    if (versions == null) {
      throw new IllegalArgumentException(type.getName() + " is not an event of the platform's contract");
    }
    return versions;
  }

  /** The event type whose simple or full name is given. */
  public static Optional<Class<? extends SpecificRecord>> byName(String name) {
    return EVENT_TYPES.stream()
        .filter(t -> t.getSimpleName().equals(name) || t.getName().equals(name))
        .findFirst();
  }

  /** CRC-64-AVRO fingerprint of a schema's parsing canonical form: what single-object encoding writes. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /**
   * A record schema's fields as {@code name:TYPE}, in order, docs and other properties aside: what a
   * hand-written reader or writer of the schema's binary form checks before it trusts its own layout (for
   * example {@code eventTime:LONG/timestamp-millis}, {@code label:[NULL, STRING]}, {@code inputs:MAP<DOUBLE>}).
   */
  public static List<String> layout(Schema record) {
    return record.getFields().stream().map(field -> field.name() + ":" + describe(field.schema())).toList();
  }

  private static String describe(Schema schema) {
    return switch (schema.getType()) {
      case MAP -> "MAP<" + describe(schema.getValueType()) + ">";
      case ARRAY -> "ARRAY<" + describe(schema.getElementType()) + ">";
      case UNION -> schema.getTypes().stream().map(EventCatalog::describe).toList().toString();
      case RECORD, ENUM, FIXED -> schema.getFullName();
      default -> schema.getType().name() + (schema.getLogicalType() == null ? "" : "/" + schema.getLogicalType().getName());
    };
  }

  static List<Schema> loadFrozen(Class<? extends SpecificRecord> type) {
    List<Schema> versions = new ArrayList<>();
    ClassLoader loader = EventCatalog.class.getClassLoader();
    for (int v = 1; ; v++) {
      String path = frozenPath(type, v);
      try (InputStream in = loader.getResourceAsStream(path)) {
        if (in == null) {
          return versions;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read frozen schema " + path, e);
      }
    }
  }

  static String frozenPath(Class<? extends SpecificRecord> type, int version) {
    return FROZEN_ROOT + type.getSimpleName() + "/v" + version + ".avsc";
  }
}
