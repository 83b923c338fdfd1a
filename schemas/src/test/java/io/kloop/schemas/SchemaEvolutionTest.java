package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The evolution rule, enforced on every event against every frozen (released) version. */
class SchemaEvolutionTest {

  static Stream<Class<? extends SpecificRecord>> events() {
    return EventCatalog.EVENT_TYPES.stream();
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldHaveReleasedTheCurrentSchema(Class<? extends SpecificRecord> type) {
    List<Schema> frozen = EventCatalog.frozenVersions(type);
    assertThat(frozen).as("frozen versions of %s", type.getSimpleName()).isNotEmpty();
    assertThat(EventCatalog.fingerprint(frozen.get(frozen.size() - 1)))
        .as("%s changed since its last release: run ./mvnw -q -pl schemas compile exec:java", type.getSimpleName())
        .isEqualTo(EventCatalog.fingerprint(EventCatalog.currentSchema(type)));
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldBeAbleToReadEveryFrozenVersion(Class<? extends SpecificRecord> type) {
    assertThat(SchemaEvolution.problemsReading(EventCatalog.currentSchema(type), EventCatalog.frozenVersions(type)))
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("events")
  void shouldDecodeBytesWrittenWithEveryFrozenVersion(Class<? extends SpecificRecord> type) throws IOException {
    EventDeserializer<SpecificRecord> deserializer = new EventDeserializer<>();
    List<Schema> frozen = EventCatalog.frozenVersions(type);
    for (int version = 1; version <= frozen.size(); version++) {
      Schema writer = frozen.get(version - 1);
      BinaryMessageEncoder<Object> oldProducer = new BinaryMessageEncoder<>(GenericData.get(), writer);
      for (Object written : RandomEvents.generic(writer, 20, 1000L * version + type.getSimpleName().hashCode())) {
        byte[] bytes = toArray(oldProducer.encode(written));

        SpecificRecord read = deserializer.deserialize("any-topic", bytes);

        assertThat(read).isInstanceOf(type);
        // Reading the event back with the old schema gives exactly what the old producer wrote.
        byte[] rewritten = new EventSerializer<>().serialize("any-topic", read);
        BinaryMessageDecoder<Object> oldConsumer = new BinaryMessageDecoder<>(GenericData.get(), writer);
        oldConsumer.addSchema(EventCatalog.currentSchema(type));
        assertThat(oldConsumer.decode(rewritten))
            .as("%s v%d survives a trip through the current schema", type.getSimpleName(), version)
            .isEqualTo(written);
      }
    }
  }

  @Test
  void shouldRejectASchemaThatCannotReadTheReleasedVersion() throws IOException {
    Schema incompatible = parse("incompatible/ModelApproved.avsc");
    List<Schema> released = EventCatalog.frozenVersions(io.kloop.events.ModelApproved.class);

    List<String> problems = SchemaEvolution.problemsReading(incompatible, released);

    assertThat(problems).anySatisfy(p -> assertThat(p)
        .contains("cannot read v1").contains("servingRegion").contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("/fields/7/type").contains("TYPE_MISMATCH"));
    // And it is not just a verdict: bytes written with v1 really cannot be read with it.
    Schema v1 = released.get(0);
    Object written = RandomEvents.generic(v1, 1, 7).get(0);
    byte[] body = toArray(new BinaryMessageEncoder<>(GenericData.get(), v1).encode(written));
    GenericDatumReader<Object> reader = new GenericDatumReader<>(v1, incompatible);
    assertThatThrownBy(() -> reader.read(null, DecoderFactory.get().binaryDecoder(body, 10, body.length - 10, null)))
        .isInstanceOf(AvroTypeException.class);
  }

  private static Schema parse(String resource) throws IOException {
    try (InputStream in = SchemaEvolutionTest.class.getClassLoader().getResourceAsStream(resource)) {
      return new Schema.Parser().parse(in);
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
