package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract's house rules, checked on every event and every type it uses. */
class EventContractTest {

  static List<Class<? extends SpecificRecord>> events() {
    return EventCatalog.EVENT_TYPES;
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldDocumentEveryRecordEnumAndField(Class<? extends SpecificRecord> type) {
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(EventCatalog.currentSchema(type), new HashSet<>(), undocumented);

    assertThat(undocumented).as("types and fields without a doc string").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldCarryEventIdTimeAndProducerFirst(Class<? extends SpecificRecord> type) {
    List<Schema.Field> fields = EventCatalog.currentSchema(type).getFields();

    assertThat(fields.subList(0, 3)).extracting(Schema.Field::name).containsExactly("eventId", "eventTime", "producer");
    assertThat(fields.get(1).schema().getLogicalType().getName()).isEqualTo("timestamp-millis");
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldLiveInTheEventsPackage(Class<? extends SpecificRecord> type) {
    assertThat(EventCatalog.currentSchema(type).getNamespace()).isEqualTo(type.getPackageName()).isEqualTo("io.kloop.events");
  }

  private static void collectUndocumented(Schema schema, Set<String> seen, List<String> undocumented) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!seen.add(schema.getFullName())) {
          return;
        }
        if (isBlank(schema.getDoc())) {
          undocumented.add(schema.getFullName());
        }
        for (Schema.Field field : schema.getFields()) {
          if (isBlank(field.doc())) {
            undocumented.add(schema.getName() + "." + field.name());
          }
          collectUndocumented(field.schema(), seen, undocumented);
        }
      }
      case ENUM -> {
        if (seen.add(schema.getFullName()) && isBlank(schema.getDoc())) {
          undocumented.add(schema.getFullName());
        }
      }
      case ARRAY -> collectUndocumented(schema.getElementType(), seen, undocumented);
      case MAP -> collectUndocumented(schema.getValueType(), seen, undocumented);
      case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, seen, undocumented));
      default -> { }
    }
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }
}
