package io.kloop.ingest.batch;

import io.kloop.ingest.IngestProperties;

/**
 * What the intake processor is told by the service's settings: when to seal a batch, and how many accepted
 * ids the Bloom filters in front of the accepted-id store hold ({@link AcceptedIds}).
 *
 * @param sealing when a dataset's open batch is sealed
 * @param idFilterMaxIds most ids the filters hold; 0 turns them off
 */
record IntakeSettings(SealingRules sealing, long idFilterMaxIds) {

  static IntakeSettings of(IngestProperties properties) {
    return new IntakeSettings(new SealingRules(properties.batchMaxRecords(), properties.batchMaxAge()), properties.idFilterMaxIds());
  }
}
