package io.kloop.training.run;

import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.RetrainingRequested;
import io.kloop.schemas.Topics;
import io.kloop.training.spec.Texts;
import io.kloop.training.state.TrainingState;
import io.opentelemetry.api.trace.Span;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The two Kafka triggers of training, each consumed by the service's consumer group (one instance handles
 * each event): new batches ({@code training-service-new-data}) and retraining requests
 * ({@code training-service-retraining}) of every reason (DRIFT, PERFORMANCE, SCHEDULE, MANUAL, OTHER), which are
 * described for the runs API ({@link RequestCauses}) and handed to the scheduler, which starts no second run for
 * a request it took before.
 */
@Component
class TrainingTriggers {

  private static final Logger log = LoggerFactory.getLogger(TrainingTriggers.class);

  private final TrainingState state;
  private final RunScheduler scheduler;
  private final CauseTraces traces;
  private final RequestCauses causes;

  TrainingTriggers(TrainingState state, RunScheduler scheduler, CauseTraces traces, RequestCauses causes) {
    this.state = state;
    this.scheduler = scheduler;
    this.traces = traces;
    this.causes = causes;
  }

  @KafkaListener(id = "training-service-new-data", topics = Topics.Names.DATASET_BATCH_COMMITTED)
  void onBatch(DatasetBatchCommitted batch) {
    // Spring traces the listener: its span continues the batch's trace (the state replica may keep the batch's own first).
    traces.put(batch.getBatchId(), Span.current().getSpanContext());
    // The replica may not have seen the batch yet; adding it twice changes nothing.
    state.addBatch(batch);
    log.debug("Batch {} of dataset {}: {} rows", batch.getBatchId(), batch.getDataset(), batch.getRowCount());
    scheduler.newData(batch.getDataset());
  }

  @KafkaListener(id = "training-service-retraining", topics = Topics.Names.RETRAINING_REQUESTED)
  void onRequest(RetrainingRequested request) {
    // Nothing to run for a name no model can have, nor for an id a run's trigger cannot name; and nothing worth
    // announcing (a TrainingFailed would repeat the name and id, however long, several times).
    if (!request.getModel().matches(Texts.MODEL_NAME)) {
      log.warn("Retraining request {} for '{}' ignored: not a model name (1-63 lower-case letters, digits, '.', '_' or '-')",
          Texts.shown(request.getEventId()), Texts.shown(request.getModel()));
      return;
    }
    Optional<String> problem = RequestIds.problem(request.getEventId());
    if (problem.isPresent()) {
      log.warn("Retraining request {} for model {} ignored: {}", Texts.shown(request.getEventId()), request.getModel(), problem.get());
      return;
    }
    traces.put(request.getEventId(), Span.current().getSpanContext());
    // Described before it is taken: the run it starts lists its cause at once. A redelivery describes it the same way.
    causes.put(request);
    log.info("Retraining of model {} requested (request {}): {}", request.getModel(), request.getEventId(), RequestDescription.of(request));
    scheduler.request(request.getModel(), request.getEventId());
  }
}
