package io.kloop.schemas;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.apache.avro.data.RecordBuilder;
import org.apache.avro.specific.SpecificRecord;

/**
 * What every platform event says about itself: its id, when it happened and which service produced it
 * (the {@code eventId}, {@code eventTime} and {@code producer} fields every event schema starts with).
 * Producers set all three here, in one place, rather than with three setters on every builder:
 * {@code EventMetadata.of(id, now, NAME).build(ModelRejected.newBuilder().setModel(...))}.
 */
public record EventMetadata(String eventId, Instant eventTime, String producer) {

  /** The three setters of each event builder class, found once per class. */
  private static final ClassValue<MethodHandle[]> SETTERS = new ClassValue<>() {
    @Override
    protected MethodHandle[] computeValue(Class<?> builder) {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      try {
        return new MethodHandle[] {
            lookup.findVirtual(builder, "setEventId", MethodType.methodType(builder, String.class)),
            lookup.findVirtual(builder, "setEventTime", MethodType.methodType(builder, Instant.class)),
            lookup.findVirtual(builder, "setProducer", MethodType.methodType(builder, String.class))};
      } catch (NoSuchMethodException | IllegalAccessException e) {
        throw new IllegalArgumentException(builder.getName() + " is not the builder of a platform event (no eventId, eventTime, producer)", e);
      }
    }
  };

  public EventMetadata {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(producer, "producer");
  }

  public static EventMetadata of(String eventId, Instant eventTime, String producer) {
    return new EventMetadata(eventId, eventTime, producer);
  }

  /** Metadata with a fresh random id: for an event nothing else derives the id of. */
  public static EventMetadata fresh(Instant eventTime, String producer) {
    return new EventMetadata(UUID.randomUUID().toString(), eventTime, producer);
  }

  /** Sets the three fields on an event's builder and builds the event. */
  public <T extends SpecificRecord> T build(RecordBuilder<T> builder) {
    MethodHandle[] setters = SETTERS.get(builder.getClass());
    try {
      setters[0].invoke(builder, eventId);
      setters[1].invoke(builder, eventTime);
      setters[2].invoke(builder, producer);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot set the metadata of " + builder.getClass().getName(), e);
    }
    return builder.build();
  }
}
