package io.kloop.inference.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.PredictionLogged;
import io.kloop.schemas.EventSerializer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PredictionLoggedSerializerTest {

  private final PredictionLoggedSerializer serializer = new PredictionLoggedSerializer();
  private final EventSerializer<PredictionLogged> avro = new EventSerializer<>();

  @Test
  void shouldWriteTheCurrentSchemaDirectly() {
    assertThat(PredictionLoggedSerializer.DIRECT).as("the direct writer matches PredictionLogged's current schema").isTrue();
  }

  @Test
  void shouldWriteTheSameBytesAsAvro() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 2_000; i++) {
      PredictionLogged event = event(random, i);
      byte[] bytes = serializer.serialize("t", event);
      assertThat(bytes).as("event %d", i).isEqualTo(avro.serialize("t", event));
    }
  }

  @Test
  void shouldRefuseWhatAvroRefusesWithItsReason() {
    PredictionLogged event = event(new SplittableRandom(5), 0);
    event.getInputs().put("count", 3); // an int: no branch of the inputs' union takes it
    assertThatThrownBy(() -> avro.serialize("t", event)).isInstanceOf(SerializationException.class);
    String reason = catchMessage(() -> avro.serialize("t", event));
    assertThatThrownBy(() -> serializer.serialize("t", event)).isInstanceOf(SerializationException.class).hasMessage(reason);

    PredictionLogged unnamed = event(new SplittableRandom(5), 1);
    unnamed.setModel(null);
    assertThatThrownBy(() -> serializer.serialize("t", unnamed)).isInstanceOf(SerializationException.class)
        .hasMessage(catchMessage(() -> avro.serialize("t", unnamed)));

    // Values of no branch that Avro still writes (a BigDecimal as its text) take Avro's way, with Avro's bytes.
    PredictionLogged decimal = event(new SplittableRandom(5), 3);
    decimal.getInputs().put("amount", new BigDecimal("12.50"));
    assertThat(serializer.serialize("t", decimal)).isEqualTo(avro.serialize("t", decimal));
    PredictionLogged single = event(new SplittableRandom(5), 4);
    single.getInputs().put("ratio", 0.5f); // a Float: no branch, refused by both
    assertThatThrownBy(() -> serializer.serialize("t", single)).isInstanceOf(SerializationException.class)
        .hasMessage(catchMessage(() -> avro.serialize("t", single)));

    // A refusal leaves nothing behind: the next event is written whole.
    PredictionLogged next = event(new SplittableRandom(5), 2);
    assertThat(serializer.serialize("t", next)).isEqualTo(avro.serialize("t", next));
    assertThat(serializer.serialize("t", null)).isNull();
  }

  private static String catchMessage(Runnable call) {
    try {
      call.run();
    } catch (SerializationException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a SerializationException");
  }

  private static PredictionLogged event(SplittableRandom random, int i) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    int features = random.nextInt(40);
    for (int f = 0; f < features; f++) {
      String name = random.nextInt(10) == 0 ? "größe " + f : "feature_" + f;
      inputs.put(name, switch (random.nextInt(7)) {
        case 0 -> null;
        case 1 -> random.nextBoolean();
        case 2 -> random.nextLong();
        case 3 -> new Utf8("kind " + random.nextInt(5));
        case 4 -> "colour é " + random.nextInt(5);
        case 5 -> random.nextInt(3) == 0 ? Double.NaN : -random.nextDouble() * 1e6;
        default -> random.nextDouble();
      });
    }
    Map<String, Double> probabilities = new LinkedHashMap<>();
    int classes = random.nextInt(5); // none at all too: an empty map
    for (int c = 0; c < classes; c++) {
      probabilities.put("class " + c, random.nextDouble());
    }
    return PredictionLogged.newBuilder()
        .setEventId("event-" + i + "-" + random.nextLong()).setEventTime(Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L)))
        .setProducer("inference-service").setRequestId(random.nextBoolean() ? "" : "request-" + i)
        .setInstanceIndex(random.nextInt(1_000)).setModel("model-" + random.nextInt(3)).setVersion(random.nextInt(Integer.MAX_VALUE))
        .setInputs(inputs).setPredictedClass("class " + random.nextInt(Math.max(1, classes))).setProbabilities(probabilities)
        .setLatencyMicros(random.nextLong(0, Long.MAX_VALUE))
        // No id (events from before ids existed), the default form, or a client's own (any text, here with an accent).
        .setPredictionId(switch (random.nextInt(3)) {
          case 0 -> null;
          case 1 -> "request-" + i + "/" + random.nextInt(1_000);
          default -> "order-é-" + random.nextLong();
        })
        .build();
  }
}
