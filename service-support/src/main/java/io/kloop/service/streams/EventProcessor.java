package io.kloop.service.streams;

import io.kloop.schemas.EventDecodingException;
import io.kloop.schemas.EventMetadata;
import io.kloop.service.kafka.StreamsDeadLetters;
import io.kloop.service.tracing.KloopTracing;
import io.kloop.service.web.ClientText;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.avro.data.RecordBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a Kafka Streams processor of the platform consumes an event. The skeleton owns the opening
 * every processor needs, in this order:
 *
 * <ol>
 *   <li>the consumer span ({@link ConsumerSpan}), current while the record is handled;
 *   <li>decoding ({@link #read}): undecodable bytes are dead-lettered with the decoder's message;
 *   <li>tombstones: a record without a value is dead-lettered;
 *   <li>the event's own problems ({@link #problem}): dead-lettered with the reason;
 *   <li>the key check: the record must be keyed by its entity ({@link #key}, {@link Keying}), so that an
 *       entity's events are handled in order by one task; otherwise dead-lettered;
 * </ol>
 *
 * <p>and then hands the event to {@link #handle}. What a processor emits goes through {@link #emit}: the
 * event metadata ({@code eventId}, {@code eventTime} from the processor's clock, {@code producer}) is set
 * there and the trace context of the current span goes into the record's headers. A dead letter keeps the
 * record's key, bytes and headers and says why (at most {@value #MAX_REASON_CHARS} characters), with the
 * original topic, partition and offset ({@link StreamsDeadLetters}).
 *
 * <p>A subclass fills in the event's reading, key and handling, and keeps its domain rules in plain classes.
 * The output is a mixed stream of events and dead letters, split by type into topics by the topology
 * ({@link io.kloop.service.kafka.StreamsBranches}).
 *
 * @param <E> the events the processor consumes (a common supertype when it reads several topics)
 */
public abstract class EventProcessor<E> implements Processor<String, byte[], String, Object> {

  /** The longest reason of a dead letter, in characters. */
  public static final int MAX_REASON_CHARS = 1_000;
  /** At most this many characters of a record's key are repeated in a reason. */
  static final int MAX_KEY_ECHO = 64;
  private static final String TRACEPARENT = "traceparent";
  private static final Logger log = LoggerFactory.getLogger(EventProcessor.class);

  /** How a processor traces each record it consumes. */
  public enum ConsumerSpan {
    /** No span per record: the processor traces the work that follows from many records (e.g. sealing a batch). */
    NONE,
    /** A span continuing the record's trace, made only when the record carries one: one step further along it. */
    CONTINUE,
    /** A span starting a trace of its own, linked to the record's trace: a decision that outlives its cause. */
    LINK
  }

  /**
   * The entity an event's records are keyed by.
   *
   * @param entity the entity, as a span attribute ({@code kloop.<entity>}) and in reasons: {@code model}
   * @param name what the key must equal, in a reason: {@code model name}
   * @param why what the key guarantees, in a reason: {@code all events of a model are applied in order on one partition}
   */
  public record Keying(String entity, String name, String why) {}

  /**
   * What the skeleton needs to know of a processor.
   *
   * @param producer the service's name, the {@code producer} of every event it emits
   * @param keying the entity the records are keyed by
   * @param span how each record is traced
   * @param spanName the consumer span's name; with {@code null}, {@code process <topic>}
   * @param tracing the service's tracing
   */
  public record Shape(String producer, Keying keying, ConsumerSpan span, String spanName, KloopTracing tracing) {}

  private final Shape shape;
  private ProcessorContext<String, Object> context;

  protected EventProcessor(Shape shape) {
    this.shape = shape;
  }

  @Override
  public final void init(ProcessorContext<String, Object> context) {
    this.context = context;
    opened(context);
  }

  /**
   * Called when the processor (re)starts on a task: state stores, punctuations, memory rebuilt from them. It
   * may run again on the same instance (a task revived after a failed transaction): start afresh.
   */
  protected void opened(ProcessorContext<String, Object> context) {}

  @Override
  public final void process(Record<String, byte[]> raw) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    Span span = consumerSpan(raw, source);
    if (!span.getSpanContext().isValid()) {
      consume(raw, source);
      return;
    }
    KloopTracing.within(span, () -> consume(raw, source));
  }

  private Span consumerSpan(Record<String, byte[]> raw, RecordMetadata source) {
    KloopTracing tracing = shape.tracing();
    if (!tracing.enabled()) {
      return Span.getInvalid();
    }
    String name = shape.spanName() == null ? "process " + source.topic() : shape.spanName();
    Span span = switch (shape.span()) {
      case NONE -> Span.getInvalid();
      case CONTINUE -> raw.headers().lastHeader(TRACEPARENT) == null ? Span.getInvalid()
          : tracing.continueFrom(name, SpanKind.CONSUMER, raw.headers());
      case LINK -> tracing.linkedTo(name, SpanKind.CONSUMER, List.of(tracing.remote(raw.headers())));
    };
    if (!span.isRecording()) {
      // Not sampled. A continued span is then left out, so nothing links to a trace that is not exported; a new
      // trace's context is still carried on, so what follows from it is not sampled either.
      return shape.span() == ConsumerSpan.CONTINUE ? Span.getInvalid() : span;
    }
    span.setAttribute("messaging.system", "kafka");
    span.setAttribute("messaging.destination.name", source.topic());
    span.setAttribute("messaging.operation.type", "process");
    span.setAttribute("messaging.destination.partition.id", String.valueOf(source.partition()));
    span.setAttribute("messaging.kafka.offset", source.offset());
    span.setAttribute("kloop." + shape.keying().entity(), String.valueOf(raw.key()));
    return span;
  }

  private void consume(Record<String, byte[]> raw, RecordMetadata source) {
    E event;
    try {
      event = raw.value() == null ? null : read(source.topic(), raw.value());
    } catch (EventDecodingException e) {
      deadLetter(raw, "undecodable", e.getMessage());
      return;
    }
    if (event == null) {
      deadLetter(raw, "tombstone", "empty record (a tombstone has no meaning on " + source.topic() + ")");
      return;
    }
    Optional<String> problem = problem(event);
    if (problem.isPresent()) {
      deadLetter(raw, "invalid", problem.get());
      return;
    }
    String key = key(event);
    if (!key.equals(raw.key())) {
      Keying keying = shape.keying();
      deadLetter(raw, "wrong-key", "record key '" + ClientText.echo(raw.key(), MAX_KEY_ECHO) + "' must be the " + keying.name() + " '"
          + ClientText.echo(key, MAX_KEY_ECHO) + "', so that " + keying.why());
      return;
    }
    handle(event, raw);
  }

  /** Decodes a record's value (never null) read from {@code topic}; null when it holds no event. */
  protected abstract E read(String topic, byte[] value) throws EventDecodingException;

  /** What is wrong with a decoded event, before its key is checked: why it is dead-lettered. */
  protected Optional<String> problem(E event) {
    return Optional.empty();
  }

  /** The entity the event's record must be keyed by. */
  protected abstract String key(E event);

  /** Handles an event that passed the opening checks; {@code raw} is its record, for a dead letter. */
  protected abstract void handle(E event, Record<String, byte[]> raw);

  /**
   * Told of each dead letter as it is written ({@code kind}: undecodable, tombstone, invalid, wrong-key, or the
   * handler's own): logs it at WARN with where the record came from. A processor that takes many records from
   * outside (ingest) counts them instead, so a flood of bad records does not flood the log.
   */
  protected void deadLettered(String kind, String reason) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    log.warn("Dead-lettering {}-{}@{} ({}): {}", source.topic(), source.partition(), source.offset(), kind, reason);
  }

  /** The processor's context, once {@link #opened}. */
  protected final ProcessorContext<String, Object> context() {
    return context;
  }

  /** Now, by the processor's clock (wall-clock time, which tests drive). */
  protected final Instant now() {
    return Instant.ofEpochMilli(context.currentSystemTimeMs());
  }

  /** Metadata of an event this processor emits now. */
  protected final EventMetadata metadata(String eventId) {
    return EventMetadata.of(eventId, now(), shape.producer());
  }

  /** Metadata of an event this processor emits now, with a fresh random id. */
  protected final EventMetadata freshMetadata() {
    return EventMetadata.fresh(now(), shape.producer());
  }

  /** Builds an event with the given metadata and emits it under {@code key}, carrying the current span's trace context. */
  protected final <T extends SpecificRecord> T emit(String key, EventMetadata metadata, RecordBuilder<T> event) {
    T built = metadata.build(event);
    Record<String, Object> record = new Record<>(key, built, metadata.eventTime().toEpochMilli());
    shape.tracing().inject(Span.current(), record.headers());
    context.forward(record);
    return built;
  }

  /** Emits an event with a fresh id, now. */
  protected final <T extends SpecificRecord> T emit(String key, RecordBuilder<T> event) {
    return emit(key, freshMetadata(), event);
  }

  /**
   * Dead-letters the record being processed: its key, bytes and headers, with the reason (at most
   * {@value #MAX_REASON_CHARS} characters) and where it came from.
   */
  protected final void deadLetter(Record<String, byte[]> raw, String kind, String reason) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    String bounded = ClientText.echo(reason, MAX_REASON_CHARS);
    deadLettered(kind, bounded);
    context.forward(StreamsDeadLetters.of(raw, source, bounded));
  }
}
